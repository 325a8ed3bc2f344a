-- grain: one row per loan originated on or before $as_of
-- State of every loan at the end of day $as_of, as docs/design.md §3 defines it:
--   paid so far = borrower + collection principal and interest paid on or before $as_of
--   (guarantor buy-outs never cure a borrower); the oldest unpaid installment is the first whose
--   running total of principal_due + interest_due exceeds paid so far + 0.005; dpd = $as_of - its
--   due_on when that is in the past; outstanding = principal - principal paid (same repayments).
-- key: loan_id
with

loans_on_book as (
    select loan_id, principal
    from loans
    where originated_on <= $as_of
),

cash_received as (
    select
        loan_id,
        sum(principal_paid + interest_paid) as paid_so_far,
        sum(principal_paid) as principal_paid
    from repayments
    where paid_on <= $as_of and source in ('borrower', 'collection')
    group by loan_id
),

charge_offs as (
    select distinct loan_id
    from loan_events
    where kind = 'charged_off' and event_on <= $as_of
),

paid as (
    select
        b.loan_id,
        b.principal,
        coalesce(c.paid_so_far, 0) as paid_so_far,
        b.principal - coalesce(c.principal_paid, 0) as outstanding_principal
    from loans_on_book as b
    left join cash_received as c using (loan_id)
),

oldest_unpaid as (
    select
        p.loan_id,
        s.due_on as oldest_unpaid_due_on
    from paid as p
    asof left join schedule_running_due as s
        on p.loan_id = s.loan_id and p.paid_so_far + 0.005 < s.running_due
),

due_so_far as (
    select
        loan_id,
        max(running_due) as running_due
    from schedule_running_due
    where due_on < $as_of
    group by loan_id
),

dated as (
    select
        p.loan_id,
        p.outstanding_principal,
        greatest(coalesce(d.running_due, 0) - p.paid_so_far, 0) as past_due_amount,
        case
            when o.oldest_unpaid_due_on < cast($as_of as date)
                then date_diff('day', o.oldest_unpaid_due_on, cast($as_of as date))
            else 0
        end as dpd,
        co.loan_id is not null as is_charged_off
    from paid as p
    left join oldest_unpaid as o using (loan_id)
    left join due_so_far as d using (loan_id)
    left join charge_offs as co using (loan_id)
)

select
    loan_id,
    loan_state(is_charged_off, outstanding_principal, dpd) as state,
    cast(dpd as integer) as dpd,
    cast(outstanding_principal as double) as outstanding_principal,
    cast(past_due_amount as double) as past_due_amount
from dated
order by loan_id
