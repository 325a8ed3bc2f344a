"""lendrisk.export: the one CSV writer (ISO dates, cents, integers, ratios as fractions)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from lendrisk import export


def test_declared_kinds() -> None:
    frame = pd.DataFrame(
        {
            "loan": ["L1", "L2"],
            "exposure": [12624.720024804992, 100.0],
            "pd": [0.9337913025424506, np.nan],
            "dpd": [16.0, 0.0],
            "invested_on": [dt.date(2020, 1, 4), None],
        }
    )
    kinds = {"exposure": "money", "pd": "pct", "dpd": "int", "invested_on": "date"}
    text = export.csv_bytes(frame, kinds).decode("utf-8-sig")
    assert text.splitlines() == [
        "loan,exposure,pd,dpd,invested_on",
        "L1,12624.72,0.933791,16,2020-01-04",
        "L2,100.00,,0,",
    ]


def test_inferred_kinds() -> None:
    frame = pd.DataFrame(
        {
            "month_end": pd.to_datetime(["2024-01-31", "2024-02-29"]),
            "loans": [40000.0, 3.0],
            "rate": [0.1, 1 / 3],
            "label": ["a", "b"],
        }
    )
    assert export.csv_bytes(frame).decode("utf-8-sig").splitlines() == [
        "month_end,loans,rate,label",
        "2024-01-31,40000,0.1,a",
        "2024-02-29,3,0.333333,b",
    ]


def test_bom_for_excel() -> None:
    assert export.csv_bytes(pd.DataFrame({"状态": ["正常"]})).startswith(b"\xef\xbb\xbf")


def test_mixed_kinds_in_one_column() -> None:
    values = pd.Series([1481234567.891, 40000.0, 0.123456789, np.nan])
    kinds = pd.Series(["money", "int", "pct", "money"])
    assert export.mixed(values, kinds).tolist() == ["1481234567.89", "40000", "0.123457", ""]


def test_the_kept_download_is_the_file_of_exactly_this_frame() -> None:
    """The download cache (ui.kit) is keyed by the whole frame: one changed cent is another file."""
    from lendrisk.ui import kit

    one = pd.DataFrame({"loan_id": ["L1", "L2"], "amount": [100.0, 250.5]})
    other = one.assign(amount=[100.0, 250.51])
    kinds = (("amount", "money"),)
    assert kit._csv_bytes(one, kinds) == export.csv_bytes(one, dict(kinds))
    assert kit._csv_bytes(other, kinds) == export.csv_bytes(other, dict(kinds))
    assert kit._csv_bytes(one, kinds) != kit._csv_bytes(other, kinds)
    assert kit.CACHED_CSV_ROWS <= 50_000  # Streamlit samples the rows of larger frames when hashing
