-- grain: one row per month-end at which a loan was originated, a borrower or lender first appeared or a guarantor paid
-- What the monthly disclosure (disclosure_monthly) adds up from the start of the platform, by the
-- month it happened in, built once per store: the cumulative items at a month-end are sums of these
-- rows up to it instead of scans of every loan, holding and repayment. Sums are exact (decimal).
-- Columns:
--   month_end                 the month-end of the month
--   loans_originated          loans originated in the month
--   principal_originated      Σ their principal (currency units, decimal)
--   new_borrowers             borrowers whose first loan was originated in the month
--   new_lenders               investors whose first holding was invested in the month
--   new_compensated_loans     loans whose first guarantor payment (代偿) was paid in the month
--   compensation_paid         Σ guarantor payments (principal + interest) paid in the month (decimal)
create table disclosure_month as
with

originations as (
    select
        last_day(originated_on) as month_end,
        count(*) as loans_originated,
        sum(principal) as principal_originated
    from loans
    group by last_day(originated_on)
),

first_loans as (
    select
        borrower_id,
        min(originated_on) as first_on
    from loans
    group by borrower_id
),

borrowers as (
    select
        last_day(first_on) as month_end,
        count(*) as new_borrowers
    from first_loans
    group by last_day(first_on)
),

first_holdings as (
    select
        investor_id,
        min(invested_on) as first_on
    from holdings
    group by investor_id
),

lenders as (
    select
        last_day(first_on) as month_end,
        count(*) as new_lenders
    from first_holdings
    group by last_day(first_on)
),

guarantor_payments as (
    select
        loan_id,
        paid_on,
        principal_paid + interest_paid as paid
    from repayments
    where source = 'guarantor'
),

first_compensations as (
    select
        loan_id,
        min(paid_on) as first_on
    from guarantor_payments
    group by loan_id
),

compensated as (
    select
        last_day(first_on) as month_end,
        count(*) as new_compensated_loans
    from first_compensations
    group by last_day(first_on)
),

compensation as (
    select
        last_day(paid_on) as month_end,
        sum(paid) as compensation_paid
    from guarantor_payments
    group by last_day(paid_on)
),

months as (
    select month_end from originations
    union
    select month_end from borrowers
    union
    select month_end from lenders
    union
    select month_end from compensated
    union
    select month_end from compensation
)

select
    m.month_end,
    cast(coalesce(o.loans_originated, 0) as bigint) as loans_originated,
    coalesce(o.principal_originated, 0) as principal_originated,
    cast(coalesce(b.new_borrowers, 0) as bigint) as new_borrowers,
    cast(coalesce(l.new_lenders, 0) as bigint) as new_lenders,
    cast(coalesce(c.new_compensated_loans, 0) as bigint) as new_compensated_loans,
    coalesce(p.compensation_paid, 0) as compensation_paid
from months as m
left join originations as o on m.month_end = o.month_end
left join borrowers as b on m.month_end = b.month_end
left join lenders as l on m.month_end = l.month_end
left join compensated as c on m.month_end = c.month_end
left join compensation as p on m.month_end = p.month_end
order by month_end
