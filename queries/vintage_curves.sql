-- grain: one row per vintage per month on book, from 0 to the most months observed for that vintage
-- Cumulative default curves by vintage (docs/design.md §3). A loan's vintage is the first day of the
-- month ($grain = 'month') or quarter ($grain = 'quarter') of its origination; optional filters
-- $grade, $product, $channel (null = all). A loan defaults at the first month-end at which it is
-- 90+ or charged_off; its months on book there are counted from its own first month-end (the
-- month-end of its origination month = 0, as on the loan_month tape). A vintage is observed up to
-- observed_to (meta, else the last tape month-end), so its curve runs from 0 to the months between
-- its oldest loans' first month-end and observed_to.
-- Columns:
--   vintage                  first day of the origination month or quarter (date)
--   months_on_book           0, 1, ... months since origination
--   loans                    loans originated in the vintage
--   originated_principal     principal originated in the vintage, currency units
--   defaulted_principal      outstanding principal at default of the vintage's loans that
--                            defaulted within months_on_book months, currency units (cumulative)
--   defaulted_loans          number of those loans (cumulative)
--   cumulative_default_rate  defaulted_principal / originated_principal (non-decreasing in months_on_book)
-- key: vintage, months_on_book
with

observed as (
    select coalesce(
        (select cast(value as date) from meta where key = 'observed_to'),
        (select max(month_end) from loan_month)
    ) as observed_to
),

segment_loans as (
    select
        l.loan_id,
        l.principal,
        last_day(l.originated_on) as first_month_end,
        cast(case
            when $grain = 'quarter' then date_trunc('quarter', l.originated_on)
            else date_trunc('month', l.originated_on)
        end as date) as vintage
    from loans as l, observed as o
    where last_day(l.originated_on) <= o.observed_to
        and ($grade is null or l.grade = $grade)
        and ($product is null or l.product = $product)
        and ($channel is null or l.channel = $channel)
),

vintages as (
    select
        s.vintage,
        count(*) as loans,
        cast(sum(s.principal) as double) as originated_principal,
        date_diff('month', min(s.first_month_end), o.observed_to) as max_months_on_book
    from segment_loans as s, observed as o
    group by s.vintage, o.observed_to
),

grid as (
    select
        vintage,
        loans,
        originated_principal,
        cast(unnest(generate_series(0, max_months_on_book)) as integer) as months_on_book
    from vintages
),

defaults_by_vintage as (
    select
        s.vintage,
        d.default_months_on_book as months_on_book,
        count(*) as defaulted_loans,
        sum(d.principal_at_default) as defaulted_principal
    from loan_default as d
    inner join segment_loans as s using (loan_id)
    group by s.vintage, d.default_months_on_book
),

cumulative as (
    select
        g.vintage,
        g.months_on_book,
        g.loans,
        g.originated_principal,
        cast(sum(coalesce(d.defaulted_principal, 0)) over w as double) as defaulted_principal,
        cast(sum(coalesce(d.defaulted_loans, 0)) over w as bigint) as defaulted_loans
    from grid as g
    left join defaults_by_vintage as d using (vintage, months_on_book)
    window w as (partition by g.vintage order by g.months_on_book)
)

select
    *,
    defaulted_principal / originated_principal as cumulative_default_rate
from cumulative
order by vintage, months_on_book
