"""Investor workspace: one investor's holdings, overdue rate over time, loan stories and Learn stories.

The functions the investor pages need that lendrisk.metrics and lendrisk.risk do not give, built on
queries/investor_*.sql and queries/loan_story_*.sql, and the loan story's chart data (the figures
themselves are lendrisk.charts').
Amounts are currency units (floats), rates and shares fractions in 0..1, dates calendar dates.
An investor id always comes from the caller (the pages take it from the logged-in user only).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

import duckdb
import numpy as np
import pandas as pd

from lendrisk import charts, i18n, metrics, risk, sql, store
from lendrisk.vocab import ACTIVE_STATES, MILESTONES

# "attention" (the default): overdue loans with money at stake first (worst DPD, then exposure), then
# current ones, bought-out ones, charge-offs and paid-off loans.
SORT_KEYS: tuple[str, ...] = ("attention", "el", "exposure", "dpd", "invested")
NEXT_PAYMENT_MONTHS = 600  # how far ahead holdings look for a loan's next installment (any term)
# the columns of queries/holding_risk_inputs.sql, which investor_holdings carries for its at_risk rows
RISK_INPUTS = ["holding_id", "loan_id", "grade", "product", "guarantee", "state", "dpd"]
RISK_INPUTS += ["remaining_months", "share", "outstanding_principal", "ead"]


def _dates(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """The frame with the named datetime columns as calendar dates (None when missing)."""
    out = frame.copy()
    for col in columns:
        # numpy turns datetime64[D] into datetime.date objects and NaT into None, in C
        days = pd.to_datetime(out[col]).to_numpy().astype("datetime64[D]").astype(object)
        out[col] = days.tolist()
    return out


# --- holdings and portfolio -------------------------------------------------------------------


def holdings(con: duckdb.DuckDBPyConnection, as_of: dt.date, investor_id: str) -> pd.DataFrame:
    """One row per holding at month-end as_of: loan, terms, state, DPD, exposure, EL, received, next due.

    exposure as overdue_by_bucket has it; el = the risk engine's expected principal loss after the
    risk-reserve guarantee (el_after_guarantee), pd the probability it uses (0 for closed holdings);
    received = the investor's share of every repayment so far (the cash flows XIRR uses);
    next_due_on / next_due = the next installment not yet due and the investor's share of it
    (missing for a closed or bought-out loan). Amounts in currency units.
    """
    params = {"as_of": as_of, "investor_id": investor_id, "months": NEXT_PAYMENT_MONTHS}
    frame = sql.run(con, "investor_holdings", params)
    later = ["received", "next_due_on", "next_due"]  # one query reads them: columns after el's
    cash = frame[["holding_id", *later]].set_index("holding_id")
    inputs = frame.loc[frame["at_risk"], RISK_INPUTS].reset_index(drop=True)  # = holding_risk_inputs
    risk_only = ["at_risk", "remaining_months", "outstanding_principal", "ead"]
    frame = _dates(frame.drop(columns=[*later, *risk_only]), "invested_on")
    priced = risk.holding_expected_loss(con, as_of, inputs)
    priced["pd"] = priced["pd_12m"].where(priced["stage"] == 1, priced["pd_lifetime"])
    priced = priced[["holding_id", "pd", "lgd", "el_after_guarantee"]].rename(
        columns={"el_after_guarantee": "el"}
    )
    frame = frame.merge(priced, on="holding_id", how="left")
    frame[["pd", "lgd", "el"]] = frame[["pd", "lgd", "el"]].fillna(0.0)
    frame["received"] = frame["holding_id"].map(cash["received"]).fillna(0.0).astype(float)
    upcoming = _dates(cash.loc[cash["next_due_on"].notna()], "next_due_on")
    frame["next_due_on"] = frame["holding_id"].map(upcoming["next_due_on"])
    frame["next_due"] = frame["holding_id"].map(upcoming["next_due"]).astype(float)
    return frame


def attention_rank(frame: pd.DataFrame) -> pd.Series:
    """Each holding's group in the default order: 0 overdue with exposure, 1 current, 2 bought out,
    3 charged off, 4 paid off."""
    at_stake = frame["exposure"] > 0
    running = frame["state"].isin(ACTIVE_STATES)
    overdue = running & (frame["state"] != "current")
    rank = np.select(
        [overdue & at_stake, running & at_stake, running, frame["state"] == "charged_off"], [0, 1, 2, 3], 4
    )
    return pd.Series(rank, index=frame.index)


def _sorted(frame: pd.DataFrame, sort_by: str) -> pd.DataFrame:
    """Holdings in the order sort_by names (SORT_KEYS), largest first; ties by holding id."""
    if sort_by != "attention":
        return frame.sort_values([sort_by, "holding_id"], ascending=[False, True], na_position="last")
    keyed = frame.assign(_rank=attention_rank(frame))
    keys = ["_rank", "dpd", "exposure", "invested", "holding_id"]
    return keyed.sort_values(keys, ascending=[True, False, False, False, True]).drop(columns="_rank")


def filter_holdings(
    frame: pd.DataFrame,
    states: Sequence[str] = (),
    grades: Sequence[str] = (),
    products: Sequence[str] = (),
    sort_by: str = "attention",
    *,
    active_only: bool = False,
    search: str = "",
) -> pd.DataFrame:
    """Holdings narrowed to the chosen states, grades and products (empty = all), to running loans
    (active_only) and to loan ids containing search (any case), in sort_by order (SORT_KEYS)."""
    if sort_by not in SORT_KEYS:
        raise ValueError(f"sort_by must be one of {SORT_KEYS}, not {sort_by!r}")
    keep = pd.Series(True, index=frame.index)
    for col, chosen in (("state", states), ("grade", grades), ("product", products)):
        if chosen:
            keep &= frame[col].isin(list(chosen))
    if active_only:
        keep &= frame["state"].isin(ACTIVE_STATES)
    if search.strip():
        keep &= frame["loan_id"].astype(str).str.contains(search.strip(), case=False, regex=False)
    return _sorted(frame[keep], sort_by).reset_index(drop=True)


def portfolio_summary(con: duckdb.DuckDBPyConnection, as_of: dt.date, investor_id: str) -> dict[str, float]:
    """The investor's KPIs at month-end as_of: risk.investor_returns plus overdue balance and its share."""
    returns = risk.investor_returns(con, as_of, investor_id)
    buckets = metrics.overdue_by_bucket(con, as_of, investor_id=investor_id)
    exposure = float(buckets["outstanding_principal"].sum())
    overdue = float(buckets.loc[buckets["bucket"] != "current", "outstanding_principal"].sum())
    return {
        **returns,
        "exposure": exposure,
        "overdue_balance": overdue,
        "overdue_share": overdue / exposure if exposure > 0 else float("nan"),
        "past_due_amount": float(buckets["past_due_amount"].sum()),
        "loans": int(buckets["loans"].sum()),
    }


