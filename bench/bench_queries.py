"""Benchmark the result sets (metrics and risk) on a demo store, against plain pandas versions of three.

    python bench/bench_queries.py --db bench/data/1m.duckdb [--runs 5] [--pandas-runs 3] [--markdown]

Each query runs once cold (the first call on a newly opened read-only connection: DuckDB's buffers
empty), then --runs times warm on that connection; the cold time and the median warm wall time are
reported, platform-wide and scoped to the investor with the most holdings. --json PATH writes them.
After the result sets come the pages' other calls ("page: function", pages/*.py's ui.cached calls).
The pandas versions of overdue_by_bucket, roll_rates and vintage_curves start from the canonical
tables (loans, schedule, repayments, loan_events) already read into memory and do the definitional
work of docs/design.md §3 themselves (cash so far, oldest unpaid installment, DPD, state at each
month-end); the SQL versions read the loan_month tape that the store build computes once. Both
answers are compared.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lendrisk import alerts, attribution, collection, liquidity, metrics, reports, risk, screening, sql, store
from lendrisk import investor as investor_pages
from lendrisk.vocab import add_months

ACTIVE = ("current", "1-30", "31-60", "61-90", "90+")
STATES = (*ACTIVE, "paid_off", "charged_off")
LOOKBACK_MONTHS = 12
BUCKET_NUMBERS = ["loans", "outstanding_principal", "past_due_amount", "share"]
TARGET_SECONDS = {"platform": 1.0, "investor": 0.2}  # issue 3: median warm, on the 2-core machine
DATES = "datetime64[s]"  # one resolution for every date column (merge_asof needs equal key types)


# ------------------------------------------------------------------------------------------ timing


def cpu_seconds() -> float:
    """CPU time of this process so far, every thread (DuckDB's workers included), user + system."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def median_seconds(fn: Callable[[], Any], runs: int, warm_up: bool = True) -> tuple[float, float, Any]:
    """Median wall and CPU seconds of runs calls of fn (after one untimed call when warm_up), last result."""
    result = fn() if warm_up else None
    walls, cpus = [], []
    for _ in range(runs):
        cpu, start = cpu_seconds(), time.perf_counter()
        result = fn()
        walls.append(time.perf_counter() - start)
        cpus.append(cpu_seconds() - cpu)
    return statistics.median(walls), statistics.median(cpus), result


# ------------------------------------------------------------------------------------------ pandas


def read_canonical(con: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    """loans, schedule, repayments, loan_events as pandas frames (money float, loan an int code)."""
    loans = con.execute(
        "select loan_id, originated_on, principal::double as principal from loans order by loan_id"
    ).df()
    codes = pd.Series(np.arange(len(loans), dtype=np.int32), index=pd.Index(loans["loan_id"]))

    def coded(frame: pd.DataFrame) -> pd.DataFrame:
        frame["loan"] = codes.reindex(frame.pop("loan_id")).to_numpy()
        return frame

    schedule = coded(
        con.execute(
            "select loan_id, installment_no, due_on, principal_due::double as principal_due, "
            "interest_due::double as interest_due from schedule"
        ).df()
    )
    repayments = coded(
        con.execute(
            "select loan_id, paid_on, principal_paid::double as principal_paid, "
            "interest_paid::double as interest_paid, source from repayments"
        ).df()
    )
    events = coded(con.execute("select loan_id, event_on, kind from loan_events").df())
    loans["loan"] = codes.to_numpy()
    dated = ((loans, "originated_on"), (schedule, "due_on"), (repayments, "paid_on"), (events, "event_on"))
    for frame, column in dated:
        frame[column] = frame[column].astype(DATES)
    return {"loans": loans, "schedule": schedule, "repayments": repayments, "loan_events": events}


def month_end_of(days: pd.Series) -> pd.Series:
    """The month-end of each date (datetime64)."""
    return (days + pd.offsets.MonthEnd(0)).astype(DATES)


def loan_states(t: dict[str, pd.DataFrame], month_ends: list[dt.date]) -> pd.DataFrame:
    """State, DPD and outstanding principal of every loan at each of month_ends while it is on the books.

    A loan is listed from its first month-end through its paid_off / charged_off month-end (as the
    loan_month tape): one row per (loan, month_end) with state, dpd, outstanding, past_due.
    """
    ends = pd.to_datetime(pd.Series(month_ends)).astype(DATES).to_numpy()
    loans = t["loans"]
    cash = t["repayments"]
    cures = cash[cash["source"].isin(["borrower", "collection"])].copy()
    cures["paid"] = cures["principal_paid"] + cures["interest_paid"]
    cures = cures.sort_values(["loan", "paid_on"])
    cures["paid_so_far"] = cures.groupby("loan")["paid"].cumsum()
    cures["principal_so_far"] = cures.groupby("loan")["principal_paid"].cumsum()

    principal = loans["principal"].to_numpy()
    closing = cures[cures["principal_so_far"] >= principal[cures["loan"].to_numpy()] - 0.005]
    paid_off_on = closing.groupby("loan")["paid_on"].min()
    charge_offs = t["loan_events"][t["loan_events"]["kind"] == "charged_off"]
    charged_off_on = charge_offs.groupby("loan")["event_on"].min()
    observed_to = pd.Timestamp(ends[-1])
    last_month = np.minimum(
        month_end_of(paid_off_on).reindex(loans["loan"]).fillna(observed_to).to_numpy(),
        month_end_of(charged_off_on).reindex(loans["loan"]).fillna(observed_to).to_numpy(),
    )
    first_month = month_end_of(loans["originated_on"]).to_numpy()
    start = np.searchsorted(ends, first_month, side="left")
    stop = np.searchsorted(ends, last_month, side="right")
    counts = np.clip(stop - start, 0, None)
    loan = np.repeat(loans["loan"].to_numpy(), counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    panel = pd.DataFrame({"loan": loan, "month_end": ends[np.repeat(start, counts) + offsets]})

    panel = pd.merge_asof(
        panel.sort_values("month_end"),
        cures[["loan", "paid_on", "paid_so_far", "principal_so_far"]].sort_values("paid_on"),
        left_on="month_end",
        right_on="paid_on",
        by="loan",
        direction="backward",
    )
    panel[["paid_so_far", "principal_so_far"]] = panel[["paid_so_far", "principal_so_far"]].fillna(0.0)

    schedule = t["schedule"].sort_values(["loan", "installment_no"]).copy()
    schedule["running_due"] = (
        (schedule["principal_due"] + schedule["interest_due"]).groupby(schedule["loan"]).cumsum()
    )
    panel["threshold"] = panel["paid_so_far"] + 0.005
    panel = pd.merge_asof(
        panel.sort_values("threshold"),
        schedule[["loan", "running_due", "due_on"]]
        .rename(columns={"due_on": "oldest_unpaid_due_on"})
        .sort_values("running_due"),
        left_on="threshold",
        right_on="running_due",
        by="loan",
        direction="forward",
        allow_exact_matches=False,
    ).drop(columns="running_due")
    panel = pd.merge_asof(
        panel.sort_values("month_end"),
        schedule[["loan", "due_on", "running_due"]].sort_values("due_on"),
        left_on="month_end",
        right_on="due_on",
        by="loan",
        direction="backward",
        allow_exact_matches=False,
    )
    panel["past_due"] = (panel["running_due"].fillna(0.0) - panel["paid_so_far"]).clip(lower=0.0)
    late = panel["oldest_unpaid_due_on"] < panel["month_end"]
    panel["dpd"] = np.where(late, (panel["month_end"] - panel["oldest_unpaid_due_on"]).dt.days, 0)
    panel["outstanding"] = principal[panel["loan"].to_numpy()] - panel["principal_so_far"]
    charged = charged_off_on.reindex(panel["loan"]).to_numpy() <= panel["month_end"].to_numpy()
    dpd = panel["dpd"].to_numpy()
    panel["state"] = np.select(
        [charged, panel["outstanding"].to_numpy() <= 0.005, dpd == 0, dpd <= 30, dpd <= 60, dpd <= 90],
        ["charged_off", "paid_off", "current", "1-30", "31-60", "61-90"],
        default="90+",
    )
    return panel[["loan", "month_end", "state", "dpd", "outstanding", "past_due"]]


def states_on(t: dict[str, pd.DataFrame], day: dt.date) -> pd.DataFrame:
    """State, DPD, outstanding and past due of every loan originated by day (one date: plain group-bys)."""
    end = pd.Timestamp(day)
    loans = t["loans"][t["loans"]["originated_on"] <= end]
    cash = t["repayments"]
    cash = cash[(cash["paid_on"] <= end) & cash["source"].isin(["borrower", "collection"])]
    by_loan = (
        cash.assign(paid=cash["principal_paid"] + cash["interest_paid"])
        .groupby("loan")[["paid", "principal_paid"]]
        .sum()
        .reindex(loans["loan"], fill_value=0.0)
    )
    schedule = t["schedule"][t["schedule"]["loan"].isin(loans["loan"])]
    schedule = schedule.sort_values(["loan", "installment_no"])
    running = (schedule["principal_due"] + schedule["interest_due"]).groupby(schedule["loan"]).cumsum()
    paid_by_row = by_loan["paid"].reindex(schedule["loan"]).to_numpy()
    oldest_unpaid = schedule.loc[running.to_numpy() > paid_by_row + 0.005].groupby("loan")["due_on"].first()
    due_by_now = running[schedule["due_on"] < end].groupby(schedule["loan"]).last()
    frame = pd.DataFrame({"loan": loans["loan"].to_numpy()})
    frame["outstanding"] = loans["principal"].to_numpy() - by_loan["principal_paid"].to_numpy()
    due_so_far = due_by_now.reindex(frame["loan"]).fillna(0.0).to_numpy()
    frame["past_due"] = (due_so_far - by_loan["paid"].to_numpy()).clip(min=0.0)
    due_on = oldest_unpaid.reindex(frame["loan"]).to_numpy()
    late = due_on < end.to_datetime64()
    dpd = np.where(late, (end.to_datetime64() - due_on).astype("timedelta64[D]").astype(np.int64), 0)
    events = t["loan_events"]
    charged = events.loc[(events["kind"] == "charged_off") & (events["event_on"] <= end), "loan"]
    frame["state"] = np.select(
        [frame["loan"].isin(charged), frame["outstanding"] <= 0.005, *(dpd <= n for n in (0, 30, 60, 90))],
        ["charged_off", "paid_off", "current", "1-30", "31-60", "61-90"],
        default="90+",
    )
    return frame


def pandas_overdue_by_bucket(t: dict[str, pd.DataFrame], as_of: dt.date) -> pd.DataFrame:
    """overdue_by_bucket for the platform in pandas: loans, outstanding, share, past due per bucket."""
    states = states_on(t, as_of)
    active = states[states["state"].isin(ACTIVE)]
    frame = (
        active.groupby("state")
        .agg(
            loans=("loan", "size"),
            outstanding_principal=("outstanding", "sum"),
            past_due_amount=("past_due", "sum"),
        )
        .reindex(list(ACTIVE), fill_value=0)
    )
    total = frame["outstanding_principal"].sum()
    frame["share"] = frame["outstanding_principal"] / total if total else 0.0
    return frame.rename_axis("bucket").reset_index()


def lookback_month_ends(as_of: dt.date, months: int) -> list[dt.date]:
    """The month-ends as_of - months .. as_of."""
    return list(pd.date_range(end=pd.Timestamp(as_of), periods=months + 1, freq="ME").date)


def pandas_roll_rates(t: dict[str, pd.DataFrame], as_of: dt.date) -> pd.DataFrame:
    """roll_rates in pandas: balance-weighted monthly transitions over the 12 months before as_of."""
    states = loan_states(t, lookback_month_ends(as_of, LOOKBACK_MONTHS)).sort_values(["loan", "month_end"])
    states["to_state"] = states.groupby("loan")["state"].shift(-1)
    moved = states[states["to_state"].notna() & states["state"].isin(ACTIVE)]
    frame = (
        moved.groupby(["state", "to_state"])
        .agg(balance=("outstanding", "sum"), loans=("loan", "size"))
        .reset_index()
        .rename(columns={"state": "from_state"})
    )
    frame["probability"] = frame["balance"] / frame.groupby("from_state")["balance"].transform("sum")
    return frame


def pandas_vintage_curves(t: dict[str, pd.DataFrame], month_ends: list[dt.date]) -> pd.DataFrame:
    """vintage_curves (monthly, all loans) in pandas: cumulative default rate by vintage, months on book."""
    loans = t["loans"]
    observed_to = pd.Timestamp(month_ends[-1])
    first_month = month_end_of(loans["originated_on"])
    loans = loans.assign(
        vintage=first_month - pd.offsets.MonthBegin(1),
        max_months_on_book=(observed_to.year - first_month.dt.year) * 12
        + (observed_to.month - first_month.dt.month),
    )
    loans = loans[loans["max_months_on_book"] >= 0]
    states = loan_states(t, month_ends)
    defaulted = states[states["state"].isin(["90+", "charged_off"])].sort_values("month_end")
    defaults = defaulted.groupby("loan").first()
    defaults = defaults.join(loans.set_index("loan")[["vintage"]], how="inner")
    defaults["months_on_book"] = (defaults["month_end"].dt.year - defaults["vintage"].dt.year) * 12 + (
        defaults["month_end"].dt.month - defaults["vintage"].dt.month
    )
    per_point = defaults.groupby(["vintage", "months_on_book"])["outstanding"].sum()
    vintages = loans.groupby("vintage").agg(
        loans=("loan", "size"),
        originated_principal=("principal", "sum"),
        max_months=("max_months_on_book", "max"),
    )
    grid = pd.DataFrame(
        {
            "vintage": np.repeat(vintages.index, vintages["max_months"] + 1),
            "months_on_book": np.concatenate([np.arange(m + 1) for m in vintages["max_months"]]),
        }
    )
    grid = grid.join(vintages[["loans", "originated_principal"]], on="vintage")
    points = pd.MultiIndex.from_frame(grid[["vintage", "months_on_book"]])
    grid["defaulted_principal"] = per_point.reindex(points).fillna(0.0).to_numpy()
    grid["defaulted_principal"] = grid.groupby("vintage")["defaulted_principal"].cumsum()
    grid["cumulative_default_rate"] = grid["defaulted_principal"] / grid["originated_principal"]
    return grid


# ------------------------------------------------------------------------------------------ run


def biggest_investor(con: duckdb.DuckDBPyConnection) -> str:
    """The investor with the most holdings (the heaviest investor-scoped case)."""
    return con.execute(
        "select investor_id from holdings group by investor_id order by count(*) desc, investor_id limit 1"
    ).fetchone()[0]


def median_investor(con: duckdb.DuckDBPyConnection) -> str:
    """The investor at the median of holdings per investor (a typical investor-scoped case)."""
    return con.execute(
        "with n as (select investor_id, count(*) as holdings from holdings group by investor_id) "
        "select investor_id from n order by holdings, investor_id "
        "limit 1 offset (select (count(*) - 1) // 2 from n)"
    ).fetchone()[0]


def chosen_investor(con: duckdb.DuckDBPyConnection, choice: str) -> str:
    """--investor: 'biggest', 'median' or an investor_id."""
    return {"biggest": biggest_investor, "median": median_investor}.get(choice, lambda _: choice)(con)


Case = tuple[str, str, Callable[[], Any]]


def query_cases(con: duckdb.DuckDBPyConnection, as_of: dt.date, investor: str) -> list[Case]:
    """(result, scope, call) for every result set timed."""
    first = metrics.month_ends(con)[0]
    roll = {"as_of": as_of, "lookback_months": LOOKBACK_MONTHS, "grade": None}
    return [
        ("overdue_by_bucket", "platform", lambda: metrics.overdue_by_bucket(con, as_of)),
        ("overdue_by_bucket", "investor", lambda: metrics.overdue_by_bucket(con, as_of, investor)),
        ("overdue_by_bucket (grade C)", "platform", lambda: metrics.overdue_by_bucket(con, as_of, grade="C")),
        ("overdue_trend (all months)", "platform", lambda: metrics.overdue_trend(con, first, as_of)),
        ("vintage_curves (month)", "platform", lambda: metrics.vintage_curves(con, "month")),
        ("vintage_curves (quarter, E)", "platform", lambda: metrics.vintage_curves(con, "quarter", "E")),
        ("roll_rates (12 months)", "platform", lambda: sql.run(con, "roll_rates", roll)),
        ("lifetime_outcomes_by_grade", "platform", lambda: metrics.lifetime_outcomes_by_grade(con)),
        ("lifetime_outcomes_by_term_year", "platform", lambda: metrics.lifetime_outcomes_by_term_year(con)),
        ("concentration", "platform", lambda: metrics.concentration(con, as_of)),
        ("concentration", "investor", lambda: metrics.concentration(con, as_of, investor)),
        ("disclosure_monthly", "platform", lambda: metrics.disclosure_monthly(con, as_of)),
        ("cure_rates (12 months)", "platform", lambda: risk.cure_rates(con, as_of)),
        ("cure_rates_by_month (12 months)", "platform", lambda: risk.cure_rates_by_month(con, as_of)),
        ("transition_matrix (12 months)", "platform", lambda: risk.transition_matrix(con, as_of)),
        ("stress_sensitivity", "platform", lambda: risk.stress_sensitivity(con, as_of)),
        ("expected_loss", "platform", lambda: risk.expected_loss(con, as_of)),
        ("expected_loss", "investor", lambda: risk.expected_loss(con, as_of, investor)),
        ("stressed_expected_loss (+2 pp)", "platform", lambda: risk.stressed_expected_loss(con, as_of, 2.0)),
        (
            "stressed_expected_loss (+2 pp)",
            "investor",
            lambda: risk.stressed_expected_loss(con, as_of, 2.0, investor_id=investor),
        ),
        ("investor_returns", "investor", lambda: risk.investor_returns(con, as_of, investor)),
        ("loss_distribution (20,000 sims)", "investor", lambda: risk.loss_distribution(con, as_of, investor)),
        ("backtest (36 dates)", "platform", lambda: risk.backtest(con)),
        # what the investor pages read besides the results above
        ("holdings (investor pages)", "investor", lambda: investor_pages.holdings(con, as_of, investor)),
        (
            "overdue_trend (investor pages)",
            "investor",
            lambda: investor_pages.overdue_trend(con, as_of, investor),
        ),
    ]


def all_cases(con: duckdb.DuckDBPyConnection, as_of: dt.date, investor: str) -> list[Case]:
    """The result sets, then the pages' other calls."""
    return query_cases(con, as_of, investor) + page_cases(con, as_of, investor)


def page_cases(con: duckdb.DuckDBPyConnection, as_of: dt.date, investor: str) -> list[Case]:
    """(page: function, scope, call) for every other lendrisk call the pages make (pages/*.py ui.cached)."""
    year_ago = add_months(as_of, -12)
    manager: list[tuple[str, Callable[[], Any]]] = [
        ("health: health_kpis", lambda: reports.health_kpis(con, as_of)),
        ("health: health_trend", lambda: reports.health_trend(con, as_of)),
        ("health: originations_by_grade", lambda: reports.originations_by_grade(con, as_of)),
        ("health: manager_alerts", lambda: alerts.manager_alerts(con, as_of)),
        ("health: growth_rates", lambda: attribution.growth_rates(con, as_of)),
        ("why: attribute (12 months)", lambda: attribution.attribute(con, year_ago, as_of)),
        (
            "vintages: vintage_curves_as_of (quarter)",
            lambda: reports.vintage_curves_as_of(con, as_of, "quarter"),
        ),
        ("vintages: backtest_until", lambda: reports.backtest_until(con, as_of)),
        ("segments: segment_trend (grade)", lambda: screening.segment_trend(con, as_of, "grade")),
        ("segments: score_power", lambda: screening.score_power(con, as_of)),
        ("segments: cutoff_curve", lambda: screening.cutoff_curve(con, as_of)),
        ("segments: cutoff_whatif (640)", lambda: screening.cutoff_whatif(con, as_of, 640)),
        ("disclosure: disclosure_report", lambda: reports.disclosure_report(con, as_of)),
        ("disclosure: compensation_rates", lambda: reports.compensation_rates(con, as_of)),
        ("reserve: reserve_history", lambda: liquidity.reserve_history(con, as_of)),
        ("reserve: projected_collections (+2 pp)", lambda: liquidity.projected_collections(con, as_of, 2.0)),
        ("collections: collection_queue", lambda: collection.collection_queue(con, as_of)),
        ("collections: cure_by_first_action", lambda: collection.cure_by_first_action(con, as_of)),
        ("collections: cure_by_contact_delay", lambda: collection.cure_by_contact_delay(con, as_of)),
        ("collections: legal_pipeline", lambda: collection.legal_pipeline(con, as_of)),
        ("collections: recovery_curve", lambda: collection.recovery_curve(con, as_of)),
    ]
    mine: list[tuple[str, Callable[[], Any]]] = [
        ("portfolio: portfolio_summary", lambda: investor_pages.portfolio_summary(con, as_of, investor)),
        ("portfolio: overdue_rates", lambda: investor_pages.overdue_rates(con, as_of, investor)),
        ("portfolio: cash_flows", lambda: investor_pages.cash_flows(con, as_of, investor)),
        ("risk: top_borrowers", lambda: investor_pages.top_borrowers(con, as_of, investor)),
        ("risk: expected_cash_flows", lambda: risk.expected_cash_flows(con, as_of, investor)),
        ("portfolio: investor_changes", lambda: alerts.investor_changes(con, as_of, investor)),
        ("learn: learn_stories", lambda: investor_pages.learn_stories(con, as_of)),
    ]
    return [(n, "platform", f) for n, f in manager] + [(n, "investor", f) for n, f in mine]


def table(rows: list[list[str]], header: list[str], markdown: bool) -> str:
    """A plain or markdown text table."""
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
        return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])
    widths = [max(len(x) for x in col) for col in zip(header, *rows, strict=True)]
    return "\n".join("  ".join(x.ljust(w) for x, w in zip(r, widths, strict=True)) for r in [header, *rows])


def main(argv: list[str] | None = None) -> int:
    """Time every query and the pandas versions on --db; print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, type=Path, help="a demo store (lendrisk.simulate.build_demo)")
    parser.add_argument("--runs", type=int, default=5, help="timed warm runs per query (median reported)")
    parser.add_argument("--pandas-runs", type=int, default=3, help="timed runs per pandas version (0: skip)")
    parser.add_argument("--markdown", action="store_true", help="print markdown tables")
    parser.add_argument("--json", type=Path, help="also write the timings (and pandas ratios) here")
    parser.add_argument(
        "--only", action="append", default=[], help="only results whose 'name/scope' has this (repeatable)"
    )
    parser.add_argument(
        "--investor",
        default="biggest",
        help="whose investor-scoped calls: 'biggest' (most holdings; default), 'median' or an investor_id",
    )
    args = parser.parse_args(argv)

    con = store.connect(args.db, read_only=True)
    ends = metrics.month_ends(con)
    as_of = ends[-1]
    investor = chosen_investor(con, args.investor)
    loans, tape, holdings = con.execute(
        "select (select count(*) from loans), (select count(*) from loan_month), "
        "(select count(*) from holdings where investor_id = $i)",
        {"i": investor},
    ).fetchone()
    threads = con.execute("select current_setting('threads')").fetchone()[0]
    print(
        f"store {args.db}: {loans:,} loans, {tape:,} loan_month rows; as of {as_of}; "
        f"investor {investor} ({holdings:,} holdings); duckdb {duckdb.__version__}, {threads} threads; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )

    timed: dict[tuple[str, str], float] = {}
    rows, records = [], []
    for index, (name, scope, _) in enumerate(all_cases(con, as_of, investor)):
        if args.only and not any(part in f"{name}/{scope}" for part in args.only):
            continue
        # cold: the first call on a newly opened connection (DuckDB's buffers empty; the file may sit
        # in the OS page cache); warm: the median of the next --runs calls on it
        fresh = store.connect(args.db, read_only=True)
        name, scope, call = all_cases(fresh, as_of, investor)[index]
        start = time.perf_counter()
        call()
        cold = time.perf_counter() - start
        wall, cpu, _ = median_seconds(call, args.runs, warm_up=False)
        fresh.close()
        timed[(name, scope)] = wall
        target = TARGET_SECONDS[scope]
        verdict = f"{target * 1000:,.0f} {'ok' if wall <= target else 'over'}"
        rows.append(
            [name, scope, f"{cold * 1000:,.0f}", f"{wall * 1000:,.0f}", f"{cpu * 1000:,.0f}", verdict]
        )
        records.append({"result": name, "scope": scope, "cold_s": cold, "warm_s": wall, "cpu_s": cpu})
    load = os.getloadavg()[0]
    print(f"\nSQL result sets: cold, then median of {args.runs} warm runs (load average now {load:.1f})")
    print(table(rows, ["result", "scope", "cold ms", "wall ms", "CPU ms", "target ms"], args.markdown))
    report: dict[str, Any] = {"loans": loans, "tape_rows": tape, "as_of": str(as_of), "queries": records}
    report["investor"] = {"investor_id": investor, "holdings": holdings}
    report["load_average_end"] = os.getloadavg()[0]
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))

    if args.pandas_runs < 1:
        con.close()
        return 0
    start = time.perf_counter()
    canonical = read_canonical(con)
    print(f"\ncanonical tables read into pandas in {time.perf_counter() - start:.1f} s (not counted below)")
    roll = {"as_of": as_of, "lookback_months": LOOKBACK_MONTHS, "grade": None}
    pandas_cases = [
        (
            "overdue_by_bucket",
            ("overdue_by_bucket", "platform"),
            lambda: pandas_overdue_by_bucket(canonical, as_of),
            lambda: metrics.overdue_by_bucket(con, as_of),
            lambda ours, theirs: (ours[BUCKET_NUMBERS] - theirs[BUCKET_NUMBERS]).abs().to_numpy().max(),
        ),
        (
            "roll_rates (12 months)",
            ("roll_rates (12 months)", "platform"),
            lambda: pandas_roll_rates(canonical, as_of),
            lambda: sql.run(con, "roll_rates", roll),
            lambda ours, theirs: (
                ours.set_index(["from_state", "to_state"])["probability"]
                .sub(theirs.set_index(["from_state", "to_state"])["probability"], fill_value=0.0)
                .abs()
                .max()
            ),
        ),
        (
            "vintage_curves (month)",
            ("vintage_curves (month)", "platform"),
            lambda: pandas_vintage_curves(canonical, ends),
            lambda: metrics.vintage_curves(con, "month"),
            lambda ours, theirs: np.abs(
                ours["cumulative_default_rate"].to_numpy() - theirs["cumulative_default_rate"].to_numpy()
            ).max(),
        ),
    ]
    rows = []
    report["pandas"] = []
    for name, key, pandas_call, sql_call, difference in pandas_cases:
        seconds, _, ours = median_seconds(pandas_call, args.pandas_runs, warm_up=False)
        sql_seconds = timed[key]
        report["pandas"].append({"result": name, "sql_s": sql_seconds, "pandas_s": seconds})
        rows.append(
            [
                name,
                f"{sql_seconds * 1000:,.0f}",
                f"{seconds * 1000:,.0f}",
                f"{seconds / sql_seconds:,.0f}x",
                f"{difference(ours, sql_call()):.2g}",
            ]
        )
    print(f"\nplain pandas from the canonical tables, median of {args.pandas_runs} runs")
    print(table(rows, ["result", "SQL ms", "pandas ms", "pandas / SQL", "max abs difference"], args.markdown))
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))
    con.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
