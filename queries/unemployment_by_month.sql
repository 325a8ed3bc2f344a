-- grain: one row per macro month-end on or before $as_of with an unemployment rate
-- The macro series the stress sensitivity regresses roll-forward rates on.
-- Columns:
--   month_end          month-end date
--   unemployment_rate  fraction (0.05 = 5 %)
-- key: month_end
select
    month_end,
    cast(unemployment_rate as double) as unemployment_rate
from macro
where month_end <= $as_of and unemployment_rate is not null
order by month_end
