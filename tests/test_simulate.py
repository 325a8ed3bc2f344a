"""The demo platform generator: contract (columns, sums, DPD at lifecycle events) and the story's realism.

Realism is measured on one 20,000-loan store (seed 7) built once per run through build_demo; every
rate below is read from the store through docs/design.md §3 definitions, not from the simulator's internals.
Charge-off rates by grade use loans originated 2017-2021 (at least three years to mature).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator

import duckdb
import numpy as np
import pandas as pd
import pytest

from lendrisk import simulate, store

pytestmark = pytest.mark.slow  # builds the demo platform

LOANS = 20_000
SEED = 7
CANONICAL = [t for t in store.TABLES if t != "users"]
ACTIVE = "state not in ('paid_off', 'charged_off')"


@pytest.fixture(scope="module")
def demo(demo_store) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the 20,000-loan demo store (build_demo, seed 7)."""
    with contextlib.closing(store.connect(demo_store(LOANS), read_only=True)) as con:
        yield con


@pytest.fixture(scope="module")
def small() -> dict[str, pd.DataFrame]:
    """The frames of a 3,000-loan platform (seed 11)."""
    return simulate.generate(3_000, seed=11)


def one(con: duckdb.DuckDBPyConnection, sql: str) -> object:
    """The single value of a query."""
    return con.execute(sql).fetchall()[0][0]


def dpd_on(con: duckdb.DuckDBPyConnection, dated: str) -> pd.DataFrame:
    """DPD (docs/design.md §3) of each (loan_id, as_of) row of the SELECT `dated`, at that row's own date."""
    return con.execute(
        f"""
        with dated as ({dated}),
        paid as (
            select d.loan_id, d.as_of, coalesce(sum(r.principal_paid + r.interest_paid), 0) as paid
            from dated as d
            left join repayments as r
                on r.loan_id = d.loan_id and r.paid_on <= d.as_of and r.source <> 'guarantor'
            group by all
        ),
        running as (
            select loan_id, due_on,
                sum(principal_due + interest_due) over (partition by loan_id order by installment_no) as due
            from schedule
        ),
        oldest as (
            select p.loan_id, p.as_of, min(s.due_on) as due_on
            from paid as p
            left join running as s on s.loan_id = p.loan_id and p.paid + 0.005 < s.due
            group by all
        )
        select loan_id, as_of,
            case when due_on < as_of then date_diff('day', due_on, as_of) else 0 end as dpd
        from oldest
        """
    ).df()


# --- contract ------------------------------------------------------------------------------------


def test_same_seed_gives_identical_frames_and_another_seed_does_not(small):
    again = simulate.generate(3_000, seed=11)
    assert sorted(again) == sorted(small) == sorted(CANONICAL)
    for name in CANONICAL:
        pd.testing.assert_frame_equal(again[name], small[name])
    other = simulate.generate(3_000, seed=12)
    assert not other["repayments"].equals(small["repayments"])
    assert not other["loans"]["principal"].equals(small["loans"]["principal"])


def test_frames_carry_exactly_the_schema_columns(demo, small):
    for name in CANONICAL:
        schema = [c for c in store.columns(demo, name) if c != "meets_policy"]
        assert list(small[name].columns) == schema, name


def test_amounts_have_two_decimals_and_ids_are_strings(small):
    for table, column in [
        ("loans", "principal"),
        ("schedule", "interest_due"),
        ("repayments", "interest_paid"),
        ("holdings", "amount"),
    ]:
        cents = small[table][column].to_numpy() * 100
        assert small[table][column].dtype == np.float64
        assert np.abs(cents - np.round(cents)).max() < 1e-6, (table, column)
    assert small["loans"]["loan_id"].str.fullmatch(r"L\d{7}").all()
    assert small["holdings"]["investor_id"].str.startswith("I").all()


def test_counts_scale_with_loans(small):
    assert len(small["loans"]) == 3_000
    assert 0.85 * 3_000 <= len(small["borrowers"]) <= 0.95 * 3_000
    assert len(small["investors"]) == 225
    assert 8 <= len(small["holdings"]) / 3_000 <= 11
    assert len(simulate.generate(200, seed=1)["investors"]) == 30


def test_store_builds_with_every_table_and_the_tape(demo):
    meta = store.read_meta(demo)
    assert meta["observed_to"] == "2024-12-31"
    assert meta["source"] == f"demo platform (seed {SEED}, {LOANS} loans)"
    assert int(meta["rows.loans"]) == LOANS
    assert int(meta["rows.users"]) == 0
    assert int(meta["rows.loan_month"]) > 10 * LOANS


