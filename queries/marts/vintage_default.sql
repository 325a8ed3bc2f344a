-- grain: one row per origination month x grade x product x channel x default_months_on_book with loans
-- Loans by the month they were originated in, their segment and the months on book at which they
-- defaulted (null: not defaulted on the tape), built once per store after loan_month: vintage_curves
-- reads its rows instead of the loans and the tape. A loan defaults at the first month-end at which
-- it is 90+ or charged_off on the loan_month tape (docs/design.md §3, the loan_default view). Sums are
-- exact (decimal), so a vintage's totals read from it equal those summed loan by loan.
-- Columns:
--   origination_month        first day of the month of originated_on (date)
--   grade, product, channel  as on loans
--   default_months_on_book   months on book at the loan's default month-end (null: never defaulted)
--   loans                    loans of the row
--   originated_principal     Σ their principal (currency units, decimal)
--   defaulted_principal      Σ their outstanding principal at default (decimal; null when not defaulted)
create table vintage_default as
with

first_default as (
    select
        loan_id,
        arg_min(months_on_book, month_end) as default_months_on_book,
        arg_min(outstanding_principal, month_end) as principal_at_default
    from loan_month
    where state in ('90+', 'charged_off')
    group by loan_id
)

select
    cast(date_trunc('month', l.originated_on) as date) as origination_month,
    l.grade,
    l.product,
    l.channel,
    cast(d.default_months_on_book as integer) as default_months_on_book,
    cast(count(*) as bigint) as loans,
    sum(l.principal) as originated_principal,
    sum(d.principal_at_default) as defaulted_principal
from loans as l
left join first_default as d using (loan_id)
group by cast(date_trunc('month', l.originated_on) as date), l.grade, l.product, l.channel,
    cast(d.default_months_on_book as integer)
order by origination_month, grade, product, channel, default_months_on_book
