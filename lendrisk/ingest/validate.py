"""Validation rules of the canonical tables (docs/design.md §2): types, ranges, codes, keys, references, sums.

Row numbers in problems are those a spreadsheet shows: the header is row 1 and the first data row is
row 2 (Parquet files and in-memory frames are numbered the same way). Rows already in the store have
no row number; their file reads "<table> (already in the store)".

Each problem has a stable rule code and fields; its text in either language comes from the message
catalogue lendrisk/messages/ingest.json ("ingest.rule.<code>"), English included, so that `rule` (the
English text kept on the problem for the CLI) and the dashboard's translation have one source.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from lendrisk.i18n import t
from lendrisk.vocab import EVENT_KINDS, GRADES, GUARANTEES, PRODUCTS, ROLES

MAX_PROBLEMS = 200  # problems kept (and shown) per validation; the rest are only counted
ROW = "_row"  # internal column of typed frames: the source row number (NA for rows already in the store)
ROW_INDEX = "row"  # index name of frames read from files: the source row number
MONEY_TOLERANCE = 0.005  # currency units: sums that differ by less are equal
_DATE_TEXT = r"\d{4}[-/]\d{1,2}[-/]\d{1,2}"
_MIDNIGHT = r"[ T]00:00:00(?:\.0+)?$"
_NUMBER_TEXT = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
# Ids: letters, digits and . _ : + - starting with a letter or digit (nothing a spreadsheet runs as a
# formula, no markup, no path; + for Excel-mangled keys like 4.83E+22); at most 100 characters.
SAFE_ID = r"[A-Za-z0-9][A-Za-z0-9_.:+\-]{0,99}"
_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"  # control characters other than tab, LF, CR
_EXPORTED_FORMULA = r"^'(?=[=+\-@\t\r])"  # the apostrophe export.neutralise put before a text cell
# Amounts are decimal(18, 2) in the store: anything from 1e16 up does not fit.
MAX_AMOUNT = 1e16
_BOOLS = {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False}
# Rule fields whose values are themselves words: field -> message-key prefix of their texts.
WORD_FIELDS = {"what": "ingest.what."}
Fields = Mapping[str, str | int]


def rule_text(code: str, fields: Fields, lang: str = "en") -> str:
    """A rule's sentence in a language: the template "ingest.rule.<code>" filled with its fields."""
    words = {k: t(WORD_FIELDS[k] + str(v), lang) if k in WORD_FIELDS else v for k, v in fields.items()}
    return t(f"ingest.rule.{code}", lang, **words)


@dataclass(frozen=True)
class Problem:
    """One violated rule: file, spreadsheet row (header = 1), column, the rule and the offending value.

    rule is the English text; code and fields name the rule for other languages (see Problem.of).
    store_table is set for rows already in the store (file then reads "<table> (already in the store)").
    """

    file: str
    row: int | None
    column: str | None
    rule: str
    value: str | None
    code: str | None = None
    fields: Fields = field(default_factory=dict, hash=False)
    store_table: str | None = None

    @classmethod
    def of(
        cls,
        file: str,
        row: int | None,
        column: str | None,
        code: str,
        fields: Fields | None = None,
        value: str | None = None,
        *,
        in_store: bool = False,
    ) -> Problem:
        """A problem by rule code; in_store: file is the table whose rows already in the store break it."""
        fields = dict(fields or {})
        shown = t("ingest.file.in_store", "en", table=file) if in_store else file
        return cls(
            shown, row, column, rule_text(code, fields), value, code, fields, file if in_store else None
        )

    def rule_in(self, lang: str) -> str:
        """The rule in a language (a problem made without a code has only its English text)."""
        return self.rule if self.code is None else rule_text(self.code, self.fields, lang)

    def file_in(self, lang: str) -> str:
        """The file label in a language (rows already in the store: '<table> (already in the store)')."""
        return (
            self.file if self.store_table is None else t("ingest.file.in_store", lang, table=self.store_table)
        )

    def __str__(self) -> str:
        where = self.file if self.row is None else f"{self.file} row {self.row}"
        if self.column is not None:
            where += f", column {self.column}"
        text = f"{where}: {self.rule}"
        if self.value is not None:
            shown = self.value if len(self.value) <= 60 else self.value[:57] + "..."
            text += f" (got {shown!r})"
        return text


