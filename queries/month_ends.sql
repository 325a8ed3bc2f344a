-- grain: one row per month-end the dashboard can show, newest first
-- The as-of selector's dates: every month-end from the performance tape's first (loan_month) through
-- the store's observation end (meta observed_to; the tape's last month-end when meta has none).
-- Column: month_end (DATE)
-- key: month_end
with

bounds as (
    select
        min(month_end) as first_month_end,
        coalesce(
            (select max(value)::date from meta where key = 'observed_to'),
            max(month_end)
        ) as last_month_end
    from loan_month
),

month_starts as (
    select
        unnest(generate_series(
            date_trunc('month', first_month_end),
            date_trunc('month', last_month_end),
            interval 1 month
        )) as month_start
    from bounds
    where first_month_end is not null
)

select last_day(month_start)::date as month_end
from month_starts
order by month_end desc
