"""What changed this month (managers): the figures that moved beyond their usual range at a month-end,
ranked, each with the page that explains it. Thresholds live in lendrisk/alerts.toml.

Kinds: vintage (a new vintage's cumulative default rate above every earlier vintage at the same age),
roll (a grade's roll from 1-30 into 31-60 above its usual range), cure (the 1-30 cure rate below its
usual range), reserve (reserve coverage under the threshold), industry (the overdue rate by amount
above the industry's). Rates are fractions; severity is how far past the threshold (>= 1 = alert).
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from lendrisk import liquidity, metrics, reports, risk, sql, vocab

CONFIG = Path(__file__).with_name("alerts.toml")
COLUMNS = ["kind", "subject", "value", "usual", "severity", "page"]
PAGES = {
    "vintage": "pages/vintages.py",
    "roll": "pages/vintages.py",
    "cure": "pages/vintages.py",
    "reserve": "pages/reserve.py",
    "industry": "pages/why.py",
}


def thresholds(path: Path = CONFIG) -> dict[str, dict[str, Any]]:
    """The alert thresholds of a TOML file (lendrisk/alerts.toml by default)."""
    with path.open("rb") as fh:
        return tomllib.load(fh)


def _alert(kind: str, subject: str, value: float, usual: float, severity: float) -> dict[str, Any]:
    """One alert row."""
    return {
        "kind": kind,
        "subject": subject,
        "value": value,
        "usual": usual,
        "severity": severity,
        "page": PAGES[kind],
    }


def _beyond(latest: float, history: np.ndarray, cfg: dict[str, Any], sign: int) -> float:
    """How far latest is past the usual range of history (sign +1 above, -1 below): >= 1 beyond it."""
    mean = float(history.mean())
    edge = max(cfg["sd_multiple"] * float(history.std()), cfg["min_gap"])
    return sign * (latest - mean) / edge


def vintage_alerts(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, cfg: dict[str, Any]
) -> list[dict[str, Any]]:
    """The newest vintages whose cumulative default rate at their age tops every earlier vintage's."""
    curves = reports.vintage_curves_as_of(con, as_of, cfg["grain"])
    if curves.empty:
        return []
    latest = curves.sort_values("months_on_book").groupby("vintage").tail(1)
    out = []
    for row in latest.sort_values("vintage").tail(cfg["recent"]).itertuples():
        if row.months_on_book < cfg["min_age"] or row.cumulative_default_rate <= 0:
            continue
        same_age = curves[
            (curves["vintage"] < row.vintage) & (curves["months_on_book"] == row.months_on_book)
        ]
        if len(same_age) < cfg["min_earlier"]:
            continue
        worst = float(same_age["cumulative_default_rate"].max())
        if row.cumulative_default_rate > worst:
            severity = row.cumulative_default_rate / worst if worst > 0 else float("inf")
            out.append(
                _alert(
                    "vintage",
                    str(pd.Timestamp(row.vintage).date()),
                    row.cumulative_default_rate,
                    worst,
                    severity,
                )
            )
    return out


def _monthly_rate(frame: pd.DataFrame, keys: list[str], hit: pd.Series) -> pd.DataFrame:
    """Per keys: balance, loans and the share of balance where hit holds (rate)."""
    grouped = frame.assign(hit_balance=frame["balance"].where(hit, 0.0)).groupby(keys, as_index=False)
    sums = grouped[["balance", "hit_balance", "loans"]].sum()
    return sums.assign(rate=sums["hit_balance"] / sums["balance"].where(sums["balance"] > 0))


