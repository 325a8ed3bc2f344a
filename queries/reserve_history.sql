-- grain: one row per reserve_fund month-end on or before $as_of
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
        month_end,
        cast(guarantor_paid as double) as guarantor_paid
    from month_flow
    where month_end <= $as_of and guarantor_paid is not null
)

select
    b.month_end,
    b.balance,
    coalesce(g.guarantor_paid, 0) as guarantor_paid
from balances as b
left join buyouts as g using (month_end)
order by b.month_end
