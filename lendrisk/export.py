"""The one CSV writer of every download: machine-readable values whatever the interface language.

Dates are ISO (2024-03-31), amounts have exactly two decimals (rounded to cents), counts and
whole-valued float columns are integers, ratios stay fractions (0.1234 = 12.34 %) rounded to six
decimals, missing values are empty. Encoding UTF-8 with BOM so Excel opens Chinese text correctly.
Column kinds are those of ui.table: "money", "signed", "number" (two decimals), "int", "pct",
"date", "month", "text"; columns without a kind are inferred from their values.

Spreadsheet formula injection (OWASP "CSV injection"): a text cell that starts with = + - @, a tab or
a carriage return is run as a formula by Excel, LibreOffice and Google Sheets when the file is
opened. Every such cell (and header) that is not a plain number is written with a leading
apostrophe, which spreadsheets show as text; "-2400.00" stays a number. Lines end in CRLF (RFC 4180),
so a cell holding a CR or LF is quoted and stays one cell. The same rule covers every Excel row
(excel_row).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

CENTS = {"money", "signed", "number"}
FORMULA_START: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")
RATIO_DECIMALS = 6


def _iso(v: object) -> str:
    """A date or timestamp as YYYY-MM-DD (a timestamp with a time of day keeps it); missing -> ""."""
    if v is None or v is pd.NaT or (isinstance(v, float) and np.isnan(v)):
        return ""
    if isinstance(v, pd.Timestamp | dt.datetime):
        ts = pd.Timestamp(v)
        return ts.date().isoformat() if ts == ts.normalize() else ts.isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


def _cents(s: pd.Series) -> pd.Series:
    """Amounts as text with exactly two decimals ("1234.50"); missing -> ""."""
    values = pd.to_numeric(s, errors="coerce").astype("float64")
    return pd.Series([f"{v:.2f}" if np.isfinite(v) else "" for v in values.round(2)], index=s.index)


def _whole(s: pd.Series) -> pd.Series:
    """Whole numbers as integers (nullable, so missing stays empty)."""
    return pd.to_numeric(s, errors="coerce").round().astype("Int64")


def _is_dates(s: pd.Series) -> bool:
    """Whether a column holds dates (datetime dtype, or Python dates in an object column)."""
    if pd.api.types.is_datetime64_any_dtype(s):
        return True
    if s.dtype != object:
        return False
    present = s.dropna()
    return not present.empty and all(isinstance(v, dt.date) for v in present)


def _inferred(s: pd.Series) -> pd.Series:
    """A column without a declared kind: dates ISO, whole floats integers, other floats 6 decimals."""
    if _is_dates(s):
        return s.map(_iso)
    if pd.api.types.is_bool_dtype(s) or not pd.api.types.is_numeric_dtype(s):
        return s
    if pd.api.types.is_integer_dtype(s):
        return s
    values = s.astype("float64")
    finite = values[np.isfinite(values)]
    if (finite == finite.round()).all():
        return _whole(values)
    return values.round(RATIO_DECIMALS)


def column(s: pd.Series, kind: str | None) -> pd.Series:
    """One column as written to CSV (see the module docstring for each kind)."""
    if kind in CENTS:
        return _cents(s)
    if kind == "int":
        return _whole(s)
    if kind == "pct":
        return pd.to_numeric(s, errors="coerce").astype("float64").round(RATIO_DECIMALS)
    if kind in ("date", "month"):
        return s.map(_iso)
    if kind == "text":
        return s
    return _inferred(s)


def csv_frame(df: pd.DataFrame, kinds: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The frame with every column converted for CSV (kinds: column -> kind; others inferred)."""
    kinds = kinds or {}
    return pd.DataFrame({c: column(df[c], kinds.get(c)) for c in df.columns}, index=df.index)


def neutralise(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula, prefixed with an apostrophe; else value."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of a frame whose text cells and headers are neutralised (numbers, dates untouched)."""
    out = df.rename(columns=lambda c: neutralise(c) if isinstance(c, str) else c)
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_object_dtype(s.dtype) or pd.api.types.is_string_dtype(s.dtype):
            out[col] = s.map(neutralise, na_action="ignore")
    return out


def csv_bytes(df: pd.DataFrame, kinds: Mapping[str, str] | None = None) -> bytes:
    """The CSV file of a frame: header row, converted values, formula cells neutralised, UTF-8 with
    BOM, CRLF line ends, no index."""
    frame = neutralise_frame(csv_frame(df, kinds))
    return frame.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def excel_row(values: list[Any]) -> list[Any]:
    """One worksheet row with its text cells neutralised (openpyxl stores "=..." as a formula)."""
    return [neutralise(v) for v in values]


def mixed(values: pd.Series, kinds: pd.Series) -> pd.Series:
    """One column whose rows have different kinds (e.g. a report's amounts, counts and rates), as text."""
    cells = [column(pd.Series([v]), k).astype(str).iloc[0] for v, k in zip(values, kinds, strict=True)]
    return pd.Series(cells, index=values.index).replace({"<NA>": "", "nan": ""})
