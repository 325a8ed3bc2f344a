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

from lendrisk import risk, sql
from lendrisk.vocab import CHARGED_OFF, CURRENT, GRADES, PAID_OFF, STATES, add_months

HORIZON = 12
_90PLUS = STATES.index("90+")


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


def absorbing(matrices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(in-term, run-off) stacks of the segment matrices with 90+ absorbing; run-off pays current off."""
    in_term = matrices.copy()
    in_term[:, _90PLUS, :] = 0.0
    in_term[:, _90PLUS, _90PLUS] = 1.0
    run_off = in_term.copy()
    run_off[:, CURRENT, :] = 0.0
    run_off[:, CURRENT, PAID_OFF] = 1.0
    return in_term, run_off


def reach_90plus(
    matrices: np.ndarray, grade: np.ndarray, state: np.ndarray, remaining: np.ndarray, months: int = HORIZON
) -> np.ndarray:
    """rows × (months + 1): probability each row (segment index, state index, remaining installments)
    has reached 90+ or charge-off by month k = 0 .. months (column 0 = where it starts)."""
    in_term, run_off = absorbing(matrices)
    vector = np.zeros((len(grade), len(STATES)))
    vector[np.arange(len(grade)), state] = 1.0
    out = np.empty((len(grade), months + 1))
    out[:, 0] = vector[:, _90PLUS] + vector[:, CHARGED_OFF]
    for k in range(1, months + 1):
        step = np.where((k <= remaining)[:, None, None], in_term[grade], run_off[grade])
        vector = np.einsum("ni,nij->nj", vector, step)
        out[:, k] = vector[:, _90PLUS] + vector[:, CHARGED_OFF]
    return out


def _rows(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Segment, state and remaining-month arrays of rows with grade, state, remaining_months."""
    grade = frame["grade"].map({g: i for i, g in enumerate(GRADES)}).fillna(risk.ALL_GRADES)
    state = frame["state"].map(STATES.index)
    return grade.to_numpy(int), state.to_numpy(int), frame["remaining_months"].to_numpy(int)


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

    Buy-out in month k = Σ exposure × (F(k) − F(k−1)) over reserve-guaranteed active loans with a
    claim left (queries/reserve_exposure.sql), F = reach_90plus with F(0) taken as 0: a loan already
    90+ and not yet bought out is due in the first month.
    """
    exposure = sql.run(con, "reserve_exposure", {"as_of": as_of})
    frame = _months_frame(as_of, months)
    base_m, stressed_m = scenario_matrices(con, as_of, shock_pp)
    for name, matrices in (("base", base_m), ("stressed", stressed_m)):
        if len(exposure):
            reach = reach_90plus(matrices, *_rows(exposure), months)
            reach[:, 0] = 0.0
            flows = exposure["exposure"].to_numpy(float) @ np.diff(reach, axis=1)
        else:
            flows = np.zeros(months)
        frame[name] = flows
        frame[f"cumulative_{name}"] = np.cumsum(flows)
    return frame


def projected_collections(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, shock_pp: float = 0.0, months: int = HORIZON
) -> pd.DataFrame:
    """One row per coming month-end: contractual borrower payments of active loans and the expected
    part (base, stressed) = Σ due × (1 − F(k)), F = probability of having reached 90+ by month k."""
    due = sql.run(con, "reserve_scheduled_collections", {"as_of": as_of, "months": months})
    frame = _months_frame(as_of, months)
    base_m, stressed_m = scenario_matrices(con, as_of, shock_pp)
    ahead = due["months_ahead"].to_numpy(int)
    per_month = np.zeros((months, 3))
    if len(due):
        rows = _rows(due)
        amount = due["contractual"].to_numpy(float)
        for j, matrices in enumerate((base_m, stressed_m)):
            survive = 1.0 - reach_90plus(matrices, *rows, months)[np.arange(len(due)), ahead]
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
    exposure = float(sql.run(con, "reserve_exposure", {"as_of": as_of})["exposure"].sum())
    flows = expected_buyouts(con, as_of, shock_pp, months)
    out = {"balance": balance, "guaranteed_exposure": exposure, "shock_pp": shock_pp}
    for name in ("base", "stressed"):
        total = float(flows[name].sum())
        out[f"buyouts_{name}"] = total
        out[f"months_of_coverage_{name}"] = balance / (total / months) if total > 0 else float("inf")
    return out