class Problems(list[Problem]):
    """The problems kept (at most MAX_PROBLEMS) with .total, the count of all problems found."""

    def __init__(self, items: Iterable[Problem] = (), total: int | None = None) -> None:
        super().__init__(items)
        self.total = len(self) if total is None else total


class ValidationFailed(Exception):
    """Input that breaks the rules; .problems lists them (capped) and .total counts them all."""

    def __init__(self, problems: Sequence[Problem], total: int | None = None) -> None:
        self.problems = list(problems)
        self.total = total if total is not None else getattr(problems, "total", len(self.problems))
        super().__init__(str(self))

    def __str__(self) -> str:
        head = f"{self.total} problem{'s' if self.total != 1 else ''} found, nothing was imported:"
        lines = [head, *(f"  {p}" for p in self.problems)]
        if self.total > len(self.problems):
            lines.append(f"  ... and {self.total - len(self.problems)} more")
        return "\n".join(lines)


@dataclass(frozen=True)
class Column:
    """A canonical column: kind (id, text, code, date, amount, float, int, bool), whether required, limits."""

    name: str
    kind: str
    required: bool = False
    codes: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    default: object = None

    def range_rule(self) -> tuple[str, dict[str, str]]:
        """The range as a rule code and fields, e.g. ('range_gt', {'low': '0'}) for 'must be > 0'."""
        lo = ("gt" if self.low_open else "ge") if self.low is not None else ""
        hi = ("lt" if self.high_open else "le") if self.high is not None else ""
        fields = {"low": f"{self.low:g}"} if lo else {}
        if hi:
            fields["high"] = f"{self.high:g}"
        code = "between" if (lo, hi) == ("ge", "le") else "_".join(p for p in (lo, hi) if p)
        return f"range_{code}", fields


def _id(name: str, required: bool = True) -> Column:
    return Column(name, "id", required)


def _amount(name: str, required: bool = True, positive: bool = False) -> Column:
    return Column(name, "amount", required, low=0, low_open=positive)


def _code(name: str, codes: tuple[str, ...], required: bool = True) -> Column:
    return Column(name, "code", required, codes=codes)


