-- grain: one row per grade, term and issue year that has loans
-- Lifetime outcomes of every loan in the store, closed and open, by grade, term (months) and the
-- calendar year of origination: the charge-off counts that published LendingClub statistics are
-- checked against. $meets_policy_only = true keeps only loans that met the credit policy
-- (loans.meets_policy, null counted as true); false keeps every loan.
-- Columns (amounts in currency units, rates as fractions 0..1):
--   grade                  credit grade A..G
--   term_months            contractual term in months
--   issue_year             calendar year of originated_on
--   loans                  loans originated
--   charged_off_loans      loans with a charged_off event
--   chargeoff_rate_count   charged_off_loans / loans
--   originated_principal   principal originated
--   charged_off_principal  sum of charged_off event amounts (principal written off)
--   recoveries             collection payments (principal + interest) dated on or after the loan's
--                          charge-off (the `recovery` view, as LGD counts them)
--   principal_received     principal paid by the borrower and by collection (guarantor payments excluded)
with

scoped_loans as (
    select
        loan_id,
        grade,
        term_months,
        year(originated_on) as issue_year,
        principal
    from loans
    where not $meets_policy_only or coalesce(meets_policy, true)
),

loan_outcomes as (
    select
        l.grade,
        l.term_months,
        l.issue_year,
        l.principal,
        c.loan_id is not null as is_charged_off,
        coalesce(c.total_amount, 0) as charged_off_principal
    from scoped_loans as l
    left join loan_charge_off as c using (loan_id)
),

originations as (
    select
        grade,
        term_months,
        issue_year,
        count(*) as loans,
        count(*) filter (where is_charged_off) as charged_off_loans,
        sum(principal) as originated_principal,
        sum(charged_off_principal) as charged_off_principal
    from loan_outcomes
    group by grade, term_months, issue_year
),

principal_received as (
    select
        l.grade,
        l.term_months,
        l.issue_year,
        sum(r.principal_paid) as principal_received
    from repayments as r
    inner join scoped_loans as l using (loan_id)
    where r.source in ('borrower', 'collection')
    group by l.grade, l.term_months, l.issue_year
),

recoveries as (
    select
        l.grade,
        l.term_months,
        l.issue_year,
        sum(r.principal_paid + r.interest_paid) as recoveries
    from recovery as r
    inner join scoped_loans as l using (loan_id)
    group by l.grade, l.term_months, l.issue_year
),

outcomes as (
    select
        o.*,
        coalesce(p.principal_received, 0) as principal_received,
        coalesce(r.recoveries, 0) as recoveries
    from originations as o
    left join principal_received as p using (grade, term_months, issue_year)
    left join recoveries as r using (grade, term_months, issue_year)
)

select
    grade,
    cast(term_months as integer) as term_months,
    cast(issue_year as integer) as issue_year,
    cast(loans as bigint) as loans,
    cast(charged_off_loans as bigint) as charged_off_loans,
    charged_off_loans / loans as chargeoff_rate_count,
    cast(originated_principal as double) as originated_principal,
    cast(charged_off_principal as double) as charged_off_principal,
    cast(recoveries as double) as recoveries,
    cast(principal_received as double) as principal_received
from outcomes
order by grade, term_months, issue_year
