# Two commands do all the set-up: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
OUT ?= out

.PHONY: demo test install lint bench docs clean

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

## Build the documentation site (user guide, API reference, executed notebooks)
$(VENV)/.docs-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[docs]"
	touch $@

docs: install $(VENV)/.docs-installed
	$(BIN)/python -m sphinx -W --keep-going -n -b html docs docs/_build/html
	@echo "Documentation built: open $(CURDIR)/docs/_build/html/index.html"

lint: install
	$(BIN)/ruff check hotspot tests benchmarks docs

## Benchmarks against peer libraries; prints ratios
bench: install
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .ruff_cache docs/_build docs/generated docs/api.rst