def roll_alerts(con: duckdb.DuckDBPyConnection, as_of: dt.date, cfg: dict[str, Any]) -> list[dict[str, Any]]:
    """Grades whose roll from 1-30 into 31-60 at as_of jumped above the baseline months' usual range."""
    first = vocab.add_months(as_of, -cfg["baseline_months"])
    moves = sql.run(con, "roll_counts_by_month", {"from": first, "to": as_of})
    moves = moves[moves["from_state"] == "1-30"]
    rates = _monthly_rate(moves, ["grade", "month_end"], moves["to_state"] == "31-60").dropna(subset=["rate"])
    rates["month_end"] = pd.to_datetime(rates["month_end"]).dt.date
    out = []
    for grade, rows in rates.groupby("grade"):
        now, history = rows[rows["month_end"] == as_of], rows[rows["month_end"] < as_of]
        if now.empty or len(history) < 3 or int(now["loans"].iloc[0]) < cfg["min_loans"]:
            continue
        severity = _beyond(float(now["rate"].iloc[0]), history["rate"].to_numpy(float), cfg, +1)
        if severity >= 1:
            out.append(
                _alert(
                    "roll", str(grade), float(now["rate"].iloc[0]), float(history["rate"].mean()), severity
                )
            )
    return out


def cure_alerts(con: duckdb.DuckDBPyConnection, as_of: dt.date, cfg: dict[str, Any]) -> list[dict[str, Any]]:
    """The 1-30 bucket's cure rate at as_of when it fell below the baseline months' usual range."""
    cures = risk.cure_rates_by_month(con, as_of, cfg["baseline_months"] + 1)
    cures = cures[cures["bucket"] == "1-30"].assign(
        month_end=lambda f: pd.to_datetime(f["month_end"]).dt.date
    )
    now, history = cures[cures["month_end"] == as_of], cures[cures["month_end"] < as_of]
    if now.empty or len(history) < 3 or int(now["loans"].iloc[0]) < cfg["min_loans"]:
        return []
    latest = float(now["cure_rate"].iloc[0])
    severity = _beyond(latest, history["cure_rate"].to_numpy(float), cfg, -1)
    return (
        [_alert("cure", "1-30", latest, float(history["cure_rate"].mean()), severity)]
        if severity >= 1
        else []
    )


def reserve_alerts(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, cfg: dict[str, Any]
) -> list[dict[str, Any]]:
    """Reserve coverage under the threshold (stores with a reserve only)."""
    if not liquidity.has_reserve(con, as_of):
        return []
    coverage = risk.reserve_coverage(con, as_of)["coverage"]
    if coverage >= cfg["min_coverage"]:
        return []
    return [_alert("reserve", "", coverage, cfg["min_coverage"], cfg["min_coverage"] / max(coverage, 1e-9))]


def industry_alerts(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, cfg: dict[str, Any]
) -> list[dict[str, Any]]:
    """The overdue rate by amount above the published industry rate (when there is one)."""
    row = metrics.overdue_trend(con, as_of, as_of)
    if row.empty or pd.isna(row["industry_overdue_rate"].iloc[0]):
        return []
    rate, industry = float(row["overdue_rate_amount"].iloc[0]), float(row["industry_overdue_rate"].iloc[0])
    limit = industry * (1 + cfg["margin"])
    if rate <= limit:
        return []
    return [_alert("industry", "", rate, industry, rate / limit if limit > 0 else float("inf"))]


def manager_alerts(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, config: dict[str, dict[str, Any]] | None = None
) -> pd.DataFrame:
    """One row per alert at month-end as_of, most severe first (kind, subject, value, usual, severity,
    page); config defaults to lendrisk/alerts.toml."""
    cfg = config or thresholds()
    rows = [
        *vintage_alerts(con, as_of, cfg["vintage"]),
        *roll_alerts(con, as_of, cfg["roll"]),
        *cure_alerts(con, as_of, cfg["cure"]),
        *reserve_alerts(con, as_of, cfg["reserve"]),
        *industry_alerts(con, as_of, cfg["industry"]),
    ]
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame.sort_values("severity", ascending=False, kind="stable").reset_index(drop=True)


def investor_changes(con: duckdb.DuckDBPyConnection, as_of: dt.date, investor_id: str) -> pd.DataFrame:
    """One row per loan of mine × change in the month ending as_of: rolled to a worse bucket, charged
    off, recovery, guarantor buy-out (queries/investor_changes.sql; amounts my share, currency units)."""
    frame = sql.run(
        con, "investor_changes", {"as_of": vocab.require_month_end(as_of), "investor_id": investor_id}
    )
    frame["on_date"] = pd.to_datetime(frame["on_date"]).dt.date
    return frame
