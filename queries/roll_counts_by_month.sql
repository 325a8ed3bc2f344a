-- grain: one row per month-end m + 1 in [$from, $to] x grade x (from_state, to_state)
-- The monthly transitions behind every roll-rate matrix, kept by month and grade so one scan serves
-- any lookback window, per-grade fall-back, back-test date and macro regression (lendrisk.risk sums
-- them). A transition is a loan's move on the loan_month tape from month-end m to m + 1; only active
-- states have a next month (the tape stops at paid_off / charged_off, or at observed_to where the
-- loan simply has no next row). Balance-weighted by outstanding principal at m.
-- Columns:
--   month_end    the later month-end m + 1 (date)
--   grade        loan grade A..G
--   from_state   current, 1-30, 31-60, 61-90, 90+
--   to_state     current .. 90+, paid_off, charged_off
--   balance      outstanding principal at m of the loans that moved, currency units
--   loans        loan-month observations
with

bounds as (
    select
        last_day(cast($from as date) - interval 1 month) as first_from_month,
        cast($to as date) as last_to_month
),

tape as (
    select
        loan_id,
        month_end,
        state,
        cast(outstanding_principal as double) as balance
    from loan_month
    where month_end >= (select first_from_month from bounds)
        and month_end <= (select last_to_month from bounds)
),

paired as (
    select
        loan_id,
        state as from_state,
        balance,
        lead(state) over (partition by loan_id order by month_end) as to_state,
        lead(month_end) over (partition by loan_id order by month_end) as to_month
    from tape
),

observed as (
    select
        p.to_month as month_end,
        l.grade,
        p.from_state,
        p.to_state,
        p.balance
    from paired as p
    inner join loans as l using (loan_id)
    where p.to_state is not null
)

select
    month_end,
    grade,
    from_state,
    to_state,
    cast(sum(balance) as double) as balance,
    cast(count(*) as bigint) as loans
from observed
group by month_end, grade, from_state, to_state
order by month_end, grade, from_state, to_state
