-- grain: one row per origination month-end on or before $as_of x grade with at least one loan
-- Origination volume and grade mix over time (platform health page).
-- Columns:
--   month_end   month-end of the origination month (date)
--   grade       A .. G
--   loans       loans originated in the month and grade
--   principal   principal originated, currency units
--   share       principal / principal originated in the month (all grades), fraction 0..1
-- key: month_end, grade
with

originated as (
    select
        last_day(originated_on) as month_end,
        grade,
        cast(principal as double) as principal
    from loans
    where originated_on <= $as_of
),

by_grade as (
    select
        month_end,
        grade,
        count(*) as loans,
        sum(principal) as principal
    from originated
    group by month_end, grade
)

select
    *,
    coalesce(principal / nullif(sum(principal) over (partition by month_end), 0), 0) as share
from by_grade
order by month_end, grade
