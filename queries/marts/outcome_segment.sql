-- grain: one row per grade x term_months x issue_year x meets_policy with loans
-- Every loan's lifetime outcome (closed or open, no as-of date) added up by the segments the
-- lifetime_outcomes_* queries report, built once per store: those queries read its few hundred rows
-- instead of summing every repayment of every loan. All sums are exact (decimal), so a total read
-- from it equals the one summed loan by loan.
-- Columns:
--   grade, term_months (integer), issue_year (integer: calendar year of originated_on)
--   meets_policy           loans.meets_policy, null counted as true
--   loans                  loans originated
--   charged_off_loans      loans with a charged_off event
--   originated_principal   Σ principal originated (currency units, decimal)
--   charged_off_principal  Σ the amounts of their charged_off events (principal written off; null
--                          amounts counted as 0; decimal)
--   recoveries             Σ collection payments (principal + interest) paid on or after the loan's
--                          first charged_off event (the recovery view, as LGD counts them; decimal)
--   principal_received     Σ principal paid by the borrower and by collection (guarantor excluded; decimal)
create table outcome_segment as
with

charge_offs as (
    select
        loan_id,
        min(event_on) as charged_off_on,
        sum(coalesce(amount, 0)) as total_amount
    from loan_events
    where kind = 'charged_off'
    group by loan_id
),

segment as (
    select
        l.loan_id,
        l.grade,
        cast(l.term_months as integer) as term_months,
        cast(year(l.originated_on) as integer) as issue_year,
        coalesce(l.meets_policy, true) as meets_policy,
        l.principal,
        c.loan_id is not null as is_charged_off,
        c.charged_off_on,
        c.total_amount
    from loans as l
    left join charge_offs as c using (loan_id)
),

-- repayments meet the loans' segments (not summed per loan first: ten million groups cost more)
cash as (
    select
        s.grade,
        s.term_months,
        s.issue_year,
        s.meets_policy,
        sum(case when r.source in ('borrower', 'collection') then r.principal_paid end) as principal_received,
        sum(
            case
                when r.source = 'collection' and r.paid_on >= s.charged_off_on
                    then r.principal_paid + r.interest_paid
            end
        ) as recoveries
    from repayments as r
    inner join segment as s using (loan_id)
    group by s.grade, s.term_months, s.issue_year, s.meets_policy
),

loans_by_segment as (
    select
        grade,
        term_months,
        issue_year,
        meets_policy,
        cast(count(*) as bigint) as loans,
        cast(count(*) filter (where is_charged_off) as bigint) as charged_off_loans,
        sum(principal) as originated_principal,
        coalesce(sum(total_amount), 0) as charged_off_principal
    from segment
    group by grade, term_months, issue_year, meets_policy
)

select
    s.*,
    coalesce(c.recoveries, 0) as recoveries,
    coalesce(c.principal_received, 0) as principal_received
from loans_by_segment as s
left join cash as c using (grade, term_months, issue_year, meets_policy)
order by grade, term_months, issue_year, meets_policy
