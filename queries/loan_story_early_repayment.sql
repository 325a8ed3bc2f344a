-- grain: one row: the platform's loan chosen as the Learn page's early-repayment story at $as_of (none
-- when no loan qualifies)
-- A loan qualifies when its borrower (or collection) repaid the whole principal on or before $as_of
-- and before the last installment's due date, it was never overdue at any month-end on the tape and
-- it has no post-loan events. The pick is deterministic: loans that paid at least three regular
-- installments before repaying first, then the most months repaid early, then the smallest loan_id.
-- Columns:
--   loan_id
--   paid_off_on              the day the principal was repaid in full
--   last_due_on              the contract's last due date
--   months_early             whole months between them
--   installments_before      installments that fell due on or before paid_off_on
-- key: one row
with

principal_left as (
    select
        r.loan_id,
        r.paid_on,
        cast(l.principal as double) - sum(cast(r.principal_paid as double)) over (
            partition by r.loan_id order by r.paid_on rows between unbounded preceding and current row
        ) as principal_left
    from repayments as r
    inner join loans as l using (loan_id)
    where r.source in ('borrower', 'collection') and r.paid_on <= $as_of
),

paid_off as (
    select loan_id, min(paid_on) as paid_off_on
    from principal_left
    where principal_left <= 0.005
    group by loan_id
),

contract as (
    select
        loan_id,
        max(due_on) as last_due_on
    from schedule
    where loan_id in (select loan_id from paid_off)
    group by loan_id
),

never_overdue as (
    select loan_id
    from loan_month
    where loan_id in (select loan_id from paid_off)
    group by loan_id
    having bool_and(state in ('current', 'paid_off'))
),

with_events as (
    select distinct loan_id
    from loan_events
    where loan_id in (select loan_id from paid_off)
),

candidates as (
    select
        p.loan_id,
        p.paid_off_on,
        c.last_due_on,
        cast(date_diff('month', p.paid_off_on, c.last_due_on) as integer) as months_early
    from paid_off as p
    inner join contract as c using (loan_id)
    where p.paid_off_on < c.last_due_on
        and p.loan_id in (select loan_id from never_overdue)
        and p.loan_id not in (select loan_id from with_events)
),

counted as (
    select
        c.*,
        cast(count(s.installment_no) as integer) as installments_before
    from candidates as c
    left join schedule as s on s.loan_id = c.loan_id and s.due_on <= c.paid_off_on
    group by all
)

select *
from counted
order by installments_before >= 3 desc, months_early desc, loan_id
limit 1
