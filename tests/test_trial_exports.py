"""Exports with conventions the library had not been tried on, built in each test.

Each test is one finding from reading realistic exports of other forces and cities
(Excel workbooks, Toronto/NSW/French CSVs, layered GeoPackages, police.uk folders).
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import hotspot as hs


def _read(source, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return hs.read_incidents(source, **kw)


def _serial(ts: pd.Series) -> np.ndarray:
    """Excel serial days as a workbook stores them (6 decimals, not exact)."""
    return np.round(((ts - pd.Timestamp("1899-12-30")) / pd.Timedelta("1D")).to_numpy(), 6)


def _workbook(tmp_path, name: str, serial: np.ndarray, n: int):
    pytest.importorskip("openpyxl")
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"Ref": np.arange(n), name: serial,
                       "Lat": 53.48 + rng.normal(0, 0.01, n),
                       "Long": -2.24 + rng.normal(0, 0.01, n)})
    path = tmp_path / "export.xlsx"
    df.to_excel(path, index=False)
    return path


def test_excel_serial_dates_survive_a_placeholder_and_read_to_the_second(tmp_path):
    n = 60
    when = pd.Series(pd.Timestamp("2023-03-01 18:59") + pd.to_timedelta(np.arange(n), "h"))
    serial = _serial(when)
    serial[0] = 1.0  # Excel's 1900-01-01 placeholder
    path = _workbook(tmp_path, "Reported", serial, n)
    inc = _read(path, tz="Europe/London")
    rep = hs.ingest_report(inc)
    assert rep.detected["datetime"] == "Reported"
    assert rep.rows_read == rep.rows_kept + sum(rep.dropped.values())
    assert rep.dropped.get("implausible_date") == 1
    got = inc["occurred_at"].dt.tz_localize(None).reset_index(drop=True)
    want = when.iloc[1:].reset_index(drop=True)
    assert (got == want).all()  # 18:59:00, not 18:58:59.981


def test_excel_serial_dates_in_a_column_named_by_datetime(tmp_path):
    n = 40
    when = pd.Series(pd.Timestamp("2022-06-01 07:30") + pd.to_timedelta(np.arange(n) * 25, "h"))
    path = _workbook(tmp_path, "Logged", _serial(when), n)
    inc = _read(path, datetime="Logged", tz="Europe/London")
    assert inc["occurred_at"].dt.tz_localize(None).reset_index(drop=True).equals(
        when.astype(inc["occurred_at"].dt.tz_localize(None).dtype))


def test_excel_ids_are_not_read_as_serial_dates(tmp_path):
    n = 30
    when = pd.Series(pd.Timestamp("2022-06-01 07:30") + pd.to_timedelta(np.arange(n) * 25, "h"))
    pytest.importorskip("openpyxl")
    df = pd.DataFrame({"Report No": 40_000 + np.arange(n), "Date": _serial(when),
                       "Lat": 53.48 + np.arange(n) * 1e-3, "Long": -2.24 + np.arange(n) * 1e-3})
    path = tmp_path / "ids.xlsx"
    df.to_excel(path, index=False)
    inc = _read(path, tz="Europe/London")
    assert pd.api.types.is_integer_dtype(inc["Report No"])
    assert hs.ingest_report(inc).detected["datetime"] == "Date"
