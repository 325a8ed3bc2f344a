-- grain: one row per month-end x overdue bucket with balance in it the month before
-- Cure rates month by month for a chart: for every month-end m + 1 in (last_day($as_of -
-- $lookback_months months), $as_of] and overdue bucket, the share of the bucket's outstanding
-- principal at m that is current at m + 1 (loan_month tape, all grades; definitions as cure_rates).
-- Columns:
--   month_end      the month-end m + 1 at which the cure is observed (date)
--   bucket         1-30, 31-60, 61-90, 90+
--   loans          loan-month observations in the bucket at m
--   balance        their outstanding principal at m, currency units
--   cured_balance  of it, the principal of loans current at m + 1
--   cure_rate      cured_balance / balance
with

bounds as (
    select
        cast($as_of as date) as last_to_month,
        last_day(cast($as_of as date) - to_months(cast($lookback_months as integer))) as first_from_month
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
        state as bucket,
        balance,
        lead(state) over (partition by loan_id order by month_end) as next_state,
        lead(month_end) over (partition by loan_id order by month_end) as next_month
    from tape
),

overdue_moves as (
    select *
    from paired
    where next_state is not null and bucket in ('1-30', '31-60', '61-90', '90+')
),

per_month as (
    select
        next_month as month_end,
        bucket,
        count(*) as loans,
        sum(balance) as balance,
        coalesce(sum(balance) filter (where next_state = 'current'), 0) as cured_balance
    from overdue_moves
    group by next_month, bucket
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
