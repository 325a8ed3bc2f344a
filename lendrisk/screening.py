"""Credit screening: default and overdue rates by segment, the credit score's power to rank defaults
by vintage year (AUC, Gini, KS) and a minimum-score cut-off what-if on past originations.

Amounts are currency units (floats), rates and shares fractions 0..1. A loan has defaulted when it
was 90+ or charged_off at a month-end on or before the as-of date (docs/design.md §3).
"""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd

from lendrisk import sql
from lendrisk.vocab import GRADES, PRODUCTS, add_months

# Segment dimensions and, where the values are codes, their display order.
DIMENSIONS: tuple[str, ...] = ("grade", "product", "channel", "region", "score_band", "income_verification")
SEGMENT_ORDER: dict[str, tuple[str, ...]] = {
    "grade": GRADES,
    "product": PRODUCTS,
    "channel": ("platform", "institution"),
    "score_band": ("lt600", "600-649", "650-699", "700-749", "ge750"),
    "income_verification": ("verified", "not_verified", "unknown"),
}


def segment_rates(con: duckdb.DuckDBPyConnection, as_of: dt.date, dimension: str) -> pd.DataFrame:
    """One row per segment of a dimension over loans originated by month-end as_of: default rates
    (by principal and count) and overdue rates at as_of (queries/segment_loan_outcomes.sql), and
    overdue_contribution = the segment's share of the platform's overdue balance (0..1).

    Coded dimensions come in their natural order (grades A..G, score bands low to high), region by
    principal originated, largest first.
    """
    if dimension not in DIMENSIONS:
        raise ValueError(f"dimension must be one of {', '.join(DIMENSIONS)}, not {dimension!r}")
    frame = sql.run(con, "segment_loan_outcomes", {"as_of": as_of})
    frame = frame[frame["dimension"] == dimension].drop(columns="dimension")
    if dimension in SEGMENT_ORDER:
        order = {s: i for i, s in enumerate(SEGMENT_ORDER[dimension])}
        frame = frame.assign(_o=frame["segment"].map(order)).sort_values("_o").drop(columns="_o")
    else:
        frame = frame.sort_values(["principal", "segment"], ascending=[False, True])
    total = float(frame["overdue_balance"].sum())
    frame["overdue_contribution"] = frame["overdue_balance"] / total if total > 0 else 0.0
    return frame.reset_index(drop=True)


def segment_trend(con: duckdb.DuckDBPyConnection, as_of: dt.date, dimension: str) -> pd.DataFrame:
    """segment_rates at as_of with each segment's overdue rate by amount a year earlier
    (overdue_rate_year_ago, missing when the segment had no active loan then) and the change in
    percentage points as a fraction (overdue_rate_change)."""
    now = segment_rates(con, as_of, dimension)
    before = segment_rates(con, add_months(as_of, -12), dimension)
    before = before[before["active_loans"] > 0].set_index("segment")["overdue_rate_amount"]
    now["overdue_rate_year_ago"] = now["segment"].map(before).astype(float)
    now["overdue_rate_change"] = now["overdue_rate_amount"] - now["overdue_rate_year_ago"]
    return now


