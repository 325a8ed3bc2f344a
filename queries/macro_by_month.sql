-- grain: one row per macro month-end on or before $as_of
-- The economy beside the platform's overdue rates (platform health page).
-- Columns:
--   month_end              month-end date
--   unemployment_rate      fraction (0.05 = 5 %), null when not published
--   gdp_growth             year-on-year real GDP growth, fraction, null when not published
--   industry_overdue_rate  the published industry overdue-rate benchmark, fraction, null when missing
-- key: month_end
with

published as (
    select
        month_end,
        cast(unemployment_rate as double) as unemployment_rate,
        cast(gdp_growth as double) as gdp_growth,
        cast(industry_overdue_rate as double) as industry_overdue_rate
    from macro
    where month_end <= $as_of
)

select * from published
order by month_end
