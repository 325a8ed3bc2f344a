-- grain: one row per reserve_fund month-end on or before $as_of
-- The oracle of queries/reserve_history.sql (tests/test_health_marts.py): the query as it was before it read the
-- month_flow mart, straight from the tape and the canonical tables; the test compares the two.
-- The risk reserve (风险准备金) over time beside the guarantor buy-outs (代偿) it paid.
-- Columns:
--   month_end       month-end date
--   balance         the reserve balance at the month-end, currency units
--   guarantor_paid  guarantor payments (principal + interest) received in that month, currency units
-- key: month_end
with

balances as (
    select
        month_end,
        cast(balance as double) as balance
    from reserve_fund
    where month_end <= $as_of
),

buyouts as (
    select
        last_day(paid_on) as month_end,
        sum(cast(principal_paid + interest_paid as double)) as guarantor_paid
    from repayments
    where source = 'guarantor' and paid_on <= $as_of
    group by last_day(paid_on)
)

select
    b.month_end,
    b.balance,
    coalesce(g.guarantor_paid, 0) as guarantor_paid
from balances as b
left join buyouts as g using (month_end)
order by b.month_end