SPECS: dict[str, tuple[Column, ...]] = {
    "borrowers": (
        _id("borrower_id"),
        Column("region", "text"),
        Column("birth_year", "int", low=1900, high=2100),
        _amount("annual_income", required=False),
        Column("income_verified", "bool"),
        Column("employment", "text"),
        Column("credit_score", "int", True, low=300, high=900),
    ),
    "loans": (
        _id("loan_id"),
        _id("borrower_id"),
        _code("product", PRODUCTS),
        _code("channel", ("platform", "institution")),
        _code("grade", GRADES),
        Column("purpose", "text"),
        Column("originated_on", "date", True),
        _amount("principal", positive=True),
        Column("annual_rate", "float", True, low=0, high=1, high_open=True),
        Column("term_months", "int", True, low=1, high=120),
        _code("repayment_method", ("annuity", "equal_principal", "bullet")),
        _code("guarantee", GUARANTEES, required=False),
        Column("meets_policy", "bool", default=True),
    ),
    "schedule": (
        _id("loan_id"),
        Column("installment_no", "int", True, low=1),
        Column("due_on", "date", True),
        _amount("principal_due"),
        _amount("interest_due"),
    ),
    "repayments": (
        _id("loan_id"),
        Column("paid_on", "date", True),
        _amount("principal_paid"),
        _amount("interest_paid"),
        _amount("fee_paid", required=False),
        _code("source", ("borrower", "guarantor", "collection")),
    ),
    "loan_events": (
        _id("loan_id"),
        Column("event_on", "date", True),
        _code("kind", EVENT_KINDS),
        _amount("amount", required=False),
        Column("note", "text"),
    ),
    "investors": (
        _id("investor_id"),
        _code("segment", ("retail", "institutional")),
        Column("risk_profile", "text"),
        Column("region", "text"),
        Column("joined_on", "date"),
    ),
    "holdings": (
        _id("holding_id"),
        _id("investor_id"),
        _id("loan_id"),
        _amount("amount", positive=True),
        Column("invested_on", "date", True),
    ),
    "macro": (
        Column("month_end", "date", True),
        Column("unemployment_rate", "float"),
        Column("gdp_growth", "float"),
        Column("industry_overdue_rate", "float", low=0, high=1),
    ),
    "reserve_fund": (Column("month_end", "date", True), Column("balance", "amount", True)),
    "users": (
        _id("username"),
        Column("password_hash", "text", True),
        _code("role", ROLES),
        _id("investor_id", required=False),
    ),
}
KEYS: dict[str, tuple[str, ...]] = {
    "borrowers": ("borrower_id",),
    "loans": ("loan_id",),
    "schedule": ("loan_id", "installment_no"),
    "investors": ("investor_id",),
    "holdings": ("holding_id",),
    "macro": ("month_end",),
    "reserve_fund": ("month_end",),
    "users": ("username",),
}
# (table, column) must name an existing (parent table, parent column).
REFERENCES: tuple[tuple[str, str, str, str], ...] = (
    ("loans", "borrower_id", "borrowers", "borrower_id"),
    ("schedule", "loan_id", "loans", "loan_id"),
    ("repayments", "loan_id", "loans", "loan_id"),
    ("loan_events", "loan_id", "loans", "loan_id"),
    ("holdings", "loan_id", "loans", "loan_id"),
    ("holdings", "investor_id", "investors", "investor_id"),
    ("users", "investor_id", "investors", "investor_id"),
)
MONTH_END_TABLES = ("macro", "reserve_fund")
PASSWORD_PREFIXES = ("$argon2", "$2")


class Sink:
    """Collects problems: counts every one, keeps the first `limit` (formatting only those)."""

    def __init__(self, files: Mapping[str, str] | None = None, limit: int = MAX_PROBLEMS) -> None:
        self.files = dict(files or {})
        self.limit = limit
        self.kept: list[Problem] = []
        self.total = 0
        self.structural = False  # a table could not be checked (unknown table, missing column)

    def file(self, table: str) -> str:
        """The file name shown for a table's new rows."""
        return self.files.get(table, table)

    def add_table(
        self,
        table: str,
        column: str | None,
        code: str,
        fields: Fields | None = None,
        value: str | None = None,
    ) -> None:
        """A problem with a whole table or column (no row): rule code and its fields."""
        self.total += 1
        if len(self.kept) < self.limit:
            self.kept.append(Problem.of(self.file(table), None, column, code, fields, value))

    def add(
        self,
        table: str,
        rows: pd.Series,
        column: str | None,
        code: str | Sequence[str],
        fields: Fields | Sequence[Fields] | None = None,
        values: pd.Series | None = None,
    ) -> None:
        """Problems for the given rows (their _row numbers): rule code and fields are one for every row
        or sequences aligned with rows (at least their first `limit`); values are aligned with rows.
        """
        self.total += len(rows)
        room = self.limit - len(self.kept)
        if room <= 0 or rows.empty:
            return
        row_list = rows.iloc[:room].tolist()
        n = len(row_list)
        codes = [code] * n if isinstance(code, str) else code[:n]
        each = [fields or {}] * n if fields is None or isinstance(fields, Mapping) else fields[:n]
        vals = [None] * n if values is None else [_show(v) for v in values.iloc[:room]]
        for row, row_code, row_fields, value in zip(row_list, codes, each, vals, strict=True):
            if row is None or pd.isna(row):
                self.kept.append(Problem.of(table, None, column, row_code, row_fields, value, in_store=True))
            else:
                self.kept.append(Problem.of(self.file(table), int(row), column, row_code, row_fields, value))

    def result(self) -> Problems:
        """The kept problems with the total count."""
        return Problems(self.kept, self.total)


