-- grain: one row per loan charged off on or before $as_of
-- The recovery development of every charge-off (docs/risk-model.md, LGD): the principal written off
-- (loan_write_off) and each collection payment received on or after the charge-off date and on or
-- before $as_of (recovery). lendrisk.risk buckets the payments by months since the charge-off into a
-- development triangle and projects immature charge-offs with the curve of seasoned ones. Read from
-- the charge_off and recovery_payment marts (the loan_write_off and recovery views, stored); a
-- loan's same-day payments in the order the repayments table holds them (payment_no).
-- Columns:
--   loan_id, product, charged_off_on
--   principal_written_off   currency units
--   recovery_dates          list of payment dates (empty when nothing was recovered)
--   recovery_amounts        list of the payments' principal + interest, currency units
-- key: loan_id
with

written_off as (
    select
        loan_id,
        product,
        charged_off_on,
        principal_written_off
    from charge_off
    where charged_off_on <= $as_of
),

recovered as (
    select
        loan_id,
        list(paid_on order by paid_on, payment_no) as recovery_dates,
        list(amount order by paid_on, payment_no) as recovery_amounts
    from recovery_payment
    where paid_on <= $as_of
    group by loan_id
)

select
    w.loan_id,
    w.product,
    w.charged_off_on,
    w.principal_written_off,
    coalesce(r.recovery_dates, []) as recovery_dates,
    coalesce(r.recovery_amounts, []) as recovery_amounts
from written_off as w
left join recovered as r using (loan_id)
order by w.charged_off_on, w.loan_id
