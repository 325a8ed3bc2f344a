-- grain: one row per calendar month in which at least one loan was originated
-- Platform origination volume. Columns: month (first day of the month, DATE), loans (count),
-- principal (sum of principal originated, currency units, double)
with

originated as (
    select
        date_trunc('month', originated_on)::date as month,
        principal
    from loans
),

by_month as (
    select
        month,
        count(*) as loans,
        sum(principal)::double as principal
    from originated
    group by month
)

select * from by_month
order by month