def cash_flows(con: duckdb.DuckDBPyConnection, as_of: dt.date, investor_id: str) -> pd.DataFrame:
    """One row per cash flow of the investor up to month-end as_of, newest first (the flows XIRR uses).

    Columns as investor_cash_flows.sql: flow_on, holding_id, loan_id, kind, source, principal,
    interest, fee, amount (signed currency units: − invested, + received); an investment's source
    is "investor" (the investor paid it) and its principal / interest / fee are missing.
    """
    frame = _dates(risk.investor_cash_flows(con, as_of, investor_id), "flow_on")
    frame["source"] = frame["source"].fillna("investor")
    # an investment has no principal / interest / fee split: blank, not ¥0.00
    investment = frame["kind"] == "investment"
    frame[["principal", "interest", "fee"]] = frame[["principal", "interest", "fee"]].astype(float)
    frame.loc[investment, ["principal", "interest", "fee"]] = np.nan
    return frame.sort_values(["flow_on", "holding_id"], ascending=[False, True], kind="stable").reset_index(
        drop=True
    )


def overdue_trend(con: duckdb.DuckDBPyConnection, as_of: dt.date, investor_id: str) -> pd.DataFrame:
    """One row per month-end from the investor's first investment to as_of: exposure, overdue rates.

    A book of store.BIG_BOOK_HOLDINGS holdings or more is read from the investor_month mart, a
    smaller one from the tape (the same rows)."""
    params = {"as_of": as_of, "investor_id": investor_id}
    stored = {**params, "big_book_holdings": store.BIG_BOOK_HOLDINGS}
    frame = sql.run(con, "investor_overdue_trend_stored", stored)
    if frame.empty:
        frame = sql.run(con, "investor_overdue_trend", params)
    return _dates(frame, "month_end")


