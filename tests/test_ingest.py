"""Validated import and export (docs/design.md §2): every broken rule is named with file, spreadsheet row
(header = row 1, first data row = row 2), column and value, and a rejected import leaves the store
file byte-identical.

The base store is the tiny platform (tests/tiny.py); bad inputs are its exported CSVs, edited. Rows of
the exported files: loans L1 2, L2 3, L3 4; schedule L1 #1-3 rows 2-4, L2 #1-6 rows 5-10, L3 #1-3 rows
11-13; repayments in date order per loan (L1 rows 2-5, L2 6-8, L3 9-11); holdings H1..H5 rows 2-6.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from tiny import OBSERVED_TO, tiny_tables

from lendrisk import store
from lendrisk.ingest import (
    ADAPTERS,
    MAX_PROBLEMS,
    Problem,
    ValidationFailed,
    export_store,
    import_paths,
    import_tables,
    read_files,
    validate,
)
from lendrisk.ingest.validate import KEYS, SPECS, Column, rule_text

ARGON2 = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"
Maker = Callable[[Path, Path], list[Path]]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store file of the tiny platform, built once (tests work on copies)."""
    db = tmp_path_factory.mktemp("template") / "lendrisk.duckdb"
    store.build_store(db, tiny_tables(), source="tiny", observed_to=OBSERVED_TO)
    return db


@pytest.fixture
def base(template: Path, tmp_path: Path) -> Path:
    """A fresh copy of the tiny platform's store file."""
    db = tmp_path / "store" / "lendrisk.duckdb"
    db.parent.mkdir()
    shutil.copyfile(template, db)
    return db