def test_schedule_and_holdings_each_sum_to_the_principal_to_the_cent(demo):
    bad_schedule = one(
        demo,
        """select count(*) from loans as l
        join (select loan_id, sum(principal_due) as s, count(*) as n from schedule group by 1) using (loan_id)
        where s <> l.principal or n <> l.term_months""",
    )
    bad_holdings = one(
        demo,
        """select count(*) from loans as l
        left join (select loan_id, sum(amount) as s from holdings group by 1) using (loan_id)
        where s is distinct from l.principal""",
    )
    assert (bad_schedule, bad_holdings) == (0, 0)


def test_due_dates_are_monthly_from_origination_clamped_to_month_end(demo):
    assert (
        one(
            demo,
            """select count(*) from schedule join loans using (loan_id)
            where due_on <> cast(originated_on + to_months(installment_no) as date)""",
        )
        == 0
    )


def test_schedules_follow_the_repayment_method(demo):
    # annuity: level installments (within rounding); equal principal: level principal; bullet:
    # principal only in the last installment
    frame = demo.execute(
        """select l.repayment_method as method,
            max(s.principal_due + s.interest_due) - min(s.principal_due + s.interest_due) as pay_spread,
            max(s.principal_due) - min(s.principal_due) as principal_spread,
            sum(s.principal_due) as early_principal
        from schedule as s join loans as l using (loan_id)
        where s.installment_no < l.term_months
        group by s.loan_id, l.repayment_method"""
    ).df()
    by = frame.groupby("method")
    assert by.get_group("annuity")["pay_spread"].max() <= 0.02
    assert by.get_group("equal_principal")["principal_spread"].max() == 0
    assert by.get_group("bullet")["early_principal"].max() == 0


def test_borrowers_never_pay_more_principal_than_borrowed(demo):
    assert (
        one(
            demo,
            """select count(*) from loans as l
            join (select loan_id, sum(principal_paid) as s from repayments
                  where source <> 'guarantor' group by 1) using (loan_id)
            where s > l.principal""",
        )
        == 0
    )


def test_nothing_happens_after_the_observation_end_or_before_origination(demo):
    assert one(demo, "select max(paid_on) from repayments") <= simulate.OBSERVED_TO
    assert one(demo, "select max(event_on) from loan_events") <= simulate.OBSERVED_TO
    assert one(demo, "select max(originated_on) from loans") <= simulate.OBSERVED_TO
    early = one(
        demo,
        """select count(*) from repayments join loans using (loan_id) where paid_on <= originated_on""",
    )
    assert early == 0


def test_charge_off_comes_at_exactly_180_days_past_due_with_the_unpaid_principal(demo):
    dpd = dpd_on(demo, "select loan_id, event_on as as_of from loan_events where kind = 'charged_off'")["dpd"]
    assert len(dpd) > 500 and set(dpd) == {180}
    wrong = one(
        demo,
        """select count(*) from loan_events as e join loans as l using (loan_id)
        left join (select r.loan_id, sum(r.principal_paid) as p from repayments as r
                   join loan_events as c on c.loan_id = r.loan_id and c.kind = 'charged_off'
                   where r.source = 'borrower' and r.paid_on <= c.event_on group by 1) using (loan_id)
        where e.kind = 'charged_off' and e.amount <> l.principal - coalesce(p, 0)""",
    )
    assert wrong == 0


def test_guarantor_buys_out_at_90_days_past_due_and_never_cures_the_borrower(demo):
    dpd = dpd_on(demo, "select loan_id, paid_on as as_of from repayments where source = 'guarantor'")["dpd"]
    assert len(dpd) > 100 and set(dpd) == {90}
    cured = one(
        demo,
        """select count(*) from loan_month as m
        join (select loan_id, paid_on from repayments where source = 'guarantor') as g using (loan_id)
        where m.month_end > g.paid_on and m.state in ('current', 'paid_off')""",
    )
    assert cured == 0
    unguaranteed = one(
        demo,
        """select count(*) from repayments join loans using (loan_id)
        where source = 'guarantor' and guarantee not in ('reserve', 'partner')""",
    )
    assert unguaranteed == 0


