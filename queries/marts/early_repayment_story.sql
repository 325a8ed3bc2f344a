-- grain: one row per loan that could be the Learn page's early-repayment story
-- A loan qualifies when its borrower (or collection) repaid the whole principal before the last
-- installment's due date, it was never overdue at any month-end on the loan_month tape and it has no
-- post-loan events. None of that depends on the as-of date once the loan is repaid (its tape ends
-- at the month it was paid off), so queries/loan_story_early_repayment.sql keeps the rows repaid on
-- or before $as_of and picks one: built once here, the pick no longer sums every repayment of the book.
-- Columns:
--   loan_id
--   paid_off_on              the day the principal was repaid in full (borrower and collection
--                            principal, in date order, reaching the principal within 0.005)
--   last_due_on              the contract's last due date
--   months_early             calendar months between them (month of last_due_on - month of paid_off_on)
--   installments_before      installments that fell due on or before paid_off_on
create table early_repayment_story as
with

repaid_never_overdue as (
    select loan_no
    from loan_month
    group by loan_no
    having bool_and(state in ('current', 'paid_off')) and bool_or(state = 'paid_off')
),

repaid as (
    select
        k.loan_id,
        l.principal
    from loan_key as k
    inner join loans as l using (loan_id)
    where k.loan_no in (select loan_no from repaid_never_overdue)
        and k.loan_id not in (select loan_id from loan_events)
),

principal_left as (
    select
        r.loan_id,
        r.paid_on,
        cast(p.principal as double) - sum(cast(r.principal_paid as double)) over (
            partition by r.loan_id order by r.paid_on rows between unbounded preceding and current row
        ) as principal_left
    from repayments as r
    inner join repaid as p using (loan_id)
    where r.source in ('borrower', 'collection')
),

paid_off as (
    select
        loan_id,
        min(paid_on) as paid_off_on
    from principal_left
    where principal_left <= 0.005
    group by loan_id
),

contract as (
    select
        s.loan_id,
        max(s.due_on) as last_due_on,
        count(*) filter (where s.due_on <= p.paid_off_on) as installments_before
    from schedule as s
    inner join paid_off as p using (loan_id)
    group by s.loan_id
)

select
    p.loan_id,
    p.paid_off_on,
    c.last_due_on,
    cast((year(c.last_due_on) * 12 + month(c.last_due_on)) - (year(p.paid_off_on) * 12 + month(p.paid_off_on))
        as integer) as months_early,
    cast(c.installments_before as integer) as installments_before
from paid_off as p
inner join contract as c using (loan_id)
where p.paid_off_on < c.last_due_on
order by loan_id