@pytest.fixture(scope="module")
def exported(template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny store exported as canonical CSV files (read only: edits are written elsewhere)."""
    folder = tmp_path_factory.mktemp("export")
    export_store(template, folder)
    return folder


def digest(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def cells(folder: Path, table: str) -> pd.DataFrame:
    """An exported CSV as text cells."""
    return pd.read_csv(folder / f"{table}.csv", dtype=str, keep_default_na=False)


def write(folder: Path, name: str, frame: pd.DataFrame, encoding: str = "utf-8") -> Path:
    """A frame of text cells as a CSV file."""
    folder.mkdir(parents=True, exist_ok=True)
    frame.to_csv(folder / name, index=False, encoding=encoding)
    return folder / name


def put(row: int, column: str, value: str) -> Callable[[pd.DataFrame], pd.DataFrame]:
    """An edit setting one cell, addressed by spreadsheet row (first data row = 2)."""

    def apply(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.copy()
        frame.loc[row - 2, column] = value
        return frame

    return apply


def edit(table: str, change: Callable[[pd.DataFrame], pd.DataFrame]) -> Maker:
    """Input: the exported <table>.csv with a change."""
    return lambda exported, out: [write(out, f"{table}.csv", change(cells(exported, table)))]


def rows(table: str, records: list[list[str]]) -> Maker:
    """Input: a <table>.csv with the exported header and only the given rows."""

    def make(exported: Path, out: Path) -> list[Path]:
        columns = list(cells(exported, table).columns)
        return [write(out, f"{table}.csv", pd.DataFrame(records, columns=columns))]

    return make


def raw(name: str, data: bytes) -> Maker:
    """Input: a file with the given bytes."""

    def make(exported: Path, out: Path) -> list[Path]:
        out.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(data)
        return [out / name]

    return make


def append_row(row: list[str]) -> Callable[[pd.DataFrame], pd.DataFrame]:
    """An edit adding one row at the end."""
    return lambda frame: pd.concat([frame, pd.DataFrame([row], columns=frame.columns)], ignore_index=True)


LOAN_L1 = ["L1", "B1", "personal", "platform", "A", "education", "2024-01-15", "1200.00", "0.12", "3"]
LOAN_L1 += ["equal_principal", "none", "true"]
LOAN_L4 = ["L4", "B1", *LOAN_L1[2:6], "2024-05-10", "1000.00", "0.12", "2", "equal_principal", "none", "true"]

# id, input, mode, expected problem (file, row, column, rule fragment, value)
BAD_INPUTS: list[tuple[str, Maker, str, tuple[str, int | None, str | None, str, str | None]]] = [
    (
        "principal_not_a_number",
        edit("loans", put(3, "principal", "abc")),
        "replace",
        ("loans.csv", 3, "principal", "must be a number", "abc"),
    ),
    (
        "negative_principal",
        edit("loans", put(3, "principal", "-5")),
        "replace",
        ("loans.csv", 3, "principal", "must be > 0", "-5"),
    ),
    (
        "unknown_product",
        edit("loans", put(2, "product", "mortgage")),
        "replace",
        ("loans.csv", 2, "product", "unknown code (allowed: personal, consumer, small_business)", "mortgage"),
    ),
    (
        "duplicate_loan_id_in_file",
        edit("loans", append_row(LOAN_L1)),
        "replace",
        ("loans.csv", 5, "loan_id", "duplicate key, first in row 2", "L1"),
    ),
    (
        "duplicate_loan_id_against_store_in_append_mode",
        rows("loans", [LOAN_L1]),
        "append",
        ("loans.csv", 2, "loan_id", "duplicate key, already in the store", "L1"),
    ),
    (
        "orphan_holding",
        edit("holdings", put(6, "loan_id", "L9")),
        "replace",
        ("holdings.csv", 6, "loan_id", "no such loan_id in loans", "L9"),
    ),
    (
        "orphan_borrower_of_loan",
        edit("loans", put(2, "borrower_id", "B9")),
        "replace",
        ("loans.csv", 2, "borrower_id", "no such borrower_id in borrowers", "B9"),
    ),
    (
        "holdings_above_principal",
        edit("holdings", put(3, "amount", "700.00")),
        "replace",
        (
            "holdings.csv",
            3,
            "amount",
            "Σ holdings amount of loan L1 is 1,300.00, above its principal 1,200.00",
            "700",
        ),
    ),
    (
        "schedule_not_summing_to_principal",
        edit("schedule", put(4, "principal_due", "300.00")),
        "replace",
        (
            "schedule.csv",
            2,
            "principal_due",
            "Σ principal_due of loan L1 must equal its principal 1,200.00",
            "1,100.00",
        ),
    ),
    (
        "due_dates_not_increasing",
        edit("schedule", put(3, "due_on", "2024-02-10")),
        "replace",
        (
            "schedule.csv",
            3,
            "due_on",
            "must be after the previous installment's due_on 2024-02-15",
            "2024-02-10",
        ),
    ),
    (
        "payment_before_origination",
        edit("repayments", put(2, "paid_on", "2024-01-01")),
        "replace",
        ("repayments.csv", 2, "paid_on", "is before the loan's origination on 2024-01-15", "2024-01-01"),
    ),
    (
        "principal_repaid_twice",
        edit("repayments", put(5, "principal_paid", "500.00")),
        "replace",
        (
            "repayments.csv",
            5,
            "principal_paid",
            "Σ principal_paid by borrower and collection of loan L1 is 1,300.00, above its principal",
            "500",
        ),
    ),
    (
        "event_before_origination",
        edit("loan_events", put(2, "event_on", "2024-01-01")),
        "replace",
        ("loan_events.csv", 2, "event_on", "is before the loan's origination on 2024-01-15", "2024-01-01"),
    ),
    (
        "unknown_repayment_source",
        edit("repayments", put(3, "source", "bank")),
        "replace",
        ("repayments.csv", 3, "source", "unknown code (allowed: borrower, guarantor, collection)", "bank"),
    ),
    (
        "missing_required_column",
        edit("loans", lambda f: f.drop(columns="grade")),
        "replace",
        ("loans.csv", None, "grade", "required column missing", None),
    ),
    (
        "required_value_missing",
        edit("borrowers", put(3, "credit_score", "")),
        "replace",
        ("borrowers.csv", 3, "credit_score", "required value missing", None),
    ),
    (
        "empty_file",
        raw("loans.csv", b""),
        "replace",
        ("loans.csv", None, None, "file is empty", None),
    ),
    (
        "unknown_table_file_name",
        raw("loan.csv", b"loan_id\nL1\n"),
        "append",
        ("loan.csv", None, None, "unknown table name (expected one of: borrowers, loans,", "loan"),
    ),
    (
        "unsupported_file_type",
        raw("loans.xlsx", b"PK"),
        "append",
        ("loans.xlsx", None, None, "unsupported file type", "loans.xlsx"),
    ),
    (
        "ragged_csv",
        raw("macro.csv", b"month_end,gdp_growth\n2024-01-31,0.05,0.07,0.09\n2024-02-29,0.05\n"),
        "replace",
        ("macro.csv", None, None, "unreadable CSV", None),
    ),
    (
        "impossible_date",
        edit("loans", put(4, "originated_on", "2024-02-30")),
        "replace",
        ("loans.csv", 4, "originated_on", "must be a date YYYY-MM-DD", "2024-02-30"),
    ),
    (
        "bad_boolean",
        edit("borrowers", put(4, "income_verified", "maybe")),
        "replace",
        ("borrowers.csv", 4, "income_verified", "must be true/false, 1/0 or yes/no", "maybe"),
    ),
    (
        "amount_with_three_decimals",
        edit("schedule", put(2, "interest_due", "12.345")),
        "replace",
        ("schedule.csv", 2, "interest_due", "must have at most 2 decimals", "12.345"),
    ),
    (
        "rate_of_120_percent",
        edit("loans", put(2, "annual_rate", "1.2")),
        "replace",
        ("loans.csv", 2, "annual_rate", "must be >= 0 and < 1", "1.2"),
    ),
    (
        "term_of_zero_months",
        edit("loans", put(2, "term_months", "0")),
        "replace",
        ("loans.csv", 2, "term_months", "must be between 1 and 120", "0"),
    ),
    (
        "fractional_term",
        edit("loans", put(2, "term_months", "2.5")),
        "replace",
        ("loans.csv", 2, "term_months", "must be a whole number", "2.5"),
    ),
    (
        "credit_score_below_300",
        edit("borrowers", put(2, "credit_score", "250")),
        "replace",
        ("borrowers.csv", 2, "credit_score", "must be between 300 and 900", "250"),
    ),
    (
        "macro_date_not_a_month_end",
        edit("macro", put(2, "month_end", "2024-01-30")),
        "replace",
        ("macro.csv", 2, "month_end", "must be the last day of a month", "2024-01-30"),
    ),
    (
        "user_of_unknown_investor",
        rows("users", [["alice", ARGON2, "investor", "I9"]]),
        "append",
        ("users.csv", 2, "investor_id", "no such investor_id in investors", "I9"),
    ),
    (
        "investor_user_without_investor_id",
        rows("users", [["alice", ARGON2, "investor", ""]]),
        "append",
        ("users.csv", 2, "investor_id", "required for role investor", None),
    ),
    (
        "plain_text_password",
        rows("users", [["bob", "hunter2", "manager", ""]]),
        "append",
        ("users.csv", 2, "password_hash", "must be an argon2 or bcrypt hash", None),
    ),
    (
        "loan_without_schedule",
        rows("loans", [LOAN_L4]),
        "append",
        ("loans.csv", 2, "loan_id", "loan has no schedule", "L4"),
    ),
]


def data_files(db: Path) -> list[Path]:
    """The files beside a store apart from its writer lock (which stays, empty, once created)."""
    return sorted(p for p in db.parent.iterdir() if p.suffix != ".lock")


@pytest.fixture(scope="module")
def rejected(template: Path, exported: Path, tmp_path_factory: pytest.TempPathFactory):
    """The import of a BAD_INPUTS case into a fresh copy of the tiny store, run once per case and kept:
    case id -> (the ValidationFailed raised, whether the store's files were left byte-identical)."""
    outcomes: dict[str, tuple[ValidationFailed, bool]] = {}

    def attempt(case: str) -> tuple[ValidationFailed, bool]:
        if case not in outcomes:
            maker, mode, _ = next(c[1:] for c in BAD_INPUTS if c[0] == case)
            folder = tmp_path_factory.mktemp(case)
            base = folder / "store" / "lendrisk.duckdb"
            base.parent.mkdir()
            shutil.copyfile(template, base)
            paths = maker(exported, folder / "bad")
            before, listing = digest(base), data_files(base)
            with pytest.raises(ValidationFailed) as failed:
                import_paths(base, paths, mode=mode)
            # byte-identical, and no .prev or half-built file beside it
            outcomes[case] = failed.value, digest(base) == before and data_files(base) == listing
        return outcomes[case]

    return attempt


@pytest.mark.parametrize(
    ("case", "expected"), [(c[0], c[3]) for c in BAD_INPUTS], ids=[c[0] for c in BAD_INPUTS]
)
def test_bad_input_is_reported_and_leaves_the_store_byte_identical(
    rejected, case: str, expected: tuple
) -> None:
    failed, unchanged = rejected(case)
    assert unchanged
    file, row, column, rule, value = expected
    found = [
        p for p in failed.problems if (p.file, p.row, p.column) == (file, row, column) and rule in p.rule
    ]
    assert found, str(failed)
    assert found[0].value == value


# id of a BAD_INPUTS case, its problem's rule code and fields, and the rule in Chinese
CODED: list[tuple[str, str, dict[str, str | int], str]] = [
    ("impossible_date", "not_a_date", {}, "必须是日期 YYYY-MM-DD"),
    (
        "unknown_product",
        "unknown_code",
        {"allowed": "personal, consumer, small_business"},
        "未知代码（允许：personal, consumer, small_business）",
    ),
    ("duplicate_loan_id_in_file", "duplicate_key_row", {"row": 2}, "重复的键，首次出现在第 2 行"),
    ("duplicate_loan_id_against_store_in_append_mode", "duplicate_key_store", {}, "重复的键，数据库中已存在"),
    ("orphan_holding", "no_such_key", {"column": "loan_id", "table": "loans"}, "loans 中没有此 loan_id"),
    (
        "holdings_above_principal",
        "over_principal",
        {"what": "holdings_amount", "loan": "L1", "total": "1,300.00", "principal": "1,200.00"},
        "贷款 L1 的出借人持有金额合计 1,300.00，超过其本金 1,200.00",
    ),
    ("rate_of_120_percent", "range_ge_lt", {"low": "0", "high": "1"}, "必须 >= 0 且 < 1"),
    ("term_of_zero_months", "range_between", {"low": "1", "high": "120"}, "必须介于 1 和 120 之间"),
    (
        "due_dates_not_increasing",
        "due_not_after_previous",
        {"previous": "2024-02-15"},
        "必须晚于上一期的 due_on 2024-02-15",
    ),
    ("missing_required_column", "column_missing", {}, "缺少必需的列"),
    ("empty_file", "empty_file", {}, "文件为空（应有一行列名作为表头）"),
]


@pytest.mark.parametrize(("case", "code", "fields", "zh"), CODED, ids=[c[0] for c in CODED])
def test_problem_has_a_code_fields_and_its_chinese_text(
    rejected, case: str, code: str, fields: dict, zh: str
) -> None:
    file, row, column, english, _ = next(c[3] for c in BAD_INPUTS if c[0] == case)
    failed, _ = rejected(case)
    problem = next(p for p in failed.problems if (p.file, p.row, p.column) == (file, row, column))
    assert (problem.code, problem.fields) == (code, fields)
    assert english in problem.rule and problem.rule_in("en") == problem.rule
    assert problem.rule_in("zh") == zh
    assert problem.file_in("zh") == file


def test_guarantor_sum_and_rows_already_in_the_store_read_in_chinese(
    base: Path, exported: Path, tmp_path: Path
) -> None:
    tables = tiny_tables()
    tables["repayments"].loc[8, "principal_paid"] = 3100.0  # L3's guarantor buy-out above its 3,000
    (problem,) = validate(tables)
    assert problem.code == "over_principal"
    assert problem.fields == {
        "what": "principal_paid_guarantor",
        "loan": "L3",
        "total": "3,100.00",
        "principal": "3,000.00",
    }
    assert problem.rule_in("zh") == "贷款 L3 的担保方已还本金合计 3,100.00，超过其本金 3,000.00"
    loans = cells(exported, "loans").head(2)  # drop L3: its holdings H4, H5 stay in the store
    with pytest.raises(ValidationFailed) as failed:
        import_paths(base, [write(tmp_path / "in", "loans.csv", loans)], mode="replace")
    holding = next(p for p in failed.value.problems if p.store_table == "holdings")
    assert holding.file == "holdings (already in the store)"
    assert holding.file_in("zh") == "holdings（数据库中已有的行）"
    assert holding.rule_in("zh") == "loans 中没有此 loan_id"


# range (low, high, low_open, high_open) -> rule code and its English and Chinese text
RANGES = [
    ((0, None, False, False), "range_ge", "must be >= 0", "必须 >= 0"),
    ((0, None, True, False), "range_gt", "must be > 0", "必须 > 0"),
    ((None, 1, False, False), "range_le", "must be <= 1", "必须 <= 1"),
    ((None, 1, False, True), "range_lt", "must be < 1", "必须 < 1"),
    ((300, 900, False, False), "range_between", "must be between 300 and 900", "必须介于 300 和 900 之间"),
    ((0, 1, False, True), "range_ge_lt", "must be >= 0 and < 1", "必须 >= 0 且 < 1"),
    ((0, 1, True, False), "range_gt_le", "must be > 0 and <= 1", "必须 > 0 且 <= 1"),
    ((0, 1, True, True), "range_gt_lt", "must be > 0 and < 1", "必须 > 0 且 < 1"),
]


@pytest.mark.parametrize(("limits", "code", "en", "zh"), RANGES, ids=[r[1] for r in RANGES])
def test_every_kind_of_range_has_a_rule_in_both_languages(limits: tuple, code: str, en: str, zh: str) -> None:
    low, high, low_open, high_open = limits
    found, fields = Column(
        "x", "float", low=low, high=high, low_open=low_open, high_open=high_open
    ).range_rule()
    assert found == code
    assert (rule_text(code, fields, "en"), rule_text(code, fields, "zh")) == (en, zh)


def test_problem_reads_file_row_column_rule_and_value(base: Path, exported: Path, tmp_path: Path) -> None:
    paths = edit("loans", put(3, "principal", "-5"))(exported, tmp_path / "bad")
    with pytest.raises(ValidationFailed) as failed:
        import_paths(base, paths, mode="replace")
    lines = str(failed.value).splitlines()
    assert "loans.csv row 3, column principal: must be > 0 (got '-5')" in [line.strip() for line in lines]
    assert str(Problem("loans.csv", None, "grade", "required column missing", None)) == (
        "loans.csv, column grade: required column missing"
    )


def test_every_bad_row_is_listed(base: Path, exported: Path, tmp_path: Path) -> None:
    change = lambda f: put(3, "principal", "-5")(put(2, "grade", "Z")(f))  # noqa: E731
    paths = edit("loans", change)(exported, tmp_path / "bad")
    with pytest.raises(ValidationFailed) as failed:
        import_paths(base, paths, mode="replace")
    cells_reported = {(p.row, p.column) for p in failed.value.problems if p.file == "loans.csv"}
    assert {(2, "grade"), (3, "principal")} <= cells_reported


def test_two_bad_cells_in_one_column_give_two_problems() -> None:
    tables = tiny_tables()
    tables["borrowers"].loc[[0, 2], "credit_score"] = [100, 1000]
    problems = validate(tables, {"borrowers": "borrowers.csv"})
    assert [(p.file, p.row, p.column, p.value) for p in problems] == [
        ("borrowers.csv", 2, "credit_score", "100"),
        ("borrowers.csv", 4, "credit_score", "1000"),
    ]
    assert problems.total == 2


def test_problems_beyond_the_cap_are_counted(base: Path, exported: Path, tmp_path: Path) -> None:
    loans = cells(exported, "loans")
    huge = pd.concat([loans] * 2000, ignore_index=True)
    huge["loan_id"] = [f"X{i}" for i in range(len(huge))]
    huge["principal"] = "-1"
    path = write(tmp_path / "bad", "loans.csv", huge)
    before = digest(base)
    with pytest.raises(ValidationFailed) as failed:
        import_paths(base, [path], mode="append")
    assert digest(base) == before
    assert len(failed.value.problems) == MAX_PROBLEMS
    # 6,000 negative principals, 6,000 loans without a schedule
    assert failed.value.total == 12_000
    assert str(failed.value).endswith(f"... and {12_000 - MAX_PROBLEMS} more")


def test_validate_of_the_tiny_platform_finds_nothing() -> None:
    assert validate(tiny_tables()) == []


def test_guarantor_buy_out_then_recovery_is_not_double_principal() -> None:
    # L3: borrower 1,000 + guarantor 2,000 + collection 300; the borrower's side (1,300) stays within 3,000.
    tables = tiny_tables()
    tables["repayments"].loc[8, "principal_paid"] = 3100.0  # guarantor pays more than the principal
    problems = validate(tables)
    assert [(p.row, p.column, p.value) for p in problems] == [(10, "principal_paid", "3100")]
    assert "Σ principal_paid by guarantor of loan L3 is 3,100.00" in problems[0].rule


def test_read_files_rejects_bad_types_with_all_files_listed(exported: Path, tmp_path: Path) -> None:
    loans = edit("loans", put(2, "originated_on", "15/01/2024"))(exported, tmp_path / "bad")
    borrowers = edit("borrowers", put(2, "birth_year", "nineteen"))(exported, tmp_path / "bad")
    with pytest.raises(ValidationFailed) as failed:
        read_files(loans + borrowers)
    assert {(p.file, p.row, p.column) for p in failed.value.problems} == {
        ("loans.csv", 2, "originated_on"),
        ("borrowers.csv", 2, "birth_year"),
    }


def test_read_files_types_columns_and_numbers_rows_like_a_spreadsheet(exported: Path) -> None:
    tables = read_files([exported / "loans.csv", exported / "schedule.csv"])
    loans = tables["loans"]
    assert list(loans.index) == [2, 3, 4]
    assert loans.loc[3, "principal"] == 2400.0
    assert loans.loc[2, "originated_on"] == pd.Timestamp("2024-01-15")
    assert loans.loc[4, "term_months"] == 3
    assert bool(loans.loc[2, "meets_policy"]) is True
    assert tables["schedule"].loc[13, "interest_due"] == 10.0


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig", "utf-8"])
def test_chinese_csv_in_gbk_or_with_a_bom_reads_the_same(
    base: Path, exported: Path, tmp_path: Path, encoding: str
) -> None:
    borrowers = cells(exported, "borrowers")
    borrowers["region"] = ["北京市", "上海市", "广东省"]
    path = write(tmp_path / encoding, "borrowers.csv", borrowers, encoding=encoding)
    assert read_files([path])["borrowers"]["region"].tolist() == ["北京市", "上海市", "广东省"]
    import_paths(base, [path], mode="replace")
    assert store.read_tables(base)["borrowers"]["region"].tolist() == ["北京市", "上海市", "广东省"]


def test_slashed_dates_gzip_and_parquet_files_are_read(exported: Path, tmp_path: Path) -> None:
    loans = cells(exported, "loans")
    loans["originated_on"] = ["2024/01/15", "2024/2/1", "2024-01-10"]
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "loans.csv.gz").write_bytes(gzip.compress(loans.to_csv(index=False).encode("gbk")))
    read_files([exported / "schedule.csv"])["schedule"].to_parquet(folder / "schedule.parquet")
    tables = read_files([folder / "loans.csv.gz", folder / "schedule.parquet"])
    assert tables["loans"]["originated_on"].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-01-15",
        "2024-02-01",
        "2024-01-10",
    ]
    assert tables["schedule"]["principal_due"].sum() == 6600.0


