"""Why the overdue rate moved: growth-adjusted rates and a cause attribution between two month-ends.

The change in a balance rate (overdue rate by amount, or the M3+ rate) from month-end D0 to D1 is
split into bars that add up to the observed change exactly, by construction (docs/why-it-moved.md):

- growth: the book's age mix (months on book) moving, at D1's rates by age. The growth-adjusted
  (vintage-based) rate is D1's rates by age at D0's age mix, so plain rate at D1 - growth =
  growth-adjusted rate;
- mix by grade, score band, channel and income verification: nested midpoint shift-share within each
  age band (a shift toward riskier cells at unchanged cell rates);
- macro: the unemployment change through the estimated stress elasticity of the roll rates
  (lendrisk.risk.stress_sensitivity); absent when the store has no unemployment series;
- collections: the overdue buckets' roll and cure rates of the period against the period before,
  grade by grade at a fixed grade mix, net of the macro part;
- rest: the within-cell change that none of the above explains.

Rates and bars are fractions (0.01 = 1 percentage point); amounts currency units; dates month-ends.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from lendrisk import risk, sql, vocab

AGE = "age_band"
MIX_DIMENSIONS: tuple[str, ...] = ("grade", "score_band", "channel", "income_verification")
METRICS: dict[str, str] = {"overdue": "overdue_balance", "m3plus": "m3plus_balance"}
# overdue buckets (indices in vocab.ACTIVE_STATES less one: 1-30, 31-60, 61-90, 90+) each metric counts
METRIC_BUCKETS: dict[str, tuple[int, ...]] = {"overdue": (0, 1, 2, 3), "m3plus": (3,)}
BARS: tuple[str, ...] = ("growth", *(f"mix_{d}" for d in MIX_DIMENSIONS), "macro", "collections", "rest")
LAGS: tuple[int, ...] = (3, 6)  # months a loan must have been on book for the lagged rates
_OVERDUE = list(range(1, 5))  # rows/columns of the overdue buckets in a 7-state matrix


@dataclass(frozen=True)
class Attribution:
    """The cause attribution of one rate between two month-ends (rates and bars as fractions)."""

    metric: str
    start: dt.date
    end: dt.date
    start_rate: float
    end_rate: float
    growth_adjusted_rate: float  # D1's rates by months on book at D0's age mix
    bars: pd.DataFrame  # bar, value (fraction), pp; no macro row when there is no macro series
    unemployment_change_pp: float | None  # None without a macro series
    macro_reason: str | None  # why the macro bar is absent or zero: no_series, not_identified


def cells(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> pd.DataFrame:
    """One row per age band × segment cell of the active book at month-end as_of (currency units)."""
    return sql.run(con, "attribution_cells", {"as_of": as_of})


def lagged_rates(
    con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date, lag_months: int
) -> pd.DataFrame:
    """One row per month-end in [start, end]: plain and lagged overdue and M3+ rates (fractions)."""
    return sql.run(con, "lagged_overdue_rates", {"from": start, "to": end, "lag_months": lag_months})


def _paired(cells0: pd.DataFrame, cells1: pd.DataFrame, value: str) -> pd.DataFrame:
    """Both dates' cells side by side: b0, o0, b1, o1 (balance and metric balance, 0 when absent)."""
    keys = [AGE, *MIX_DIMENSIONS]
    left = cells0[[*keys, "outstanding_principal", value]].set_axis([*keys, "b0", "o0"], axis=1)
    right = cells1[[*keys, "outstanding_principal", value]].set_axis([*keys, "b1", "o1"], axis=1)
    return left.merge(right, on=keys, how="outer").fillna({"b0": 0.0, "o0": 0.0, "b1": 0.0, "o1": 0.0})


def _ratio(num: pd.Series, den: pd.Series | float) -> pd.Series:
    """num / den, NaN where den is 0."""
    den = pd.Series(den, index=num.index) if np.isscalar(den) else den
    return num / den.where(den > 0)


