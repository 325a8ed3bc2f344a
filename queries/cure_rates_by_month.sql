-- grain: one row per month-end x overdue bucket with balance in it the month before
-- Cure rates month by month for a chart: for every month-end m + 1 in (last_day($as_of -
-- $lookback_months months), $as_of] and overdue bucket, the share of the bucket's outstanding
-- principal at m that is current at m + 1 (loan_transition mart of the loan_month tape, all grades;
-- definitions as cure_rates).
-- Columns:
--   month_end      the month-end m + 1 at which the cure is observed (date)
--   bucket         1-30, 31-60, 61-90, 90+
--   loans          loan-month observations in the bucket at m
--   balance        their outstanding principal at m, currency units
--   cured_balance  of it, the principal of loans current at m + 1
--   cure_rate      cured_balance / balance
-- key: month_end, bucket
with

per_month as (
    select
        month_end,
        from_state as bucket,
        sum(loans) as loans,
        cast(sum(balance) as double) as balance,
        cast(coalesce(sum(balance) filter (where to_state = 'current'), 0) as double) as cured_balance
    from transitions_to($as_of, $lookback_months)
    where from_state in ('1-30', '31-60', '61-90', '90+')
    group by month_end, from_state
)

select
    month_end,
    bucket,
    cast(loans as bigint) as loans,
    cast(balance as double) as balance,
    cast(cured_balance as double) as cured_balance,
    cast(cured_balance / balance as double) as cure_rate
from per_month
order by month_end, list_position(['1-30', '31-60', '61-90', '90+'], bucket)