def test_unknown_columns_are_ignored_with_a_warning(base: Path, exported: Path, tmp_path: Path) -> None:
    macro = cells(exported, "macro").assign(cpi="2.1")
    report = import_paths(base, [write(tmp_path / "in", "macro.csv", macro)], mode="replace")
    assert [str(w) for w in report.warnings] == ["macro.csv: ignored unknown columns cpi"]
    assert [w.rule_in("zh") for w in report.warnings] == ["已忽略未知列：cpi"]
    assert "cpi" not in store.read_tables(base, ("macro",))["macro"].columns


def test_good_append_adds_rows_and_rebuilds_loan_month(base: Path, exported: Path, tmp_path: Path) -> None:
    # L4: 1,000 at 12 % for 2 months from 2024-05-10; schedule 06-10 500+10, 07-10 500+5; paid on time.
    out = tmp_path / "new"
    paths = [
        *rows("borrowers", [["B4", "Hubei", "1992", "80000.00", "yes", "salaried", "700"]])(exported, out),
        *rows("loans", [LOAN_L4])(exported, out),
        *rows(
            "schedule",
            [["L4", "1", "2024-06-10", "500.00", "10.00"], ["L4", "2", "2024-07-10", "500", "5"]],
        )(exported, out),
        *rows(
            "repayments",
            [
                ["L4", "2024-06-10", "500.00", "10.00", "0.00", "borrower"],
                ["L4", "2024-07-10", "500.00", "5.00", "", "borrower"],
            ],
        )(exported, out),
        *rows("holdings", [["H6", "I2", "L4", "1000.00", "2024-05-10"]])(exported, out),
    ]
    report = import_paths(base, paths, mode="append")
    assert report.added == {"borrowers": 1, "loans": 1, "schedule": 2, "repayments": 2, "holdings": 1}
    assert report.files == ["borrowers.csv", "loans.csv", "schedule.csv", "repayments.csv", "holdings.csv"]
    assert report.totals["loans"] == 4 and report.totals["schedule"] == 14 and report.totals["holdings"] == 6
    # the store's observation end stays: the new dates (up to 2024-07-10) do not reach past it
    assert report.observed_to == OBSERVED_TO
    assert (base.parent / (base.name + ".prev")).exists()
    con = store.connect(base)
    try:
        tape = con.execute(
            "select month_end, state, outstanding_principal::double from loan_month "
            "where loan_id = 'L4' order by month_end"
        ).fetchall()
        income_verified = con.execute(
            "select income_verified from borrowers where borrower_id = 'B4'"
        ).fetchone()
    finally:
        con.close()
    assert tape == [
        (dt.date(2024, 5, 31), "current", 1000.0),
        (dt.date(2024, 6, 30), "current", 500.0),
        (dt.date(2024, 7, 31), "paid_off", 0.0),
    ]
    assert income_verified == (True,)


