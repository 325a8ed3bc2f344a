-- grain: one row per loan with a charged_off event
-- Every charge-off of the store, for the LGD's recovery development and the back-test (lendrisk.risk's
-- charge-off ledger, read once per store and cut at each as-of date there): a filter-free read of the
-- charge_off mart in charge-off date order. The recoveries on them are recovery_payments.sql.
-- Columns:
--   loan_id, product
--   charged_off_on          date of the loan's first charged_off event
--   principal_written_off   currency units (the loan_write_off view's amount)
--   active_from, active_to  the first and last month-end at which the loan was active (current .. 90+)
--                           on the loan_month tape (null when never: closed at its first month-end)
-- key: loan_id
select
    loan_id,
    product,
    charged_off_on,
    principal_written_off,
    active_from,
    active_to
from charge_off
order by charged_off_on, loan_id
