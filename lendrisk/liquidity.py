"""Liquidity and the risk reserve: reserve balance over time, expected guarantor buy-outs over the next
12 months (base and stressed), months of coverage, and projected borrower collections.

A reserve-guaranteed loan is bought out when it first reaches 90+ days past due (the reserve pays the
investors' remaining claim). Its probability to have reached 90+ by month k comes from the roll-rate
matrices of lendrisk.risk with 90+ made absorbing: the loan follows its grade's monthly matrix while
installments remain, then the run-off matrix (a current loan with nothing left to pay pays off).
The stressed case scales the roll-forward rates as risk.stressed_expected_loss does.

Amounts are currency units (floats), probabilities fractions 0..1, dates month-ends.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd

from lendrisk import cache, risk, sql
from lendrisk.vocab import add_months

HORIZON = risk.BUYOUT_HORIZON


def reserve_history(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> pd.DataFrame:
    """One row per reserve month-end up to as_of: balance and guarantor payments in the month."""
    return sql.run(con, "reserve_history", {"as_of": as_of})


def has_reserve(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> bool:
    """Whether the store has a risk reserve by as_of: a reserve balance recorded or a reserve-guaranteed
    loan with a claim left (an imported real book has neither)."""
    return bool(len(reserve_history(con, as_of)) or len(sql.run(con, "reserve_exposure", {"as_of": as_of})))


def has_unemployment(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> bool:
    """Whether the store has an unemployment series by as_of: without one the stress has no effect."""
    return bool(len(sql.run(con, "unemployment_by_month", {"as_of": as_of})))


def scenario_matrices(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, shock_pp: float
) -> tuple[np.ndarray, np.ndarray]:
    """Base and stressed segment matrices at as_of (unemployment shock of shock_pp percentage points)."""
    model = risk.risk_model(con, as_of)
    sensitivity = risk.stress_sensitivity(con, model.as_of)
    return model.matrices, risk.stress_matrices(model.matrices, sensitivity["used_factor_per_pp"], shock_pp)


def _months_frame(as_of: dt.date, months: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "months_ahead": range(1, months + 1),
            "month_end": [add_months(as_of, k) for k in range(1, months + 1)],
        }
    )


def expected_buyouts(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, shock_pp: float = 0.0, months: int = HORIZON
) -> pd.DataFrame:
    """One row per coming month-end: expected reserve buy-outs (base, stressed) and their running totals.

    risk.buyout_flows over reserve-guaranteed active loans with a claim left (risk.reserve_exposure):
    the same figures risk.reserve_coverage sums.
    """
    exposure = risk.reserve_exposure(con, as_of)
    frame = _months_frame(as_of, months)
    base_m, stressed_m = scenario_matrices(con, as_of, shock_pp)
    for name, matrices in (("base", base_m), ("stressed", stressed_m)):
        flows = risk.buyout_flows(exposure, matrices, months)
        frame[name] = flows
        frame[f"cumulative_{name}"] = np.cumsum(flows)
    return frame


def projected_collections(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, shock_pp: float = 0.0, months: int = HORIZON
) -> pd.DataFrame:
    """One row per coming month-end: contractual borrower payments of active loans and the expected
    part (base, stressed) = Σ due × (1 − F(k)), F = probability of having reached 90+ by month k.
    The contractual payments do not depend on the shock: read once per store version (cache.memo),
    as moving the reserve page's shock would otherwise rescan the schedule (seconds at ten million
    loans). Read only."""
    due = cache.memo(
        con,
        "reserve_scheduled_collections",
        (as_of, months),
        lambda: sql.run(con, "reserve_scheduled_collections", {"as_of": as_of, "months": months}),
    )
    frame = _months_frame(as_of, months)
    base_m, stressed_m = scenario_matrices(con, as_of, shock_pp)
    ahead = due["months_ahead"].to_numpy(int)
    per_month = np.zeros((months, 3))
    if len(due):
        # each (grade, state, remaining) segment recurs once per month ahead: its path is worked out once
        rows = np.column_stack(risk.segment_rows(due))
        segments, row_segment = np.unique(rows, axis=0, return_inverse=True)
        amount = due["contractual"].to_numpy(float)
        for j, matrices in enumerate((base_m, stressed_m)):
            reach = risk.reach_90plus(matrices, *segments.T, months)
            survive = 1.0 - reach[row_segment.ravel(), ahead]
            np.add.at(per_month[:, j + 1], ahead - 1, amount * survive)
        np.add.at(per_month[:, 0], ahead - 1, amount)
    frame["contractual"] = per_month[:, 0]
    frame["expected_base"] = per_month[:, 1]
    frame["expected_stressed"] = per_month[:, 2]
    return frame


def reserve_outlook(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, shock_pp: float = 0.0, months: int = HORIZON
) -> dict[str, float]:
    """The reserve at as_of against the next 12 months: balance, guaranteed exposure, expected buy-outs
    (base, stressed) and months of coverage = balance / average monthly expected buy-out (inf when
    no buy-out is expected)."""
    balance = float(sql.run(con, "reserve_balance_as_of", {"as_of": as_of})["balance"].iloc[0])
    exposure = float(risk.reserve_exposure(con, as_of)["exposure"].sum())
    flows = expected_buyouts(con, as_of, shock_pp, months)
    out = {"balance": balance, "guaranteed_exposure": exposure, "shock_pp": shock_pp}
    for name in ("base", "stressed"):
        total = float(flows[name].sum())
        out[f"buyouts_{name}"] = total
        out[f"months_of_coverage_{name}"] = balance / (total / months) if total > 0 else float("inf")
    return out
