-- grain: one row per origination year x borrower credit score x month-end in which a loan of theirs was
-- originated, defaulted or changed its lost principal
-- What the credit score's power and the cut-off what-if add up (queries/score_outcomes.sql): summing
-- the rows of month-ends <= $as_of gives, per origination year and score, the loans originated by
-- $as_of, those defaulted by then (first month-end at 90+ or charged_off on the loan_month tape) and
-- their lost principal at $as_of.
-- A loan's lost principal at a month-end m is Σ its charged_off amounts dated <= m minus Σ its
-- collection payments (principal + interest) dated <= m, not below 0 (0 for a loan not charged off by
-- m); lost_change is how much that moved in month m, so the changes up to $as_of add up to it.
-- Columns:
--   vintage_year, credit_score                integers
--   month_end                                 the month-end (date)
--   originated_loans, originated_principal    loans originated in the month and their principal
--   defaulted_loans, defaulted_principal      loans defaulting in the month; outstanding principal then
--   lost_change                               change of the lost principal in the month (may be < 0)
-- Amounts DECIMAL(18, 2) currency units, summed exactly; counts bigint.
create table score_month as
with

described as (
    select
        k.loan_no,
        l.loan_id,
        last_day(l.originated_on) as origination_month,
        l.principal,
        cast(year(l.originated_on) as integer) as vintage_year,
        cast(b.credit_score as integer) as credit_score
    from loans as l
    inner join loan_key as k using (loan_id)
    inner join borrowers as b using (borrower_id)
),

defaults as (
    select
        loan_no,
        min(month_end) as default_month,
        min_by(outstanding_principal, month_end) as principal_at_default
    from loan_month
    where state in ('90+', 'charged_off')
    group by loan_no
),

charges as (
    select
        loan_id,
        last_day(event_on) as month_end,
        sum(coalesce(amount, 0)) as charged
    from loan_events
    where kind = 'charged_off'
    group by loan_id, last_day(event_on)
),

collected as (
    select
        loan_id,
        last_day(paid_on) as month_end,
        sum(principal_paid + interest_paid) as recovered
    from repayments
    where source = 'collection' and loan_id in (select loan_id from charges)
    group by loan_id, last_day(paid_on)
),

movements as (
    select
        loan_id,
        month_end,
        sum(charged) as charged,
        sum(recovered) as recovered
    from (
        select loan_id, month_end, charged, cast(0 as decimal(18, 2)) as recovered from charges
        union all
        select loan_id, month_end, cast(0 as decimal(18, 2)), recovered from collected
    )
    group by loan_id, month_end
),

lost as (
    select
        loan_id,
        month_end,
        greatest(
            sum(charged) over running - sum(recovered) over running, cast(0 as decimal(18, 2))
        ) as lost
    from movements
    window running as (partition by loan_id order by month_end rows between unbounded preceding and current row)
),

lost_changes as (
    select
        loan_id,
        month_end,
        lost - coalesce(lag(lost) over (partition by loan_id order by month_end), 0) as lost_change
    from lost
),

flows as (
    select
        loan_no,
        origination_month as month_end,
        1 as originated,
        principal as originated_principal,
        0 as defaulted,
        cast(0 as decimal(18, 2)) as defaulted_principal,
        cast(0 as decimal(18, 2)) as lost_change
    from described
    union all
    select
        loan_no,
        default_month,
        0,
        cast(0 as decimal(18, 2)),
        1,
        principal_at_default,
        cast(0 as decimal(18, 2))
    from defaults
    union all
    select
        d.loan_no,
        c.month_end,
        0,
        cast(0 as decimal(18, 2)),
        0,
        cast(0 as decimal(18, 2)),
        c.lost_change
    from lost_changes as c
    inner join described as d using (loan_id)
    where c.lost_change <> 0
)

select
    d.vintage_year,
    d.credit_score,
    f.month_end,
    cast(sum(f.originated) as bigint) as originated_loans,
    cast(sum(f.originated_principal) as decimal(18, 2)) as originated_principal,
    cast(sum(f.defaulted) as bigint) as defaulted_loans,
    cast(sum(f.defaulted_principal) as decimal(18, 2)) as defaulted_principal,
    cast(sum(f.lost_change) as decimal(18, 2)) as lost_change
from flows as f
inner join described as d using (loan_no)
group by d.vintage_year, d.credit_score, f.month_end
order by vintage_year, credit_score, month_end
