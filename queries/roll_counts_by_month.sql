-- grain: one row per month-end m + 1 in [$from, $to] x grade x (from_state, to_state)
-- The monthly transitions behind every roll-rate matrix, kept by month and grade so one scan serves
-- any lookback window, per-grade fall-back, back-test date and macro regression (lendrisk.risk sums
-- them): a filter of the loan_transition mart, which pairs the loan_month tape once per store build.
-- A transition is a loan's move on the loan_month tape from month-end m to m + 1; only active
-- states have a next month (the tape stops at paid_off / charged_off, or at observed_to where the
-- loan simply has no next row). Balance-weighted by outstanding principal at m.
-- Columns:
--   month_end    the later month-end m + 1 (date)
--   grade        loan grade A..G
--   from_state   current, 1-30, 31-60, 61-90, 90+
--   to_state     current .. 90+, paid_off, charged_off
--   balance      outstanding principal at m of the loans that moved, currency units
--   loans        loan-month observations
-- key: month_end, grade, from_state, to_state
select
    month_end,
    grade,
    from_state,
    to_state,
    cast(balance as double) as balance,
    cast(loans as bigint) as loans
from loan_transition
where month_end >= cast($from as date)
    and month_end <= cast($to as date)
order by month_end, grade, from_state, to_state