def test_replace_swaps_only_the_named_tables(base: Path, exported: Path, tmp_path: Path) -> None:
    macro = cells(exported, "macro").head(3)
    report = import_paths(base, [write(tmp_path / "in", "macro.csv", macro)], mode="replace")
    assert report.added == {"macro": 3}
    assert report.totals["macro"] == 3 and report.totals["loans"] == 3 and report.totals["reserve_fund"] == 12


def test_replacing_users_keeps_the_observation_end(base: Path, exported: Path, tmp_path: Path) -> None:
    users = rows("users", [["ann", ARGON2, "investor", "I1"], ["max", "$2b$12$abc", "manager", ""]])
    report = import_paths(base, users(exported, tmp_path / "in"), mode="replace")
    assert report.observed_to == OBSERVED_TO  # set explicitly at build, later than the data's last month-end
    assert report.totals["users"] == 2 and report.totals["loan_month"] == store_rows(base, "loan_month")


def test_appending_later_payments_moves_the_observation_end(
    base: Path, exported: Path, tmp_path: Path
) -> None:
    late = rows("repayments", [["L2", "2025-02-03", "0.00", "0.00", "5.00", "borrower"]])
    report = import_paths(base, late(exported, tmp_path / "in"), mode="append")
    assert report.observed_to == dt.date(2025, 1, 31)


