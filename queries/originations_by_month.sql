-- grain: one row per calendar month in which at least one loan was originated on or before $as_of
-- Platform origination volume up to the as-of date. Columns: month (first day of the month, DATE), loans (count),
-- principal (sum of principal originated, currency units, double)
-- key: month
with

originated as (
    select
        date_trunc('month', originated_on)::date as month,
        principal
    from loans
    where originated_on <= $as_of
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
