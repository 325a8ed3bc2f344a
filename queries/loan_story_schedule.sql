-- grain: one row per installment of loan $loan_id (none when the loan is not visible: see loan_story_loan)
-- The contract against what the borrower actually paid by the end of day $as_of. Payments from the
-- borrower and from collection fill installments in order (docs/design.md §3); guarantor buy-outs never
-- do. An installment is paid in full on the day the running total of those payments first reaches
-- its running total due.
-- Columns:
--   installment_no, due_on
--   principal_due, interest_due, amount_due   currency units
--   running_due        Σ amount_due of this and earlier installments
--   paid_in_full_on    the day it was paid in full (null when not by $as_of)
--   status             on_time (paid in full by its due date), late (paid in full after it),
--                      unpaid (due before $as_of and not paid in full), not_due (due on or after
--                      $as_of), prepaid (the loan was paid off early, before this installment fell due),
--                      written_off (unpaid when the loan was charged off on or before $as_of)
--   days_late          late: paid_in_full_on - due_on; unpaid: $as_of - due_on; written_off: the
--                      charge-off date - due_on (the count stops at the charge-off); otherwise 0
-- key: installment_no
with

chosen as (
    select
        v.loan_id,
        cast(l.principal as double) as principal
    from visible_loan($loan_id, $investor_id, $as_of) as v
    inner join loans as l using (loan_id)
),

installments as (
    select
        s.loan_id,
        s.installment_no,
        s.due_on,
        cast(s.principal_due as double) as principal_due,
        cast(s.interest_due as double) as interest_due,
        cast(s.principal_due + s.interest_due as double) as amount_due,
        sum(cast(s.principal_due + s.interest_due as double)) over (order by s.installment_no) as running_due
    from schedule as s
    where s.loan_id in (select loan_id from chosen)
),

borrower_cash as (
    select
        loan_id,
        paid_on,
        sum(cast(principal_paid + interest_paid as double)) as paid,
        sum(cast(principal_paid as double)) as principal_paid
    from repayments
    where loan_id in (select loan_id from chosen)
        and source in ('borrower', 'collection')
        and paid_on <= $as_of
    group by loan_id, paid_on
),

running_cash as (
    select
        loan_id,
        paid_on,
        sum(paid) over (order by paid_on) as running_paid,
        sum(principal_paid) over (order by paid_on) as running_principal,
        sum(paid) over (order by paid_on) + 0.005 as running_reach
    from borrower_cash
),

paid_off as (
    select
        min(r.paid_on) as paid_off_on
    from running_cash as r
    inner join chosen as c using (loan_id)
    where c.principal - r.running_principal <= 0.005
),

filled as (
    select
        i.*,
        r.paid_on as paid_in_full_on
    from installments as i
    asof left join running_cash as r
        on i.loan_id = r.loan_id and i.running_due <= r.running_reach
),

-- the loan's charge-off (loan_charge_off.charged_off_on: its first charged_off event) when on or before
-- $as_of, read from the loan's own events: loan_charge_off would group every charged-off loan first
charge_off as (
    select
        min(e.event_on) as charged_off_on
    from loan_events as e
    where e.loan_id in (select loan_id from chosen)
        and e.kind = 'charged_off'
        and e.event_on <= $as_of
),

classified as (
    select
        f.*,
        o.charged_off_on,
        case
            when p.paid_off_on < f.due_on then 'prepaid'
            when f.paid_in_full_on <= f.due_on then 'on_time'
            when f.paid_in_full_on > f.due_on then 'late'
            when f.due_on < o.charged_off_on then 'written_off'
            when f.due_on < cast($as_of as date) then 'unpaid'
            else 'not_due'
        end as status
    from filled as f
    cross join paid_off as p
    cross join charge_off as o
)

select
    cast(installment_no as integer) as installment_no,
    due_on,
    principal_due,
    interest_due,
    amount_due,
    running_due,
    paid_in_full_on,
    status,
    cast(case
        when status = 'late' then date_diff('day', due_on, paid_in_full_on)
        when status = 'unpaid' then date_diff('day', due_on, cast($as_of as date))
        when status = 'written_off' then date_diff('day', due_on, charged_off_on)
        else 0
    end as integer) as days_late
from classified
order by installment_no
