-- grain: one row per collection repayment of a charged-off loan paid on or after its charge-off date
-- The recovery view (queries/schema/002_views.sql) stored once per store: LGD's recovery development
-- (recovery_payments.sql, once per store) reads its rows instead of scanning every repayment and loan
-- event per call.
-- Columns:
--   loan_id
--   paid_on     the payment date
--   payment_no  1, 2, ... the loan's payments here by date, same-day payments by amount, smallest first
--               (a loan's same-day payments of equal amount are equal rows: any of them is the same row)
--   amount      principal_paid + interest_paid, currency units (double; added in decimal, then cast)
create table recovery_payment as
with

charge_offs as (
    select
        loan_id,
        min(event_on) as charged_off_on
    from loan_events
    where kind = 'charged_off'
    group by loan_id
),

collected as (
    select
        r.loan_id,
        r.paid_on,
        cast(r.principal_paid + r.interest_paid as double) as amount
    from repayments as r
    inner join charge_offs as c using (loan_id)
    where r.source = 'collection' and r.paid_on >= c.charged_off_on
)

select
    loan_id,
    paid_on,
    cast(row_number() over (partition by loan_id order by paid_on, amount) as integer) as payment_no,
    amount
from collected
order by loan_id, paid_on, payment_no
