"""Overdue, trend, vintage, outcome, concentration and disclosure metrics: typed wrappers of queries/*.sql.

Amounts are currency units (floats), rates and shares fractions in 0..1, dates calendar dates.
Definitions are docs/design.md §3; each query file documents its columns.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import duckdb
import pandas as pd

from lendrisk import sql
from lendrisk.vocab import require_month_end

Grain = Literal["month", "quarter"]


def month_ends(con: duckdb.DuckDBPyConnection) -> list[dt.date]:
    """The as-of dates: every month-end from the first on loan_month to observed_to, oldest first."""
    return sorted(pd.Timestamp(v).date() for v in sql.run(con, "month_ends")["month_end"])


def overdue_by_bucket(
    con: duckdb.DuckDBPyConnection,
    as_of: dt.date,
    investor_id: str | None = None,
    grade: str | None = None,
    product: str | None = None,
    channel: str | None = None,
    region: str | None = None,
) -> pd.DataFrame:
    """One row per DPD bucket (5, fixed order) at month-end as_of: loans, outstanding or exposure, share."""
    return sql.run(
        con,
        "overdue_by_bucket",
        {
            "as_of": require_month_end(as_of),
            "investor_id": investor_id,
            "grade": grade,
            "product": product,
            "channel": channel,
            "region": region,
        },
    )


def overdue_trend(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> pd.DataFrame:
    """One row per month-end in [start, end] (observed months only): platform balances, rates, flows."""
    return sql.run(con, "overdue_trend", {"from": start, "to": end})


def vintage_curves(
    con: duckdb.DuckDBPyConnection,
    grain: Grain = "month",
    grade: str | None = None,
    product: str | None = None,
    channel: str | None = None,
) -> pd.DataFrame:
    """One row per vintage (month or quarter) per month on book: cumulative default rate by principal."""
    if grain not in ("month", "quarter"):
        raise ValueError(f"grain must be 'month' or 'quarter', not {grain!r}")
    return sql.run(
        con,
        "vintage_curves",
        {"grain": grain, "grade": grade, "product": product, "channel": channel},
    )


def lifetime_outcomes_by_grade(
    con: duckdb.DuckDBPyConnection, meets_policy_only: bool = False
) -> pd.DataFrame:
    """One row per grade over all loans: charge-off counts and rates, principal written off and received."""
    return sql.run(con, "lifetime_outcomes_by_grade", {"meets_policy_only": meets_policy_only})


def lifetime_outcomes_by_term_year(
    con: duckdb.DuckDBPyConnection, meets_policy_only: bool = False
) -> pd.DataFrame:
    """One row per grade x term (months) x issue year over all loans: charge-offs and principal received."""
    return sql.run(con, "lifetime_outcomes_by_term_year", {"meets_policy_only": meets_policy_only})


def borrower_exposures(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, investor_id: str | None = None
) -> pd.DataFrame:
    """One row per borrower with exposure > 0 at month-end as_of (platform or investor): exposure, share."""
    return sql.run(con, "concentration", {"as_of": require_month_end(as_of), "investor_id": investor_id})


def concentration(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, investor_id: str | None = None
) -> dict[str, float | int]:
    """Borrower concentration at month-end as_of: hhi (Σ share², 0..1), top1/top10 share, borrowers,
    and exposure, the total as overdue_by_bucket (the portfolio's figure) has it: the sum of the
    borrowers' rounded amounts could differ from it by a cent."""
    if investor_id is None:  # millions of borrowers: summed in SQL (queries/borrower_concentration.sql)
        row = sql.run(con, "borrower_concentration", {"as_of": require_month_end(as_of)}).iloc[0]
        shares, hhi, borrowers = pd.Series(list(row["top_shares"]), dtype=float), row["hhi"], row["borrowers"]
        amounts = pd.Series(list(row["bucket_amounts"]), dtype=float)  # overdue_by_bucket's, bucket order
    else:
        frame = borrower_exposures(con, as_of, investor_id)
        shares, borrowers = frame["share"], len(frame)
        hhi = (shares**2).sum()
        amounts = overdue_by_bucket(con, as_of, investor_id=investor_id)["outstanding_principal"]
    return {
        "hhi": float(hhi),
        "top1_share": float(shares.head(1).sum()),
        "top10_share": float(shares.head(10).sum()),
        "borrowers": int(borrowers),
        "exposure": float(amounts.sum()),
    }


def disclosure_monthly(con: duckdb.DuckDBPyConnection, month_end: dt.date) -> pd.DataFrame:
    """One row: the 2017 disclosure guideline's operating items at month_end (amounts, counts, rates)."""
    return sql.run(con, "disclosure_monthly", {"month_end": require_month_end(month_end)})
