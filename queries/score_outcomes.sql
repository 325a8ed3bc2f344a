-- grain: one row per origination year x borrower credit score over loans originated on or before $as_of
-- What the credit score's power and a cut-off what-if need (segments page). A loan has defaulted
-- when it was 90+ or charged_off at a month-end on or before the month-end $as_of (loan_month).
-- Columns (amounts in currency units):
--   vintage_year         year of origination
--   credit_score         the borrower's credit score
--   loans, principal     loans originated and their principal
--   defaulted_loans      of them, defaulted by $as_of
--   defaulted_principal  their outstanding principal at default
--   lost_principal       principal charged off on or before $as_of minus collection recoveries
--                        (principal + interest) received on or before $as_of, per loan not below 0
-- key: vintage_year, credit_score
with

originated as (
    select
        l.loan_id,
        year(l.originated_on) as vintage_year,
        b.credit_score,
        cast(l.principal as double) as principal
    from loans as l
    inner join borrowers as b using (borrower_id)
    where l.originated_on <= $as_of
),

recoveries as (
    select
        loan_id,
        sum(cast(principal_paid + interest_paid as double)) as recovered
    from repayments
    where source = 'collection' and paid_on <= $as_of
    group by loan_id
),

per_loan as (
    select
        o.vintage_year,
        o.credit_score,
        o.principal,
        d.loan_id is not null as defaulted,
        coalesce(cast(d.principal_at_default as double), 0) as principal_at_default,
        greatest(coalesce(c.charged_off_principal, 0) - coalesce(r.recovered, 0), 0) as lost_principal
    from originated as o
    left join loan_default as d on d.loan_id = o.loan_id and d.default_month <= $as_of
    left join charged_off_by($as_of) as c on c.loan_id = o.loan_id
    left join recoveries as r on r.loan_id = o.loan_id
)

select
    cast(vintage_year as integer) as vintage_year,
    cast(credit_score as integer) as credit_score,
    cast(count(*) as bigint) as loans,
    sum(principal) as principal,
    cast(count(*) filter (where defaulted) as bigint) as defaulted_loans,
    sum(principal_at_default) as defaulted_principal,
    sum(lost_principal) as lost_principal
from per_loan
group by vintage_year, credit_score
order by vintage_year, credit_score