def overdue_rates(con: duckdb.DuckDBPyConnection, as_of: dt.date, investor_id: str) -> pd.DataFrame:
    """One row per month-end × series (investor, platform, industry): overdue rate by amount (0..1).

    The investor's rows also carry the basis of the rate: loans (running loans with exposure),
    exposure and overdue_exposure (currency units; missing on the other series). The investor's
    months with no exposure have no rate and are left out; industry is the published benchmark in
    macro (left out where missing).
    """
    mine = overdue_trend(con, as_of, investor_id)
    columns = ["month_end", "series", "rate", "loans", "exposure", "overdue_exposure"]
    if mine.empty:
        return pd.DataFrame(columns=columns)
    platform = metrics.overdue_trend(con, mine["month_end"].iloc[0], as_of)
    platform = _dates(platform, "month_end")
    parts = [
        mine.assign(series="investor", rate=mine["overdue_rate"], loans=mine["held_loans"]),
        platform.assign(series="platform", rate=platform["overdue_rate_amount"]),
        platform.assign(series="industry", rate=platform["industry_overdue_rate"]),
    ]
    out = pd.concat([p.reindex(columns=columns) for p in parts], ignore_index=True)
    out = out[out["rate"].notna()]
    out[["rate", "loans", "exposure", "overdue_exposure"]] = out[
        ["rate", "loans", "exposure", "overdue_exposure"]
    ].astype(float)
    return out.reset_index(drop=True)


SMALL_BOOK_LOANS = 10  # below this many running loans one late loan moves the investor's rate by > 10 pp


def overdue_basis(rates: pd.DataFrame) -> dict[str, object]:
    """What the investor's latest overdue rate rests on: month_end, rate, overdue, exposure (currency
    units), loans, small (fewer than SMALL_BOOK_LOANS loans) and small_months (months of the chart
    whose rate rests on so few loans)."""
    mine = rates[rates["series"] == "investor"]
    last = mine.iloc[-1]
    return {
        "month_end": last["month_end"],
        "rate": float(last["rate"]),
        "overdue": float(last["overdue_exposure"]),
        "exposure": float(last["exposure"]),
        "loans": int(last["loans"]),
        "small": int(last["loans"]) < SMALL_BOOK_LOANS,
        "small_months": int((mine["loans"] < SMALL_BOOK_LOANS).sum()),
    }


def top_borrowers(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, investor_id: str, n: int = 10
) -> pd.DataFrame:
    """The investor's n largest borrowers at as_of: rank, borrower_id, loans, exposure, share (0..1)."""
    frame = metrics.borrower_exposures(con, as_of, investor_id)
    return frame.head(n)[["rank", "borrower_id", "loans", "exposure", "share"]].reset_index(drop=True)


# --- risk page helpers -----------------------------------------------------------------------


def stress_by_state(result: dict[str, object]) -> pd.DataFrame:
    """One row per active bucket of a risk.stressed_expected_loss result: EL before and after the shock."""
    loans = cast(pd.DataFrame, result["loans"])
    grouped = loans.groupby("state")[["el_after_guarantee", "el_after_guarantee_stressed"]].sum()
    frame = grouped.reindex(list(ACTIVE_STATES), fill_value=0.0).reset_index()
    return frame.rename(columns={"el_after_guarantee": "el", "el_after_guarantee_stressed": "el_stressed"})


def stress_explained(result: dict[str, object]) -> dict[str, float | bool]:
    """Why a stressed expected loss moved (risk.stressed_expected_loss's result), in currency units:
    el / el_stressed before any guarantee, covered / covered_stressed = the part the risk reserve
    absorbs, coverage / coverage_stressed (0..1) and reserve_gives_out (coverage falls under stress)."""
    el, el_s = float(result["el"]), float(result["el_stressed"])
    after, after_s = float(result["el_after_guarantee"]), float(result["el_after_guarantee_stressed"])
    coverage, coverage_s = float(result["reserve_coverage"]), float(result["reserve_coverage_stressed"])
    return {
        "el": el,
        "el_stressed": el_s,
        "covered": el - after,
        "covered_stressed": el_s - after_s,
        "coverage": coverage,
        "coverage_stressed": coverage_s,
        "reserve_gives_out": coverage_s < coverage - 1e-9,
    }


