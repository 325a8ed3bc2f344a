-- grain: one row: the risk reserve balance at the latest reserve_fund month-end on or before $as_of
-- Columns:
--   month_end  the reserve_fund month-end used (null when none is on or before $as_of)
--   balance    the reserve balance there, currency units (0 when none)
-- key: one row
with

latest as (
    select
        month_end,
        cast(balance as double) as balance
    from reserve_fund
    where month_end <= $as_of
    order by month_end desc
    limit 1
)

select
    (select month_end from latest) as month_end,
    coalesce((select balance from latest), 0.0) as balance
