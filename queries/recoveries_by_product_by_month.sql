-- grain: one row per month-end D in [$from, $to] x product with a loan charged off in D's window
-- recoveries_by_product at every month-end D at once (for the back-test): loans whose first
-- charged_off event falls in (D - $lookback_months months, D], the principal written off and the
-- collection cash received on or after the charge-off date, within 24 months of it and on or
-- before D. Same definitions as recoveries_by_product.sql; aggregated by charge-off and recovery
-- month first, so D's window needs no pass over the raw rows.
-- Columns: month_end (D), product, charged_off_loans, charged_off_principal, recoveries
with

written_off as (
    select
        product,
        last_day(charged_off_on) as charged_off_month,
        count(*) as loans,
        sum(principal_written_off) as principal
    from loan_write_off
    where charged_off_on <= $to
    group by product, last_day(charged_off_on)
),

recovered as (
    select
        l.product,
        last_day(r.charged_off_on) as charged_off_month,
        last_day(r.paid_on) as recovered_month,
        sum(cast(r.principal_paid + r.interest_paid as double)) as recoveries
    from recovery as r
    inner join loans as l using (loan_id)
    where r.paid_on < r.charged_off_on + interval 24 month
        and r.paid_on <= $to
    group by l.product, last_day(r.charged_off_on), last_day(r.paid_on)
),

dates as (
    select
        cast(last_day(unnest(generate_series(
            cast(date_trunc('month', cast($from as date)) as timestamp),
            cast(date_trunc('month', cast($to as date)) as timestamp),
            interval 1 month
        ))) as date) as month_end
),

principal_in_window as (
    select
        d.month_end,
        w.product,
        sum(w.loans) as charged_off_loans,
        sum(w.principal) as charged_off_principal
    from dates as d
    inner join written_off as w
        on w.charged_off_month > last_day(d.month_end - to_months(cast($lookback_months as integer)))
        and w.charged_off_month <= d.month_end
    group by d.month_end, w.product
),

recoveries_in_window as (
    select
        d.month_end,
        r.product,
        sum(r.recoveries) as recoveries
    from dates as d
    inner join recovered as r
        on r.charged_off_month > last_day(d.month_end - to_months(cast($lookback_months as integer)))
        and r.charged_off_month <= d.month_end
        and r.recovered_month <= d.month_end
    group by d.month_end, r.product
)

select
    p.month_end,
    p.product,
    cast(p.charged_off_loans as bigint) as charged_off_loans,
    cast(p.charged_off_principal as double) as charged_off_principal,
    cast(coalesce(r.recoveries, 0) as double) as recoveries
from principal_in_window as p
left join recoveries_in_window as r using (month_end, product)
order by p.month_end, p.product
