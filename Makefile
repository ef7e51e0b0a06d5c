# Two commands do all the set-up: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
OUT ?= out

.PHONY: demo test install lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed

## Run the full pipeline on the sample data; outputs go to $(OUT)/
demo: install
	$(BIN)/hotspot demo --out $(OUT) --force

## Run the whole test suite (unit, real-data, reference, notebook tests)
test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check hotspot tests benchmarks

## Benchmarks against peer libraries; prints ratios
bench: install
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .ruff_cache