def test_replacing_loans_checks_the_rows_left_in_the_store(
    base: Path, exported: Path, tmp_path: Path
) -> None:
    loans = cells(exported, "loans").head(2)  # drop L3: its schedule, payments, events and holdings stay
    before = digest(base)
    with pytest.raises(ValidationFailed) as failed:
        import_paths(base, [write(tmp_path / "in", "loans.csv", loans)], mode="replace")
    assert digest(base) == before
    orphans = {p.file for p in failed.value.problems if p.rule == "no such loan_id in loans"}
    assert orphans == {
        f"{t} (already in the store)" for t in ("schedule", "repayments", "loan_events", "holdings")
    }


def store_rows(db: Path, table: str) -> int:
    """Rows of a table in a store file."""
    con = store.connect(db)
    try:
        return con.execute(f"select count(*) from {table}").fetchone()[0]
    finally:
        con.close()


def normalised(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Store tables sorted by key with comparable dtypes (text as object, NaN for missing)."""
    out = {}
    for table, frame in tables.items():
        frame = frame.sort_values(list(KEYS.get(table, frame.columns[:2])), ignore_index=True)
        out[table] = frame.astype({c: object for c in frame.columns if frame[c].dtype.kind in "OUT"})
    return out


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_export_then_import_reproduces_every_table(base: Path, tmp_path: Path, fmt: str) -> None:
    paths = export_store(base, tmp_path / "export", fmt=fmt)
    assert [p.name for p in paths] == [f"{t}.{fmt}" for t in store.TABLES]
    fresh = tmp_path / "fresh.duckdb"
    report = import_paths(fresh, paths)
    assert {t: report.totals[t] for t in store.TABLES} == {t: len(f) for t, f in tiny_tables().items()}
    original, copy = normalised(store.read_tables(base)), normalised(store.read_tables(fresh))
    for table in store.TABLES:
        pd.testing.assert_frame_equal(copy[table], original[table], check_dtype=False, obj=table)


def test_exported_csv_has_iso_dates_and_two_decimal_amounts(exported: Path) -> None:
    lines = (exported / "loans.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("loan_id,borrower_id,product")
    assert (
        lines[1] == "L1,B1,personal,platform,A,education,2024-01-15,1200.00,0.12,3,equal_principal,none,true"
    )


def test_import_tables_takes_typed_frames_from_adapters(tmp_path: Path) -> None:
    db = tmp_path / "adapter.duckdb"
    report = import_tables(db, tiny_tables(), source="test", observed_to=OBSERVED_TO, mode="replace")
    assert report.observed_to == OBSERVED_TO and report.totals["repayments"] == 10
    assert set(ADAPTERS) >= {"canonical"}


def test_a_failed_import_into_a_new_path_creates_no_file(exported: Path, tmp_path: Path) -> None:
    db = tmp_path / "new.duckdb"
    with pytest.raises(ValidationFailed):
        import_paths(db, [exported / "loans.csv"])  # loans without borrowers and schedules
    assert list(tmp_path.glob("new.duckdb*")) == [tmp_path / "new.duckdb.lock"]  # only the writer lock


def test_the_database_rejects_what_validation_would_have_caught() -> None:
    tables = tiny_tables()
    tables["loans"].loc[1, "principal"] = -5.0
    con = duckdb.connect()
    try:
        with pytest.raises(duckdb.ConstraintException):
            store.populate(con, tables, source="test", observed_to=OBSERVED_TO)
    finally:
        con.close()


def test_column_rules_match_the_store_schema() -> None:
    con = duckdb.connect()
    try:
        store.create_schema(con)
        for table in store.TABLES:
            assert [c.name for c in SPECS[table]] == store.columns(con, table), table
    finally:
        con.close()