def _fill_pair(x0: pd.Series, x1: pd.Series) -> tuple[pd.Series, pd.Series]:
    """A value missing at one date takes the other date's; missing at both, 0 (an empty cell)."""
    return x0.fillna(x1).fillna(0.0), x1.fillna(x0).fillna(0.0)


def _level(frame: pd.DataFrame, parent: list[str], child: list[str]) -> pd.DataFrame:
    """One row per child cell: conditional balance weights v0, v1 within the parent and rates a0, a1.

    A cell empty at one date takes the other date's rate; a parent empty at one date takes the other
    date's weights: so each parent's rate is the weighted sum of its children's at both dates.
    """
    sums = frame.groupby(child, as_index=False, dropna=False)[["b0", "o0", "b1", "o1"]].sum()
    if parent:
        totals = sums.groupby(parent, dropna=False)[["b0", "b1"]].transform("sum")
        t0, t1 = totals["b0"], totals["b1"]
    else:
        t0, t1 = float(sums["b0"].sum()), float(sums["b1"].sum())
    v0, v1 = _fill_pair(_ratio(sums["b0"], t0), _ratio(sums["b1"], t1))
    a0, a1 = _fill_pair(_ratio(sums["o0"], sums["b0"]), _ratio(sums["o1"], sums["b1"]))
    return sums[child].assign(v0=v0, v1=v1, a0=a0, a1=a1)


def shift_share(frame: pd.DataFrame) -> dict[str, float]:
    """Exact split of the rate change (Σo/Σb at both dates) into growth, nested mix and within parts.

    Growth (age mix) is valued at the end rates, Σ (w1 - w0)·a1; inside each age band the change
    a1 - a0, weighted by the start age mix w0, is split level by level (grade, score band, channel,
    income verification) by midpoint shift-share: Δv·(a0 + a1)/2 at each level, carried down with
    the midpoint path weight; the finest cells' Σ weight·Δa is "within". The parts sum to
    Σo1/Σb1 - Σo0/Σb0 exactly (docs/why-it-moved.md). Fractions.
    """
    ages = _level(frame, [], [AGE])
    parts = {"growth": float(((ages["v1"] - ages["v0"]) * ages["a1"]).sum())}
    keys, path = [AGE], ages[[AGE]].assign(weight=ages["v0"])
    for dim in MIX_DIMENSIONS:
        level = _level(frame, keys, [*keys, dim]).merge(path, on=keys)
        shift = level["weight"] * (level["v1"] - level["v0"]) * (level["a0"] + level["a1"]) / 2
        parts[f"mix_{dim}"] = float(shift.sum())
        keys = [*keys, dim]
        path = level[keys].assign(weight=level["weight"] * (level["v0"] + level["v1"]) / 2)
        changes = level["a1"] - level["a0"]
    parts["within"] = float((path["weight"] * changes).sum())
    return parts


def growth_adjusted_rate(frame: pd.DataFrame) -> float:
    """D1's rate by months on book at D0's age mix (the vintage-based rate), a fraction."""
    ages = _level(frame, [], [AGE])
    return float((ages["v0"] * ages["a1"]).sum())


# --- roll rates: collections and macro ---------------------------------------------------------


def _grade_balances(con: duckdb.DuckDBPyConnection, after: dt.date, through: dt.date) -> np.ndarray:
    """Balance moved per grade × from state (current..90+) × to state (7) in (after, through]."""
    moves = sql.run(con, "grade_roll_balances", {"after": after, "through": through})
    out = np.zeros((len(vocab.GRADES), len(vocab.ACTIVE_STATES), len(vocab.STATES)))
    g = moves["grade"].map({x: i for i, x in enumerate(vocab.GRADES)}).to_numpy()
    f = moves["from_state"].map({x: i for i, x in enumerate(vocab.STATES)}).to_numpy()
    t = moves["to_state"].map({x: i for i, x in enumerate(vocab.STATES)}).to_numpy()
    np.add.at(out, (g, f, t), moves["balance"].to_numpy(float))
    return out