def test_recoveries_follow_charge_off_within_24_months(demo):
    span = demo.execute(
        """select min(date_diff('day', c.event_on, r.paid_on)), max(date_diff('day', c.event_on, r.paid_on)),
            count(*)
        from repayments as r
        join loan_events as c on c.loan_id = r.loan_id and c.kind = 'charged_off'
        where r.source = 'collection'"""
    ).fetchall()[0]
    assert span[0] > 0 and span[1] <= 730 and span[2] > 100
    orphan = one(
        demo,
        """select count(*) from repayments as r where source = 'collection' and not exists
           (select 1 from loan_events as c where c.loan_id = r.loan_id and c.kind = 'charged_off')""",
    )
    assert orphan == 0


def test_holdings_fund_loans_on_the_origination_day_by_the_right_investors(demo):
    row = demo.execute(
        """select
            count(*) filter (where h.invested_on <> l.originated_on),
            count(*) filter (where l.channel = 'institution' and i.segment <> 'institutional'),
            count(*) filter (where l.channel = 'platform' and i.segment <> 'retail'),
            count(*) filter (where i.joined_on > h.invested_on)
        from holdings as h join loans as l using (loan_id) join investors as i using (investor_id)"""
    ).fetchall()[0]
    assert row == (0, 0, 0, 0)


def test_macro_and_reserve_cover_every_month_end(demo):
    macro = demo.execute("select * from macro order by month_end").df()
    assert len(macro) == 96
    assert macro["month_end"].iloc[0].date() == dt.date(2017, 1, 31)
    assert macro["month_end"].iloc[-1].date() == dt.date(2024, 12, 31)
    year = macro["month_end"].dt.year
    unemployment = macro.groupby(year)["unemployment_rate"].mean()
    growth = macro.groupby(year)["gdp_growth"].mean()
    assert unemployment[2020] > unemployment[2019] + 0.005 and unemployment[2024] > unemployment[2021]
    assert growth[2020] < growth[2019] - 0.02
    assert one(demo, "select count(*) from reserve_fund") == 96
    assert one(demo, "select min(balance) from reserve_fund") > 0


# --- realism ---------------------------------------------------------------------------------------


@pytest.mark.slow
def test_charge_off_rate_rises_from_grade_a_to_g(demo):
    rates = demo.execute(
        """select grade, avg((exists (select 1 from loan_events as e
                                     where e.loan_id = l.loan_id and e.kind = 'charged_off'))::int) as rate
        from loans as l where originated_on < date '2022-01-01' group by grade order by grade"""
    ).df()
    rate = rates.set_index("grade")["rate"]
    assert list(rate.index) == list("ABCDEFG")
    assert rate.is_monotonic_increasing and rate.is_unique
    assert 0.02 <= rate["A"] <= 0.10
    assert 0.20 <= rate["G"] <= 0.45


