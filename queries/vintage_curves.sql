-- grain: one row per vintage per month on book, from 0 to the most months observed for that vintage
-- Cumulative default curves by vintage (docs/design.md §3), read from the vintage_default mart. A
-- loan's vintage is the first day of the month ($grain = 'month') or quarter ($grain = 'quarter') of
-- its origination; optional filters
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

segment_months as (
    select
        v.origination_month,
        v.default_months_on_book,
        v.loans,
        v.originated_principal,
        v.defaulted_principal,
        cast(case
            when $grain = 'quarter' then date_trunc('quarter', v.origination_month)
            else v.origination_month
        end as date) as vintage
    from vintage_default as v, observed as o
    where last_day(v.origination_month) <= o.observed_to
        and ($grade is null or v.grade = $grade)
        and ($product is null or v.product = $product)
        and ($channel is null or v.channel = $channel)
),

vintages as (
    select
        s.vintage,
        cast(sum(s.loans) as bigint) as loans,
        cast(sum(s.originated_principal) as double) as originated_principal,
        date_diff('month', last_day(min(s.origination_month)), o.observed_to) as max_months_on_book
    from segment_months as s, observed as o
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
        vintage,
        default_months_on_book as months_on_book,
        sum(loans) as defaulted_loans,
        sum(defaulted_principal) as defaulted_principal
    from segment_months
    where default_months_on_book is not null
    group by vintage, default_months_on_book
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
