"""Real loan files through the LendingClub and Prosper adapters into a store.

The small files ship in tests/data/ (their source and licence: tests/data/README.md). The two large ones
are read from outside the repository only when their path is given: $LENDRISK_LOANSTATS3A (LoanStats3a,
all 42,535 loans, .csv.gz) and $LENDRISK_OPENINTRO (OpenIntro's 10,000-loan snapshot); .ci/run sets both.

Expected figures come straight from the files with pandas; hand-checked numbers are for LoanStats3a
row_id 3 (2,000 at 7.75 %, 36 months, issued 2007-12, Charged Off): the rebuilt schedule's installment
is 62.44 (interest 12.91 + principal 49.53 first); the file's cash 886.30 + 174.50 = 1,060.80 covers
16 installments (999.04) and 61.76 of the 17th, due 2009-05-01, so the loan is charged off
150 days later on 2009-09-28 with 2,000 - 886.30 = 1,113.70 written off; the recovery 50.93
is paid on 2009-10-28.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from lendrisk import sql, store
from lendrisk.ingest import lendingclub, prosper
from lendrisk.ingest.validate import validate

DATA = Path(__file__).resolve().parent / "data"
LC_2007 = DATA / "loanstats3a_2007_only.csv"
PROSPER = DATA / "prosperLoanData_sample199.csv"
LC_ALL = Path(os.environ.get("LENDRISK_LOANSTATS3A", "/nonexistent/loanstats3a_2007_2011.csv.gz"))
OPENINTRO = Path(os.environ.get("LENDRISK_OPENINTRO", "/nonexistent/loans_full_schema.csv"))

needs_loanstats3a = pytest.mark.skipif(
    not LC_ALL.is_file(),
    reason="set LENDRISK_LOANSTATS3A to loanstats3a_2007_2011.csv.gz (e.g. "
    "../shared/data/real/lendingclub_2007_2011/loanstats3a_2007_2011.csv.gz) to run the LoanStats3a tests",
)
needs_openintro = pytest.mark.skipif(
    not OPENINTRO.is_file(),
    reason="set LENDRISK_OPENINTRO to OpenIntro's loans_full_schema.csv (e.g. "
    "../shared/data/real/openintro_loans_full_schema/loans_full_schema.csv) to run the snapshot test",
)


def memory_store(tables: dict[str, pd.DataFrame], observed_to: dt.date) -> duckdb.DuckDBPyConnection:
    """An in-memory store of the tables (loan_month built to observed_to)."""
    con = duckdb.connect()
    store.populate(con, tables, source="test", observed_to=observed_to)
    return con


def states(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> pd.Series:
    """loan_state_as_of at a date: state per loan_id."""
    return sql.run(con, "loan_state_as_of", {"as_of": as_of}).set_index("loan_id")["state"]


# --- LoanStats3a, 2007 only: end to end --------------------------------------------------------------------


@pytest.mark.slow  # reads, validates and builds a store of a real LendingClub sample
def test_lendingclub_2007_file_end_to_end(tmp_path):
    tables, observed_to = lendingclub.read_tables([LC_2007], seed=7)
    assert observed_to == dt.date(2017, 9, 30)
    assert validate(tables).total == 0
    path = tmp_path / "lc2007.duckdb"
    store.build_store(path, tables, source="lendingclub", observed_to=observed_to)
    con = store.connect(path)
    raw = pd.read_csv(LC_2007)
    assert con.execute("select count(*), count(*) filter (where meets_policy) from loans").fetchone() == (
        603,
        251,
    )
    charged = raw["loan_status"].str.endswith("Charged Off")
    final = states(con, observed_to)
    assert (final == "charged_off").sum() == charged.sum() == 158
    assert (final == "paid_off").sum() == (~charged).sum() == 445
    # Hand-checked loan LC-3 (module docstring).
    pays = con.execute(
        "select paid_on, principal_paid::double, interest_paid::double, source from repayments "
        "where loan_id = 'LC-3' order by paid_on"
    ).fetchall()
    assert len(pays) == 18
    assert pays[0] == (dt.date(2008, 1, 1), 49.53, 12.91, "borrower")
    assert pays[16] == (dt.date(2009, 5, 1), 54.33, 7.43, "borrower")
    assert pays[17] == (dt.date(2009, 10, 28), 50.93, 0.0, "collection")
    assert sum(p[1] for p in pays[:17]) == pytest.approx(886.30)
    assert sum(p[2] for p in pays[:17]) == pytest.approx(174.50)
    assert con.execute(
        "select event_on, amount::double from loan_events where loan_id = 'LC-3'"
    ).fetchone() == (
        dt.date(2009, 9, 28),
        1113.70,
    )
    lc3 = {
        d: states(con, d)["LC-3"] for d in (dt.date(2009, 4, 30), dt.date(2009, 8, 31), dt.date(2009, 9, 30))
    }
    assert lc3 == {
        dt.date(2009, 4, 30): "current",
        dt.date(2009, 8, 31): "90+",
        dt.date(2009, 9, 30): "charged_off",
    }
    # Simulated investors: 603 // 100 = 6 investors x 100 notes of 25, never more than a loan's principal.
    inv = con.execute("select count(*), min(risk_profile), max(risk_profile) from investors").fetchone()
    assert inv == (6, "simulated", "simulated")
    over = con.execute(
        "select count(*) from (select h.loan_id, sum(h.amount) s, any_value(l.principal) p "
        "from holdings h join loans l using (loan_id) group by h.loan_id) where s > p"
    ).fetchone()[0]
    assert over == 0
    assert con.execute("select count(*), sum(amount)::double from holdings").fetchone() == (600, 15000.0)
    con.close()


def test_simulated_portfolios_are_seeded():
    a, _ = lendingclub.read_tables([LC_2007], seed=7)
    b, _ = lendingclub.read_tables([LC_2007], seed=7)
    c, _ = lendingclub.read_tables([LC_2007], seed=8)
    pd.testing.assert_frame_equal(a["holdings"], b["holdings"])
    assert not a["holdings"]["loan_id"].equals(c["holdings"]["loan_id"])
    assert a["investors"]["investor_id"].iloc[0] == "SIM-0001"
    assert "investors" not in lendingclub.read_tables([LC_2007], investors=False)[0]


# --- LoanStats3a, all 42,535 loans -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def lc_store(tmp_path_factory):
    """The whole LoanStats3a file imported into a store (read-only connection)."""
    tables, observed_to = lendingclub.read_tables([LC_ALL])
    path = tmp_path_factory.mktemp("lc") / "lc.duckdb"
    store.build_store(path, tables, source="lendingclub", observed_to=observed_to)
    con = store.connect(path)
    yield con
    con.close()


@pytest.fixture(scope="module")
def lc_raw():
    """The LoanStats3a file as pandas reads it, with a charged-off flag."""
    raw = pd.read_csv(LC_ALL)
    raw["charged_off"] = raw["loan_status"].str.endswith("Charged Off")
    return raw


@pytest.mark.slow
@needs_loanstats3a
def test_loanstats3a_counts_and_charge_offs(lc_store, lc_raw):
    assert lc_store.execute(
        "select count(*), count(*) filter (where meets_policy) from loans"
    ).fetchone() == (
        42535,
        39786,
    )
    ours = sql.run(lc_store, "lifetime_outcomes_by_term_year", {"meets_policy_only": False})
    ours = ours.set_index(["grade", "term_months", "issue_year"])["charged_off_loans"].sort_index()
    theirs = lc_raw.groupby(["grade", "term", "issue_year"])["charged_off"].sum().sort_index()
    assert ours.to_dict() == {k: int(v) for k, v in theirs.items()}
    assert int(ours.sum()) == 6431
    policy = sql.run(lc_store, "lifetime_outcomes_by_grade", {"meets_policy_only": True})
    meets = lc_raw[~lc_raw["loan_status"].str.startswith("Does not meet")]
    assert policy.set_index("grade")["charged_off_loans"].to_dict() == {
        g: int(v) for g, v in meets.groupby("grade")["charged_off"].sum().items()
    }
    assert int(policy["charged_off_loans"].sum()) == 5670


@pytest.mark.slow
@needs_loanstats3a
def test_loanstats3a_cash_per_grade_to_the_cent(lc_store, lc_raw):
    borrower = lc_store.execute(
        "select l.grade, cast(sum(r.principal_paid) as double) from repayments r "
        "join loans l using (loan_id) where r.source = 'borrower' group by l.grade"
    ).fetchall()
    expected_principal = lc_raw.groupby("grade")["total_rec_prncp"].sum().round(2)
    assert {g: round(v, 2) for g, v in borrower} == expected_principal.to_dict()
    recoveries = sql.run(lc_store, "lifetime_outcomes_by_grade", {"meets_policy_only": False})
    expected_recoveries = lc_raw.groupby("grade")["recoveries"].sum().round(2)
    assert recoveries.set_index("grade")["recoveries"].round(2).to_dict() == expected_recoveries.to_dict()
    assert expected_recoveries.sum() == pytest.approx(4341987.55, abs=0.01)


@pytest.mark.slow
@needs_loanstats3a
def test_loanstats3a_charge_offs_follow_90_plus(lc_store):
    # The month-end before each charge-off finds the loan 90+ (two loans whose cash covered every
    # rebuilt installment are current until then; docs/real-data.md).
    before = lc_store.execute(
        "select m.state, count(*) from loan_month m join loan_events e using (loan_id) "
        "where m.month_end = last_day(e.event_on - interval 1 month) group by m.state order by m.state"
    ).fetchall()
    assert before == [("90+", 6429), ("current", 2)]


# --- OpenIntro 2018 snapshot --------------------------------------------------------------------------------


@pytest.mark.slow
@needs_openintro
def test_openintro_snapshot_buckets_at_2018_06_30():
    tables, observed_to = lendingclub.read_tables([OPENINTRO], investors=False)
    assert observed_to == dt.date(2018, 6, 30)
    assert tables["loans"]["loan_id"].iloc[0] == "LCS-1"
    con = memory_store(tables, observed_to)
    got = states(con, observed_to).value_counts().to_dict()
    raw = pd.read_csv(OPENINTRO)
    # Expected from the file alone, by the documented mapping.
    due = raw["issue_month"].map({"Jan-2018": 5, "Feb-2018": 4, "Mar-2018": 3})
    covered = np.floor((raw["paid_principal"] + raw["paid_interest"]) / raw["installment"] + 0.1)
    late = np.where(due - covered <= 2, "31-60", "61-90")
    mapping = {"Current": "current", "In Grace Period": "1-30", "Late (16-30 days)": "1-30"}
    mapping |= {"Fully Paid": "paid_off", "Charged Off": "charged_off"}
    expected = raw["loan_status"].map(mapping).where(raw["loan_status"] != "Late (31-120 days)", late)
    expected = expected.where(~((raw["loan_status"] == "Current") & (raw["balance"] == 0)), "paid_off")
    assert got == expected.value_counts().to_dict()
    assert got == {
        "current": 9374,
        "paid_off": 448,
        "1-30": 105,
        "61-90": 35,
        "31-60": 31,
        "charged_off": 7,
    }
    # Outstanding principal at the snapshot is the file's balance for every open loan.
    st = sql.run(con, "loan_state_as_of", {"as_of": observed_to}).set_index("loan_id")
    open_ = raw["loan_status"] != "Charged Off"
    ours = st["outstanding_principal"].reindex([f"LCS-{i + 1}" for i in range(len(raw))]).to_numpy()
    off = np.abs(ours - raw["balance"].to_numpy())[open_.to_numpy()]
    assert (off > 0.005).sum() == 1  # one In Grace Period loan had prepaid past its bucket (docs)
    con.close()


# --- Prosper sample ----------------------------------------------------------------------------------------


def test_prosper_sample_statuses():
    tables, observed_to = prosper.read_tables([PROSPER])
    assert observed_to == dt.date(2014, 3, 31)
    assert validate(tables).total == 0
    raw = pd.read_csv(PROSPER)
    assert len(raw) == 199
    # Spreadsheet rows 10 and 11 repeat one loan (they differ only in ProsperScore): 198 distinct loans.
    assert len(tables["loans"]) == raw["LoanKey"].nunique() == 198
    con = memory_store(tables, observed_to)
    got = states(con, observed_to)
    status = raw.drop_duplicates("LoanKey").set_index("LoanKey")["LoanStatus"]
    expected = status.map(
        {
            "Current": "current",
            "Completed": "paid_off",
            "Chargedoff": "charged_off",
            "Defaulted": "charged_off",
            "Past Due (1-15 days)": "1-30",
            "Past Due (16-30 days)": "1-30",
        }
    )
    assert got.sort_index().to_dict() == expected.sort_index().to_dict()
    assert got.value_counts().to_dict() == {"current": 111, "paid_off": 55, "charged_off": 29, "1-30": 3}
    events = tables["loan_events"]
    assert len(events) == 29 and (events["kind"] == "charged_off").all()
    con.close()


# --- bad input ---------------------------------------------------------------------------------------------


def test_missing_needed_column_names_file_and_column(tmp_path):
    bad = tmp_path / "no_funded.csv"
    pd.read_csv(LC_2007, dtype=str).drop(columns=["funded_amnt"]).to_csv(bad, index=False)
    with pytest.raises(lendingclub.AdapterError) as err:
        lendingclub.read_tables([bad])
    assert (err.value.file, err.value.row, err.value.column) == (str(bad), None, "funded_amnt")
    assert "no_funded.csv" in str(err.value) and "funded_amnt" in str(err.value)
    assert isinstance(err.value, ValueError)


def edited(source: Path, folder: Path, row: int, column: str, value: str) -> Path:
    """A copy of a loan file in folder with one cell (data line row, 0-based) set to value."""
    frame = pd.read_csv(source, dtype=str)
    frame.loc[row, column] = value
    path = folder / f"edited_{source.name}"
    frame.to_csv(path, index=False)
    return path


def test_unparseable_value_names_file_row_and_column(tmp_path):
    bad = edited(LC_2007, tmp_path, 9, "funded_amnt", "12k")
    with pytest.raises(lendingclub.AdapterError) as err:
        lendingclub.read_tables([bad])
    # Data line 10 is spreadsheet row 11 (the header is row 1).
    assert (err.value.file, err.value.row, err.value.column) == (str(bad), 11, "funded_amnt")
    assert "'12k'" in str(err.value)


def test_bad_prosper_date_and_unknown_status(tmp_path):
    bad = edited(PROSPER, tmp_path, 4, "LoanOriginationDate", "2014/03/03")
    with pytest.raises(lendingclub.AdapterError) as err:
        prosper.read_tables([bad])
    assert (err.value.row, err.value.column) == (6, "LoanOriginationDate")
    bad = edited(PROSPER, tmp_path, 0, "LoanStatus", "Lost")
    with pytest.raises(lendingclub.AdapterError) as err:
        prosper.read_tables([bad])
    assert (err.value.row, err.value.column) == (2, "LoanStatus")
