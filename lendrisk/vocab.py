"""The domain vocabulary, defined once: loan states and their order, DPD buckets, chart colours, roles
and month-end arithmetic. Every other module imports these; a test fails on a second definition.

Dates are calendar dates; a month-end is the last day of its month.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd

from lendrisk import sql

# --- loan states ------------------------------------------------------------------------------

# Every state a loan is in at a month-end, in display and matrix order: active (by days past due),
# then the two closed states.
STATES: tuple[str, ...] = ("current", "1-30", "31-60", "61-90", "90+", "paid_off", "charged_off")
ACTIVE_STATES: tuple[str, ...] = STATES[:5]
CLOSED_STATES: tuple[str, ...] = STATES[5:]
# DPD buckets: an active loan's state; overdue = every bucket past current.
BUCKETS: tuple[str, ...] = ACTIVE_STATES
OVERDUE_BUCKETS: tuple[str, ...] = ACTIVE_STATES[1:]
# Index of a state in STATES (rows and columns of a roll-rate matrix).
CURRENT, PAID_OFF, CHARGED_OFF = (STATES.index(s) for s in ("current", "paid_off", "charged_off"))
# Installments a loan in an active state is behind (current 0 .. 90+ 4).
MONTHS_BEHIND: dict[str, int] = {state: n for n, state in enumerate(ACTIVE_STATES)}

GRADES: tuple[str, ...] = ("A", "B", "C", "D", "E", "F", "G")
PRODUCTS: tuple[str, ...] = ("personal", "consumer", "small_business")
# Who bears a loan's loss at 90+ (loans.guarantee; a null guarantee is none).
GUARANTEES: tuple[str, ...] = ("none", "reserve", "partner")

# --- loan stories -----------------------------------------------------------------------------

# Post-loan event kinds (docs/design.md §2): the codes loan_events.kind may take.
EVENT_KINDS: tuple[str, ...] = (
    "reminder",
    "call",
    "visit",
    "promise_to_pay",
    "restructured",
    "legal_filed",
    "judgment",
    "charged_off",
    "transferred",
)
# Milestones of a loan's story in display order (timeline rows, top to bottom): the post-loan events
# from the first reminder to the judgment, then what ends the loan.
MILESTONES: tuple[str, ...] = (
    "originated",
    "first_missed",
    *EVENT_KINDS[:7],
    "guarantor_buyout",
    "charged_off",
    "collection_recovery",
    "transferred",
    "repaid_early",
    "paid_off",
)
# The cumulative series of a loan story's payments chart.
STORY_SERIES: tuple[str, ...] = ("scheduled", "paid_borrower", "paid_guarantor")

# --- colours ----------------------------------------------------------------------------------

# One colour per state on every chart, investor and manager alike: current green through 90+ dark
# red; charged_off grey-black, paid_off blue.
STATE_COLOURS: dict[str, str] = {
    "current": "#2e7d32",
    "1-30": "#f9a825",
    "31-60": "#ef6c00",
    "61-90": "#d32f2f",
    "90+": "#7b1010",
    "paid_off": "#1f77b4",
    "charged_off": "#424242",
}
# Grades A (green) .. G (dark red).
GRADE_COLOURS: dict[str, str] = {
    "A": "#1b7837",
    "B": "#5aae61",
    "C": "#a6d96a",
    "D": "#fdae61",
    "E": "#f46d43",
    "F": "#d73027",
    "G": "#7b1010",
}
# A loan story's milestones (MILESTONES) on its timeline.
MILESTONE_COLOURS: dict[str, str] = {
    "originated": "#1565c0",
    "first_missed": "#f9a825",
    "reminder": "#ef6c00",
    "call": "#ef6c00",
    "visit": "#ef6c00",
    "promise_to_pay": "#ef6c00",
    "restructured": "#6a1b9a",
    "legal_filed": "#b71c1c",
    "judgment": "#b71c1c",
    "guarantor_buyout": "#00838f",
    "charged_off": "#37474f",
    "collection_recovery": "#2e7d32",
    "transferred": "#6a1b9a",
    "repaid_early": "#2e7d32",
    "paid_off": "#2e7d32",
}

# --- roles ------------------------------------------------------------------------------------

ROLES: tuple[str, ...] = ("investor", "manager", "admin")
INVESTOR_ROLES: tuple[str, ...] = ("investor",)
PLATFORM_ROLES: tuple[str, ...] = ("manager", "admin")
ADMIN_ROLES: tuple[str, ...] = ("admin",)

# --- month-end arithmetic ---------------------------------------------------------------------


def is_month_end(day: dt.date) -> bool:
    """Whether a date is the last day of its month."""
    return (day + dt.timedelta(days=1)).day == 1


def require_month_end(day: dt.date) -> dt.date:
    """The day itself when it is a month-end; ValueError otherwise (tape figures exist only there)."""
    if not is_month_end(day):
        raise ValueError(f"{day.isoformat()} is not a month-end")
    return day


def last_month_end(day: dt.date) -> dt.date:
    """The last month-end on or before a date."""
    return day if is_month_end(day) else day.replace(day=1) - dt.timedelta(days=1)


def add_months(month_end: dt.date, months: int) -> dt.date:
    """The month-end `months` months after (or before, when negative) a month-end."""
    return (pd.Timestamp(month_end) + pd.offsets.MonthEnd(months)).date()


def month_start(month_ends: pd.Series) -> pd.Series:
    """Month-end dates as the first day of their month: charts place a month's figure on its own month."""
    return pd.to_datetime(month_ends).dt.to_period("M").dt.to_timestamp()


def add_months_clipped(day: np.ndarray, months: np.ndarray) -> np.ndarray:
    """day + months calendar months, the day of month clipped to the month's last day (datetime64[D])."""
    month0 = day.astype("datetime64[M]")
    dom = (day - month0.astype("datetime64[D]")).astype("int64")
    target = month0 + months.astype("int64")
    last = ((target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")).astype("int64") - 1
    return target.astype("datetime64[D]") + np.minimum(dom, last)


def observed_to(con: duckdb.DuckDBPyConnection) -> dt.date:
    """The store's end of observation (a month-end); LookupError in a store with no tape and no meta."""
    value = sql.run(con, "observed_to")["observed_to"].iloc[0]
    if pd.isna(value):
        raise LookupError("the store has no observation end: it holds no loans")
    return pd.Timestamp(value).date()
