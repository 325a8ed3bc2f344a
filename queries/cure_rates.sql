-- grain: one row per overdue bucket (1-30, 31-60, 61-90, 90+), always four rows in that order
-- Cure rates (docs/design.md §3): of the outstanding principal in an overdue bucket at month-end m, the
-- share that is current at m + 1, over every m + 1 in (last_day($as_of - $lookback_months months),
-- $as_of], read from the loan_transition mart of the loan_month tape (all grades). A loan that pays off in full from a bucket is
-- not counted as cured (its share is paid_off_rate); a loan whose tape ends at observed_to (or at
-- $as_of) has no next month and is left out, as in roll_rates.
-- Columns:
--   bucket          1-30, 31-60, 61-90, 90+
--   loans           loan-month observations in the bucket at m
--   balance         their outstanding principal at m, currency units
--   cured_loans     of them, loans current at m + 1
--   cured_balance   their outstanding principal at m, currency units
--   cure_rate       cured_balance / balance (0 when the bucket was empty)
--   paid_off_rate   balance that paid off in full at m + 1 / balance
-- key: bucket
with

buckets as (
    select * from (values
        (1, '1-30'),
        (2, '31-60'),
        (3, '61-90'),
        (4, '90+')
    ) as b (bucket_order, bucket)
),

overdue_moves as (
    select
        from_state as bucket,
        to_state as next_state,
        cast(balance as double) as balance,
        loans
    from transitions_to($as_of, $lookback_months)
    where from_state in ('1-30', '31-60', '61-90', '90+')
),

per_bucket as (
    select
        bucket,
        cast(sum(loans) as bigint) as loans,
        sum(balance) as balance,
        cast(coalesce(sum(loans) filter (where next_state = 'current'), 0) as bigint) as cured_loans,
        coalesce(sum(balance) filter (where next_state = 'current'), 0) as cured_balance,
        coalesce(sum(balance) filter (where next_state = 'paid_off'), 0) as paid_off_balance
    from overdue_moves
    group by bucket
)

select
    b.bucket,
    coalesce(columns(p.* exclude (bucket, paid_off_balance)), 0),
    coalesce(p.cured_balance / nullif(p.balance, 0), 0) as cure_rate,
    coalesce(p.paid_off_balance / nullif(p.balance, 0), 0) as paid_off_rate
from buckets as b
left join per_bucket as p using (bucket)
order by b.bucket_order