def _show(value: object) -> str | None:
    """A cell as text for a message (dates ISO, amounts without trailing zeros)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp | dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, float | np.floating):
        value = float(value)
        if value == round(value, 2):
            return f"{value:.2f}".rstrip("0").rstrip(".")
        return repr(value)
    return str(value)


def _money(value: float) -> str:
    return f"{value:,.2f}"


# --- types -------------------------------------------------------------------------------------------


def _text(s: pd.Series) -> pd.Series:
    """Cells as stripped text; empty cells are missing."""
    t = s.astype("str").str.strip()
    return t.mask(t == "")


def _parse(kind: str, s: pd.Series) -> tuple[pd.Series, list[tuple[np.ndarray, str]]]:
    """A column parsed to its kind's dtype, and (bad-cell mask, rule code) pairs; bad cells become missing."""
    if kind == "id":
        t = _text(s)
        return t, [
            (
                t.notna().to_numpy(dtype=bool) & ~t.str.fullmatch(SAFE_ID).fillna(True).to_numpy(bool),
                "unsafe_id",
            )
        ]
    if kind in ("text", "code"):
        t = _text(s)
        if kind == "text":
            t = t.str.replace(_EXPORTED_FORMULA, "", regex=True)
        control = t.str.contains(_CONTROL, regex=True).fillna(False).to_numpy(dtype=bool)
        return t, [(control, "control_character")]
    if kind == "date":
        return _parse_date(s)
    if kind == "bool":
        return _parse_bool(s)
    v, present = _numbers(s)
    bad = present & ~np.isfinite(v)
    problems = [(bad, "not_a_number")]
    if kind == "int":
        bad |= present & (v != np.round(v))
        problems = [(bad, "not_whole")]
        return pd.Series(np.where(bad, np.nan, np.round(v))).astype("Int64"), problems
    if kind == "amount":
        cents = np.where(bad, 0.0, v * 100)
        huge = present & ~bad & (np.abs(np.where(bad, 0.0, v)) >= MAX_AMOUNT)
        frac = present & ~bad & ~huge & (np.abs(cents - np.round(cents)) > 1e-3)
        problems += [(huge, "amount_too_large"), (frac, "too_many_decimals")]
        return pd.Series(np.where(bad | frac | huge, np.nan, np.round(v, 2))), problems
    return pd.Series(np.where(bad, np.nan, v)), problems


