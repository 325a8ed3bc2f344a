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
-- The candidates are the early_repayment_story mart's rows (repaid on or before $as_of).
-- key: one row
select
    loan_id,
    paid_off_on,
    last_due_on,
    months_early,
    installments_before
from early_repayment_story
where paid_off_on <= $as_of
order by installments_before >= 3 desc, months_early desc, loan_id
limit 1
