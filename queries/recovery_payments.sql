-- grain: one row per collection payment of a charged-off loan paid on or after its charge-off date
-- The recoveries on the charge-offs of charge_offs.sql (the recovery_payment mart, every date: the
-- risk engine cuts them at each as-of date), in the order a loan's development adds them up: by loan,
-- date, then amount for same-day payments, smallest first (payment_no).
-- Columns:
--   loan_id, paid_on
--   payment_no   1, 2, ... the loan's payments in that order
--   amount       principal_paid + interest_paid, currency units
-- key: loan_id, payment_no
select
    loan_id,
    paid_on,
    payment_no,
    amount
from recovery_payment
order by loan_id, paid_on, payment_no