def score_outcomes(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> pd.DataFrame:
    """One row per origination year × credit score: loans, principal, defaults, lost principal."""
    return sql.run(con, "score_outcomes", {"as_of": as_of})


def power(counts: pd.DataFrame) -> dict[str, float]:
    """AUC, Gini and KS of the credit score against default from per-score counts.

    counts has one row per credit score with loans and defaulted_loans. A higher score should mean a
    lower risk: AUC = P(a non-defaulted loan's score > a defaulted loan's score) + ½ P(equal scores),
    Gini = 2·AUC − 1, KS = max over scores s of |F_default(s) − F_good(s)| (cumulative shares of
    defaulted and non-defaulted loans at scores ≤ s). NaN when either group is empty.
    """
    by_score = counts.groupby("credit_score")[["loans", "defaulted_loans"]].sum().sort_index()
    bad = by_score["defaulted_loans"].to_numpy(float)
    good = by_score["loans"].to_numpy(float) - bad
    n_bad, n_good = bad.sum(), good.sum()
    if n_bad == 0 or n_good == 0:
        return {"auc": float("nan"), "gini": float("nan"), "ks": float("nan")}
    bad_below = np.concatenate([[0.0], np.cumsum(bad)[:-1]])
    auc = float((good * (bad_below + 0.5 * bad)).sum() / (n_good * n_bad))
    ks = float(np.abs(np.cumsum(bad) / n_bad - np.cumsum(good) / n_good).max())
    return {"auc": auc, "gini": 2 * auc - 1, "ks": ks}


def score_power(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> pd.DataFrame:
    """One row per origination year: loans, defaulted_loans, default_rate (count), auc, gini, ks."""
    outcomes = score_outcomes(con, as_of)
    rows = []
    for year, part in outcomes.groupby("vintage_year"):
        loans, defaulted = int(part["loans"].sum()), int(part["defaulted_loans"].sum())
        rows.append(
            {
                "vintage_year": int(year),
                "loans": loans,
                "defaulted_loans": defaulted,
                "default_rate": defaulted / loans if loans else 0.0,
                **power(part),
            }
        )
    columns = ["vintage_year", "loans", "defaulted_loans", "default_rate", "auc", "gini", "ks"]
    return pd.DataFrame(rows, columns=columns)


def cutoff_curve(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> pd.DataFrame:
    """One row per candidate minimum score (each distinct score): what rejecting every loan with a
    lower score would have cost and saved on loans originated by as_of.

    Columns: min_score, volume_lost (share of principal originated), loans_lost (share of loans),
    defaults_avoided (share of defaulted loans), defaulted_principal_avoided (share of principal at
    default) and lost_principal_avoided (share of principal charged off net of recoveries).
    """
    outcomes = score_outcomes(con, as_of)
    by_score = outcomes.groupby("credit_score")[
        ["loans", "principal", "defaulted_loans", "defaulted_principal", "lost_principal"]
    ].sum()
    below = by_score.cumsum().shift(1, fill_value=0.0)  # loans with a score strictly below each score
    totals = by_score.sum()

    def share(column: str) -> np.ndarray:
        total = totals[column]
        return (below[column] / total).to_numpy(float) if total > 0 else np.zeros(len(below))

    return pd.DataFrame(
        {
            "min_score": by_score.index.to_numpy(int),
            "volume_lost": share("principal"),
            "loans_lost": share("loans"),
            "defaults_avoided": share("defaulted_loans"),
            "defaulted_principal_avoided": share("defaulted_principal"),
            "lost_principal_avoided": share("lost_principal"),
        }
    )


DEFAULT_VOLUME_LOST = 0.10  # the cut-off what-if opens at the score that gives up about a tenth of volume


def default_cutoff(curve: pd.DataFrame, volume_lost: float = DEFAULT_VOLUME_LOST) -> int:
    """The cut-off the what-if opens at: the lowest candidate score giving up at least volume_lost of
    originated principal (so the tiles show a trade-off, not zeros); the highest score when none does."""
    reaching = curve.loc[curve["volume_lost"] >= volume_lost, "min_score"]
    return int(reaching.min()) if len(reaching) else int(curve["min_score"].max())


def cutoff_whatif(con: duckdb.DuckDBPyConnection, as_of: dt.date, min_score: int) -> dict[str, float]:
    """Rejecting every loan whose borrower's score is below min_score, on originations by as_of:
    volume_lost, loans_lost, defaults_avoided, defaulted_principal_avoided, lost_principal_avoided
    (shares 0..1) and the amounts behind them (principal_lost, lost_principal_avoided_amount)."""
    outcomes = score_outcomes(con, as_of)
    rejected = outcomes[outcomes["credit_score"] < min_score]

    def share(column: str) -> float:
        total = float(outcomes[column].sum())
        return float(rejected[column].sum()) / total if total > 0 else 0.0

    return {
        "min_score": min_score,
        "volume_lost": share("principal"),
        "loans_lost": share("loans"),
        "defaults_avoided": share("defaulted_loans"),
        "defaulted_principal_avoided": share("defaulted_principal"),
        "lost_principal_avoided": share("lost_principal"),
        "principal_lost": float(rejected["principal"].sum()),
        "lost_principal_avoided_amount": float(rejected["lost_principal"].sum()),
    }