def loss_histogram(losses: np.ndarray, bins: int = 40) -> pd.DataFrame:
    """Simulated losses in equal-width bins: loss_from, loss_to (currency units), runs, share (0..1)."""
    losses = np.asarray(losses, dtype=float)
    if losses.size == 0:
        return pd.DataFrame(columns=["loss_from", "loss_to", "runs", "share"])
    low, high = float(losses.min()), float(losses.max())
    if high - low < 0.005:
        high = low + 1.0
    counts, edges = np.histogram(losses, bins=bins, range=(low, high))
    return pd.DataFrame(
        {"loss_from": edges[:-1], "loss_to": edges[1:], "runs": counts, "share": counts / losses.size}
    )


def tail_probability(losses: np.ndarray, exposure: float, k: float) -> float:
    """P(loss > k × exposure) over simulated losses (k 0.05 = 5 % of the exposure); 0 with no exposure."""
    losses = np.asarray(losses, dtype=float)
    if exposure <= 0 or losses.size == 0:
        return 0.0
    return float((losses > k * exposure).mean())


# --- loan stories -----------------------------------------------------------------------------


@dataclass(frozen=True)
class LoanStory:
    """One loan up to an as-of date: facts, installments, payments, events and derived milestones."""

    as_of: dt.date
    loan: dict[str, object]  # loan_story_loan's row
    schedule: pd.DataFrame  # one row per installment (loan_story_schedule)
    payments: pd.DataFrame  # one row per repayment (loan_story_payments)
    events: pd.DataFrame  # one row per post-loan event (loan_story_events)
    milestones: pd.DataFrame  # one row per milestone: date, kind, amount
    timeline: pd.DataFrame  # one row per date × series: cumulative amount (currency units)

    @property
    def span(self) -> tuple[dt.date, dt.date]:
        """First and last day the story's charts show: origination to the end of the timeline."""
        return self.loan["originated_on"], max(self.timeline["date"])

    @property
    def paid_off_on(self) -> dt.date | None:
        """The day borrower and collection cash repaid the whole principal (None when not by as_of)."""
        cash = self.payments[self.payments["source"] != "guarantor"]
        running = cash["principal_paid"].cumsum()
        done = cash.loc[float(self.loan["principal"]) - running <= 0.005, "paid_on"]
        return done.iloc[0] if len(done) else None

    @property
    def first_missed_on(self) -> dt.date | None:
        """Due date of the first installment not paid in full on time (None when every one was)."""
        missed = self.schedule.loc[self.schedule["status"].isin(["late", "unpaid", "written_off"]), "due_on"]
        return missed.iloc[0] if len(missed) else None


def _milestones(story: LoanStory) -> pd.DataFrame:
    """The story's milestones in date order: date, kind (MILESTONES), amount (currency units or NaN)."""
    rows: list[tuple[dt.date, str, float]] = [
        (story.loan["originated_on"], "originated", float(story.loan["principal"]))
    ]
    if story.first_missed_on is not None:
        due = story.schedule.loc[story.schedule["due_on"] == story.first_missed_on, "amount_due"]
        rows.append((story.first_missed_on, "first_missed", float(due.iloc[0])))
    rows += [(e.event_on, e.kind, e.amount) for e in story.events.itertuples()]
    named = {"guarantor": "guarantor_buyout", "collection": "collection_recovery"}
    rows += [
        (p.paid_on, named[p.source], p.principal_paid + p.interest_paid + p.fee_paid)
        for p in story.payments.itertuples()
        if p.source in named
    ]
    paid_off = story.paid_off_on
    if paid_off is not None:
        early = paid_off < story.loan["last_due_on"]
        rows.append((paid_off, "repaid_early" if early else "paid_off", float(story.loan["principal"])))
    frame = pd.DataFrame(rows, columns=["date", "kind", "amount"])
    frame["amount"] = frame["amount"].astype(float)
    order = frame["kind"].map(MILESTONES.index)
    return frame.assign(_o=order).sort_values(["date", "_o"]).drop(columns="_o").reset_index(drop=True)