def yearly(demo: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per year: mean month-end M3+ rate and overdue rate by amount (loan_month), industry rate."""
    return (
        demo.execute(
            f"""with monthly as (
            select month_end,
                sum(outstanding_principal) filter (where {ACTIVE} and dpd > 90)
                    / sum(outstanding_principal) filter (where {ACTIVE}) as m3,
                sum(outstanding_principal) filter (where {ACTIVE} and dpd >= 1)
                    / sum(outstanding_principal) filter (where {ACTIVE}) as overdue
            from loan_month group by month_end
        )
        select year(month_end) as year, avg(m3) as m3, avg(overdue) as overdue,
            avg(industry_overdue_rate) as industry
        from monthly join macro using (month_end) group by 1 order by 1"""
        )
        .df()
        .set_index("year")
    )


@pytest.mark.slow
def test_m3_plus_rate_is_higher_in_each_downturn_than_before_it(demo):
    m3 = yearly(demo)["m3"]
    assert m3[2020] > 1.5 * m3[2019]
    assert m3[2024] > 1.5 * m3[2022]


@pytest.mark.slow
def test_overdue_rate_climbs_to_the_upper_end_of_the_industry_range(demo):
    years = yearly(demo)
    assert years.loc[2024, "overdue"] >= years.loc[2024, "industry"]
    excess = years["overdue"] - years["industry"]
    assert excess[2024] > excess[[2017, 2018]].mean() + 0.02
    assert years.loc[2024, "overdue"] > years.loc[2023, "overdue"] > years.loc[2022, "overdue"]
    assert years.loc[2024, "overdue"] > 2.5 * years.loc[2018, "overdue"]


@pytest.mark.slow
def test_prepaid_loans_are_ten_to_thirty_percent_of_closed_loans(demo):
    share = one(
        demo,
        """with closed as (
            select loan_id, state from loan_month where state in ('paid_off', 'charged_off')
        ),
        prepaid as (
            select loan_id from closed
            join (select loan_id, max(due_on) as last_due from schedule group by 1) using (loan_id)
            join (select loan_id, max(paid_on) as last_paid from repayments group by 1) using (loan_id)
            where state = 'paid_off' and last_paid < last_due
        )
        select (select count(*) from prepaid) / count(*) from closed""",
    )
    assert 0.10 <= share <= 0.30


@pytest.mark.slow
def test_unverified_income_defaults_more(demo):
    rates = demo.execute(
        """select b.income_verified, avg((exists (select 1 from loan_events as e
                where e.loan_id = l.loan_id and e.kind = 'charged_off'))::int) as rate
        from loans as l join borrowers as b using (borrower_id) group by 1"""
    ).fetchall()
    rate = dict(rates)
    assert rate[False] > 1.5 * rate[True]


@pytest.mark.slow
def test_loans_contacted_early_in_their_first_delinquency_are_charged_off_less(demo):
    first = dpd_on(
        demo,
        """select loan_id, min(event_on) as as_of from loan_events
        where kind in ('reminder', 'call') group by loan_id""",
    )
    charged = set(demo.execute("select loan_id from loan_events where kind = 'charged_off'").df()["loan_id"])
    first["charged"] = first["loan_id"].isin(charged)
    early = first[first["dpd"].between(1, 5)]["charged"].mean()
    late = first[first["dpd"] > 5]["charged"].mean()
    assert early < 0.75 * late


@pytest.mark.slow
def test_screening_loosens_while_volume_grows(demo):
    years = (
        demo.execute(
            """select year(originated_on) as year, count(*) as n,
            avg((grade >= 'D')::int) as risky, avg((not income_verified)::int) as unverified
        from loans join borrowers using (borrower_id) group by 1 order by 1"""
        )
        .df()
        .set_index("year")
    )
    assert years["n"].is_monotonic_increasing and years.loc[2024, "n"] > 3 * years.loc[2017, "n"]
    assert years.loc[2024, "risky"] > years.loc[2017, "risky"] + 0.15
    assert years.loc[2024, "unverified"] > years.loc[2017, "unverified"] + 0.15


@pytest.mark.slow
def test_post_loan_management_runs_from_reminders_to_judgments(demo):
    kinds = dict(demo.execute("select kind, count(*) from loan_events group by 1").fetchall())
    assert set(kinds) >= {"reminder", "call", "visit", "promise_to_pay", "legal_filed", "judgment"}
    late_judgment = one(
        demo,
        """select count(*) from loan_events as j
        where kind = 'judgment' and not exists (select 1 from loan_events as f
            where f.loan_id = j.loan_id and f.kind = 'legal_filed' and f.event_on < j.event_on)""",
    )
    assert late_judgment == 0
    after = dpd_on(
        demo,
        """select distinct loan_id, paid_on as as_of from repayments as r where source = 'borrower'
        and not exists (select 1 from schedule as s where s.loan_id = r.loan_id and s.due_on = r.paid_on)""",
    )
    cured, partial = (after["dpd"] == 0).sum(), (after["dpd"] > 0).sum()
    assert cured > 1000 and partial > 100


@pytest.mark.slow
def test_demo_investors_are_a_cautious_saver_an_aggressive_investor_and_an_institution(demo):
    tables = simulate.generate(LOANS, seed=SEED)
    picks = simulate.demo_investors(tables)
    assert picks == simulate.demo_investors(tables)
    stored = {t: demo.execute(f"select * from {t}").df() for t in ("loans", "holdings", "investors")}
    assert simulate.demo_investors(stored) == picks
    investors = tables["investors"].set_index("investor_id")
    holdings = tables["holdings"].merge(tables["loans"][["loan_id", "grade"]], on="loan_id")
    holdings["safe"] = holdings["grade"].astype(str) <= "C"
    mine = holdings.groupby("investor_id")["safe"].agg(["size", "mean"])
    cautious, aggressive = picks["investor1"], picks["investor2"]
    assert investors.loc[cautious, "risk_profile"] == "cautious"
    assert investors.loc[cautious, "segment"] == "retail"
    assert 30 <= mine.loc[cautious, "size"] <= 80 and mine.loc[cautious, "mean"] >= 0.8
    assert investors.loc[aggressive, "risk_profile"] == "aggressive"
    assert mine.loc[aggressive, "size"] >= 30 and mine.loc[aggressive, "mean"] <= 0.2
    assert investors.loc[picks["investor3"], "segment"] == "institutional"