def fixed_mix_matrices(before: np.ndarray, during: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two 7×7 monthly transition matrices, grade by grade at one grade mix (the two periods' pooled
    balance out of each state): a shift toward riskier grades moves neither. A grade's row empty in
    one period takes the other period's row; rows of paid_off and charged_off are absorbing."""
    rows = [before.sum(axis=2), during.sum(axis=2)]
    probs = [
        np.divide(b, r[:, :, None], out=np.full(b.shape, np.nan), where=r[:, :, None] > 0)
        for b, r in zip((before, during), rows, strict=True)
    ]
    p0, p1 = (
        np.where(np.isnan(probs[0]), probs[1], probs[0]),
        np.where(np.isnan(probs[1]), probs[0], probs[1]),
    )
    pooled = rows[0] + rows[1]
    weight = np.divide(pooled, pooled.sum(axis=0), out=np.zeros_like(pooled), where=pooled.sum(axis=0) > 0)
    out = []
    for p in (p0, p1):
        matrix = np.zeros((len(vocab.STATES), len(vocab.STATES)))
        matrix[: len(vocab.ACTIVE_STATES)] = np.einsum("gf,gft->ft", weight, np.nan_to_num(p))
        matrix[vocab.PAID_OFF, vocab.PAID_OFF] = matrix[vocab.CHARGED_OFF, vocab.CHARGED_OFF] = 1.0
        out.append(matrix)
    return out[0], out[1]


def overdue_occupancy(matrix: np.ndarray, metric: str, horizon: int = 36) -> float:
    """Months a unit of balance entering 1-30 spends in the metric's buckets over `horizon` months.

    The overdue stock is the monthly inflow into 1-30 times this (a steady-state stock model): the
    cure and roll rates of the overdue buckets set it, the inflow from current does not."""
    q = matrix[np.ix_(_OVERDUE, _OVERDUE)]
    state, total = np.eye(len(_OVERDUE))[0], 0.0
    for _ in range(horizon):
        total += state[list(METRIC_BUCKETS[metric])].sum()
        state = state @ q
    return float(total)


def default_start(end: dt.date, earlier: list[dt.date]) -> dt.date:
    """The month-end a year before end when it is among the earlier month-ends, else the earliest."""
    year_before = vocab.add_months(end, -12)
    return year_before if year_before in earlier else min(earlier)


def _months_between(start: dt.date, end: dt.date) -> int:
    """Whole months from month-end start to month-end end."""
    return (end.year - start.year) * 12 + end.month - start.month


def _unemployment(
    con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date
) -> tuple[float | None, str | None]:
    """Unemployment change from start to end in percentage points; (None, "no_series") without one."""
    series = sql.run(con, "unemployment_by_month", {"as_of": end})
    rates = dict(zip(pd.to_datetime(series["month_end"]).dt.date, series["unemployment_rate"], strict=True))
    if start not in rates or end not in rates:
        return None, "no_series"
    return (float(rates[end]) - float(rates[start])) * 100, None


def _roll_effects(
    con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date, metric: str, shock_pp: float | None
) -> tuple[float, float, str | None]:
    """(macro multiplier, collections multiplier, why macro is zero) of the metric's overdue stock.

    Macro: the start period's roll rates (fixed grade mix) stressed by the unemployment change
    through the estimated elasticities (risk.stress_sensitivity), inflow from current included.
    Collections: the period's overdue-bucket roll and cure rates against that macro-adjusted start."""
    months = _months_between(start, end)
    before = _grade_balances(con, vocab.add_months(start, -months), start)
    p0, p1 = fixed_mix_matrices(before, _grade_balances(con, start, end))
    base, macro, reason = overdue_occupancy(p0, metric), 1.0, None
    p0_macro = p0
    if shock_pp is not None:
        sensitivity = risk.stress_sensitivity(con, end)
        factors = sensitivity["factor_per_pp"].to_numpy(float)
        reason = None if (sensitivity["slope_per_pp"] != 0).any() and shock_pp != 0 else "not_identified"
        p0_macro = risk.stress_matrices(p0[None], factors, shock_pp)[0]
        stressed = overdue_occupancy(p0_macro, metric)
        macro = float(factors[0] ** shock_pp) * (stressed / base if base > 0 else 1.0)
    shifted = overdue_occupancy(p0_macro, metric)
    collections = overdue_occupancy(p1, metric) / shifted if shifted > 0 else 1.0
    return macro, collections, reason


def attribute(
    con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date, metric: str = "overdue"
) -> Attribution:
    """The cause attribution of the metric's rate (overdue or m3plus) from month-end start to end.

    Bars (fractions) sum to end_rate - start_rate exactly; see the module docstring."""
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {', '.join(METRICS)}, not {metric!r}")
    if end <= start:
        raise ValueError(f"the later month-end {end.isoformat()} must come after {start.isoformat()}")
    frame = _paired(cells(con, start), cells(con, end), METRICS[metric])
    b0, b1 = float(frame["b0"].sum()), float(frame["b1"].sum())
    if b0 <= 0 or b1 <= 0:
        raise ValueError(f"no active loans at {(start if b0 <= 0 else end).isoformat()}")
    r0, r1 = float(frame["o0"].sum()) / b0, float(frame["o1"].sum()) / b1
    parts = shift_share(frame)
    shock_pp, reason = _unemployment(con, start, end)
    macro_m, collections_m, why_zero = _roll_effects(con, start, end, metric, shock_pp)
    values = {key: parts[key] for key in BARS if key in parts}
    values["macro"] = r0 * (macro_m - 1)
    values["collections"] = r0 * macro_m * (collections_m - 1)
    values["rest"] = parts["within"] - values["macro"] - values["collections"]
    bars = pd.DataFrame({"bar": list(BARS), "value": [values[b] for b in BARS]})
    bars["pp"] = bars["value"] * 100
    if shock_pp is None:
        bars = bars[bars["bar"] != "macro"].reset_index(drop=True)
    return Attribution(
        metric=metric,
        start=start,
        end=end,
        start_rate=r0,
        end_rate=r1,
        growth_adjusted_rate=growth_adjusted_rate(frame),
        bars=bars,
        unemployment_change_pp=shock_pp,
        macro_reason=reason or why_zero,
    )


def growth_rates(con: duckdb.DuckDBPyConnection, as_of: dt.date, metric: str = "overdue") -> dict[str, float]:
    """The plain rate at as_of beside its growth-adjusted versions (fractions): lagged_3 and lagged_6
    (the metric balance over the loans on book at least 3 or 6 months; NaN when none is that old)
    and vintage (as_of's rates by months on book at the age mix of 12 months earlier; NaN when the
    book is younger than that). ValueError when nothing is active at as_of."""
    column = METRICS[metric]
    out: dict[str, float] = {}
    for lag in LAGS:
        row = lagged_rates(con, as_of, as_of, lag)
        if row.empty:
            raise ValueError(f"no active loans at {as_of.isoformat()}")
        out["plain"] = float(row[column].iloc[0]) / float(row["outstanding_principal"].iloc[0])
        seasoned = float(row["seasoned_principal"].iloc[0])
        out[f"lagged_{lag}"] = float(row[column].iloc[0]) / seasoned if seasoned > 0 else float("nan")
    frame = _paired(cells(con, vocab.add_months(as_of, -12)), cells(con, as_of), column)
    out["vintage"] = growth_adjusted_rate(frame) if frame["b0"].sum() > 0 else float("nan")
    return out