def _timeline(story: LoanStory) -> pd.DataFrame:
    """Cumulative scheduled vs paid amounts (principal + interest) as step series from origination.

    scheduled steps up at each due date; paid_borrower at each borrower or collection payment;
    paid_guarantor (only when the guarantor paid) at each buy-out payment. The paid series run on to
    the story's end: the later of the last due date, payment and event, but not after as_of.
    """
    start = story.loan["originated_on"]
    ends = [story.loan["last_due_on"], *story.payments["paid_on"], *story.events["event_on"]]
    end = min(max(d for d in ends if d is not None), story.as_of)
    rows = [(start, "scheduled", 0.0)] + [
        (s.due_on, "scheduled", s.running_due) for s in story.schedule.itertuples()
    ]
    borrower = story.payments[story.payments["source"] != "guarantor"]
    rows += [(start, "paid_borrower", 0.0)]
    rows += [(p.paid_on, "paid_borrower", p.running_borrower) for p in borrower.itertuples()]
    last_borrower = float(borrower["running_borrower"].iloc[-1]) if len(borrower) else 0.0
    rows += [(end, "paid_borrower", last_borrower)]
    guarantor = story.payments[story.payments["source"] == "guarantor"]
    if len(guarantor):
        rows += [(start, "paid_guarantor", 0.0)]
        rows += [(p.paid_on, "paid_guarantor", p.running_guarantor) for p in guarantor.itertuples()]
        rows += [(end, "paid_guarantor", float(guarantor["running_guarantor"].iloc[-1]))]
    frame = pd.DataFrame(rows, columns=["date", "series", "cumulative"])
    frame["cumulative"] = frame["cumulative"].astype(float)
    return frame


def _story(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, loan_id: str, investor_id: str | None
) -> LoanStory | None:
    """A loan's story up to as_of (None when the loan is not visible: not held by investor_id)."""
    params = {"as_of": as_of, "investor_id": investor_id, "loan_id": loan_id}
    loan = sql.run(con, "loan_story_loan", params)
    if loan.empty:
        return None
    loan = _dates(loan, "originated_on", "last_due_on")
    schedule = _dates(sql.run(con, "loan_story_schedule", params), "due_on", "paid_in_full_on")
    payments = _dates(sql.run(con, "loan_story_payments", params), "paid_on")
    events = _dates(sql.run(con, "loan_story_events", params), "event_on")
    empty = pd.DataFrame()
    story = LoanStory(as_of, loan.iloc[0].to_dict(), schedule, payments, events, empty, empty)
    return LoanStory(as_of, story.loan, schedule, payments, events, _milestones(story), _timeline(story))


def loan_story(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, loan_id: str, investor_id: str
) -> LoanStory | None:
    """One of the investor's loans up to month-end as_of; None when the investor does not hold it."""
    if not investor_id:
        raise ValueError("an investor id is required")
    return _story(con, as_of, loan_id, investor_id)


@dataclass(frozen=True)
class LearnStories:
    """The Learn page's two real stories at an as-of date (None when the store has no such loan yet)."""

    early_repayment: LoanStory | None
    early_pick: dict[str, object] | None  # loan_story_early_repayment's row
    legal_action: LoanStory | None
    legal_pick: dict[str, object] | None  # loan_story_legal_action's row


def _pick(con: duckdb.DuckDBPyConnection, name: str, as_of: dt.date, *dates: str) -> dict[str, object] | None:
    """The single row of a story-picking query with its date columns as dates (None when empty)."""
    frame = sql.run(con, name, {"as_of": as_of})
    return None if frame.empty else _dates(frame, *dates).iloc[0].to_dict()


def learn_stories(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> LearnStories:
    """A borrower who repaid early and a loan taken from first missed payment to court, up to as_of."""
    early = _pick(con, "loan_story_early_repayment", as_of, "paid_off_on", "last_due_on")
    legal = _pick(
        con,
        "loan_story_legal_action",
        as_of,
        "first_missed_on",
        "first_collection_on",
        "legal_filed_on",
        "judgment_on",
    )
    return LearnStories(
        early_repayment=_story(con, as_of, str(early["loan_id"]), None) if early else None,
        early_pick=early,
        legal_action=_story(con, as_of, str(legal["loan_id"]), None) if legal else None,
        legal_pick=legal,
    )


# --- the story tables (the story charts' data; lendrisk.charts draws the charts) ----------------


def timeline_table(story: LoanStory, lang: str) -> pd.DataFrame:
    """The story's cumulative series with translated series names (the payments chart's data)."""
    names = [i18n.t(f"investor.story.series.{s}", lang) for s in story.timeline["series"]]
    return story.timeline.assign(series=names)


def milestone_table(story: LoanStory, lang: str) -> pd.DataFrame:
    """The story's milestones with translated kinds (the timeline chart's data)."""
    return story.milestones.assign(kind=[charts.milestone_label(k, lang) for k in story.milestones["kind"]])