def _numbers(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Cells as float64 (NaN where missing or not a number) and which cells hold anything."""
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        v = s.to_numpy(dtype="float64", na_value=np.nan)
        return v, ~np.isnan(v)
    t = _text(s)
    shaped = t.str.fullmatch(_NUMBER_TEXT).to_numpy(dtype=bool, na_value=False)
    text = pa.array(t.where(shaped), type=pa.large_string(), from_pandas=True)
    v = pc.cast(text, pa.float64()).to_numpy(zero_copy_only=False)
    present = t.notna().to_numpy(dtype=bool)
    return np.where(shaped, v, np.where(present, np.inf, np.nan)), present


def _parse_date(s: pd.Series) -> tuple[pd.Series, list[tuple[np.ndarray, str]]]:
    if pd.api.types.is_datetime64_dtype(s.dtype):
        return s.dt.normalize().astype("datetime64[us]"), []
    t = _text(s).str.replace(_MIDNIGHT, "", regex=True)
    shaped = t.str.fullmatch(_DATE_TEXT).to_numpy(dtype=bool, na_value=False)
    v = pd.to_datetime(t.where(shaped).str.replace("/", "-"), format="%Y-%m-%d", errors="coerce")
    bad = t.notna().to_numpy(dtype=bool) & v.isna().to_numpy()
    return v.astype("datetime64[us]"), [(bad, "not_a_date")]


def _parse_bool(s: pd.Series) -> tuple[pd.Series, list[tuple[np.ndarray, str]]]:
    if pd.api.types.is_bool_dtype(s.dtype):
        return s.astype("boolean"), []
    t = _text(s).str.lower()
    v = t.map(_BOOLS).astype("boolean")
    bad = t.notna().to_numpy(dtype=bool) & v.isna().to_numpy(dtype=bool)
    return v, [(bad, "not_a_bool")]


def empty_table(table: str) -> pd.DataFrame:
    """A typed canonical table without rows."""
    return coerce_table(table, pd.DataFrame({c.name: pd.Series(dtype="str") for c in SPECS[table]}), None)


def coerce_table(
    table: str, frame: pd.DataFrame, sink: Sink | None, *, from_store: bool = False
) -> pd.DataFrame:
    """Parse a table (text or typed cells) to canonical dtypes with a _row column; type problems to sink.

    Rows come from the index when it is named 'row' (as read_files sets it), else 2, 3, ... in order;
    from_store marks rows already in the store (no row number). Unknown columns are dropped.
    """
    sink = sink or Sink(limit=0)
    if from_store:
        rows = pd.array([pd.NA] * len(frame), dtype="Int64")
    elif frame.index.name == ROW_INDEX:
        rows = pd.array(frame.index, dtype="Int64")
    else:
        rows = pd.array(np.arange(2, len(frame) + 2), dtype="Int64")
    out: dict[str, pd.Series] = {ROW: pd.Series(rows)}
    for col in SPECS[table]:
        if col.name not in frame.columns:
            if col.required:
                sink.structural = True
                sink.add_table(table, col.name, "column_missing")
            raw = pd.Series([None] * len(frame), dtype="str")
        else:
            raw = frame[col.name].reset_index(drop=True)
        typed, checks = _parse(col.kind, raw)
        unparsed = np.zeros(len(raw), dtype=bool)
        for bad, code in checks:
            unparsed |= bad
            if bad.any():
                sink.add(table, out[ROW][bad], col.name, code, values=raw[bad])
        if col.required and col.name in frame.columns:
            missing = typed.isna().to_numpy(dtype=bool) & ~unparsed
            if missing.any():
                sink.add(table, out[ROW][missing], col.name, "value_missing")
        if col.default is not None:
            typed = typed.fillna(col.default)
        out[col.name] = typed
    return pd.DataFrame(out)


# --- rules -------------------------------------------------------------------------------------------


def check_rules(tables: Mapping[str, pd.DataFrame], sink: Sink) -> None:
    """Every rule beyond types on typed tables (coerce_table output): ranges, codes, keys, references."""
    t = {name: tables[name] if name in tables else empty_table(name) for name in SPECS}
    for name, frame in t.items():
        _check_columns(name, frame, sink)
    for name, key in KEYS.items():
        _check_duplicates(name, t[name], key, sink)
    for child, col, parent, pcol in REFERENCES:
        f = t[child]
        bad = f[col].notna() & ~_among(f[col], t[parent][pcol])
        fields = {"column": pcol, "table": parent}
        sink.add(child, f.loc[bad, ROW], col, "no_such_key", fields, f.loc[bad, col])
    loans = t["loans"].dropna(subset=["loan_id"]).drop_duplicates("loan_id").set_index("loan_id")
    _check_running_total("holdings", t["holdings"], "amount", "holdings_amount", loans["principal"], sink)
    # Guarantor buy-outs repay the investors, not the borrower: after one, collection may still recover
    # principal from the borrower, so the borrower's side and the guarantor's are capped separately.
    repayments = t["repayments"]
    for sources, what in (
        (("borrower", "collection"), "principal_paid_borrower_collection"),
        (("guarantor",), "principal_paid_guarantor"),
    ):
        part = repayments[repayments["source"].isin(sources).to_numpy(bool)]
        _check_running_total("repayments", part, "principal_paid", what, loans["principal"], sink, "paid_on")
    _check_schedule(t["schedule"], t["loans"], loans["principal"], sink)
    for name, col in (("repayments", "paid_on"), ("loan_events", "event_on")):
        f = t[name]
        # reindex keeps the datetime dtype when there are no rows (map would give float64)
        originated = pd.Series(
            loans["originated_on"].reindex(f["loan_id"].to_numpy()).to_numpy(dtype="datetime64[us]"),
            index=f.index,
        )
        bad = (f[col] < originated).fillna(False).to_numpy(dtype=bool)
        fields = [{"originated": d} for d in originated[bad].dt.strftime("%Y-%m-%d").iloc[: sink.limit]]
        sink.add(name, f.loc[bad, ROW], col, "before_origination", fields, f.loc[bad, col])
    users = t["users"]
    no_id = ((users["role"] == "investor") & users["investor_id"].isna()).fillna(False)
    sink.add("users", users.loc[no_id, ROW], "investor_id", "required_for_role", {"role": "investor"})
    hashes = users["password_hash"]
    bad_hash = hashes.notna() & ~hashes.str.startswith(PASSWORD_PREFIXES).fillna(False)
    # The value is not shown: a bad hash may be a plain-text password.
    sink.add("users", users.loc[bad_hash, ROW], "password_hash", "not_a_password_hash")


def _among(s: pd.Series, values: pd.Series) -> np.ndarray:
    """Which texts of s occur in values (Arrow's is_in: pandas boxes every value of the set in Python)."""
    left = pa.array(s.astype("str"), type=pa.large_string(), from_pandas=True)
    right = pa.array(values.dropna().unique().astype("str"), type=pa.large_string(), from_pandas=True)
    return pc.is_in(left, value_set=right).fill_null(False).to_numpy(zero_copy_only=False)


def _check_columns(table: str, frame: pd.DataFrame, sink: Sink) -> None:
    """Per-cell rules: ranges, known codes, month-end dates."""
    for col in SPECS[table]:
        s = frame[col.name]
        if col.low is not None or col.high is not None:
            bad = pd.Series(False, index=s.index)
            if col.low is not None:
                bad |= (s <= col.low) if col.low_open else (s < col.low)
            if col.high is not None:
                bad |= (s >= col.high) if col.high_open else (s > col.high)
            bad = bad.fillna(False).to_numpy(dtype=bool)
            code, fields = col.range_rule()
            sink.add(table, frame.loc[bad, ROW], col.name, code, fields, s[bad])
        if col.codes:
            bad = (s.notna() & ~s.isin(col.codes)).to_numpy(dtype=bool)
            fields = {"allowed": ", ".join(col.codes)}
            sink.add(table, frame.loc[bad, ROW], col.name, "unknown_code", fields, s[bad])
    if table in MONTH_END_TABLES:
        d = frame["month_end"]
        bad = (d.notna() & ~d.dt.is_month_end).to_numpy(dtype=bool)
        sink.add(table, frame.loc[bad, ROW], "month_end", "not_month_end", values=d[bad])


def _check_duplicates(table: str, frame: pd.DataFrame, key: tuple[str, ...], sink: Sink) -> None:
    """Each key once; a repeat names the row (or the store) that has it first."""
    cols = list(key)
    f = frame.loc[frame[cols].notna().all(axis=1), [*cols, ROW]].reset_index(drop=True)
    dup = f.duplicated(cols).to_numpy()
    if not dup.any():
        return
    first = f.assign(_pos=np.arange(len(f))).groupby(cols, sort=False)["_pos"].transform("min")
    first_row = f[ROW].to_numpy()[first.to_numpy()[dup]]
    codes = ["duplicate_key_store" if pd.isna(r) else "duplicate_key_row" for r in first_row[: sink.limit]]
    fields = [{} if pd.isna(r) else {"row": int(r)} for r in first_row[: sink.limit]]
    keys = f.loc[dup, cols[0]].astype("str")
    for c in cols[1:]:
        keys = keys + ", " + f.loc[dup, c].astype("str")
    sink.add(table, f.loc[dup, ROW], ", ".join(cols) if len(cols) > 1 else cols[0], codes, fields, keys)


def _check_running_total(
    table: str,
    frame: pd.DataFrame,
    col: str,
    what: str,
    principal: pd.Series,
    sink: Sink,
    order_by: str | None = None,
) -> None:
    """Σ col per loan (by order_by, else file order) must not exceed the principal; names the crossing row.

    what is the code of the sum's name in the rule (message "ingest.what.<what>").
    """
    f = frame.dropna(subset=["loan_id", col])
    if order_by:
        f = f.sort_values(["loan_id", order_by], kind="stable")
    running = f.groupby("loan_id", sort=False)[col].cumsum()
    limit = f["loan_id"].map(principal).astype("float64")
    over = (running > limit + MONEY_TOLERANCE).fillna(False)
    crossing = f[over].loc[lambda x: ~x["loan_id"].duplicated()]
    total = f.groupby("loan_id")[col].sum()
    fields = [
        {"what": what, "loan": loan, "total": _money(total[loan]), "principal": _money(principal[loan])}
        for loan in crossing["loan_id"].iloc[: sink.limit]
    ]
    sink.add(table, crossing[ROW], col, "over_principal", fields, crossing[col])


def _check_schedule(schedule: pd.DataFrame, loans: pd.DataFrame, principal: pd.Series, sink: Sink) -> None:
    """Every loan has a schedule whose principal sums to the loan's, with due dates rising by installment."""
    no_schedule = (loans["loan_id"].notna() & ~_among(loans["loan_id"], schedule["loan_id"])).to_numpy(bool)
    sink.add(
        "loans",
        loans.loc[no_schedule, ROW],
        "loan_id",
        "no_schedule",
        values=loans.loc[no_schedule, "loan_id"],
    )
    s = schedule.dropna(subset=["loan_id"])
    sums = s.groupby("loan_id", sort=False)["principal_due"].sum()
    expected = principal.reindex(sums.index)
    off = sums[((sums - expected).abs() > MONEY_TOLERANCE) & expected.notna()]
    first = s.loc[~s["loan_id"].duplicated()].set_index("loan_id")[ROW]
    fields = [{"loan": loan, "principal": _money(principal[loan])} for loan in off.index[: sink.limit]]
    sink.add(
        "schedule",
        first[off.index].reset_index(drop=True),
        "principal_due",
        "schedule_sum",
        fields,
        off.map(_money).reset_index(drop=True),
    )
    s = s.dropna(subset=["installment_no", "due_on"]).sort_values(
        ["loan_id", "installment_no"], kind="stable"
    )
    previous = s.groupby("loan_id", sort=False)["due_on"].shift()
    bad = (s["due_on"] <= previous).fillna(False).to_numpy(bool)
    fields = [{"previous": d} for d in previous[bad].dt.strftime("%Y-%m-%d").iloc[: sink.limit]]
    sink.add("schedule", s.loc[bad, ROW], "due_on", "due_not_after_previous", fields, s.loc[bad, "due_on"])


def validate(
    tables: Mapping[str, pd.DataFrame], files: Mapping[str, str] | None = None, *, limit: int = MAX_PROBLEMS
) -> Problems:
    """Every rule on a set of tables (text or typed cells), across tables; files maps table -> file name.

    Returns the first `limit` problems with .total counting all. Tables missing from the mapping count as
    empty. A table with a missing required column or an unknown name stops the cross-table rules.
    """
    sink = Sink(files, limit)
    typed = {}
    for name, frame in tables.items():
        if name in SPECS:
            typed[name] = coerce_table(name, frame, sink)
        else:
            sink.structural = True
            sink.add_table(name, None, "unknown_table", {"tables": ", ".join(SPECS)}, name)
    if not sink.structural:
        check_rules(typed, sink)
    return sink.result()
