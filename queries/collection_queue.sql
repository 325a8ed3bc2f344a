-- grain: one row per loan overdue (DPD >= 1, state 1-30 .. 90+) at the month-end $as_of
-- The collection work list before ranking: where each overdue loan stands and the last contact, the
-- month-end's rows of the collection_month mart (stored by month-end: a few row groups are read).
-- Contacts are loan_events of kind reminder, call, visit or promise_to_pay on or before $as_of.
-- Columns:
--   loan_id, borrower_id, grade, product, region
--   state, dpd                     bucket and days past due at $as_of (loan_month tape)
--   outstanding_principal          currency units
--   past_due_amount                unpaid part of installments due, currency units
--   contacts                       number of contacts so far
--   last_contact_on                date of the latest contact (null when never contacted)
--   last_contact_kind              its kind (reminder, call, visit, promise_to_pay; null when none)
--   days_since_contact             $as_of - last_contact_on in days (null when never contacted)
--   legal_filed_on, judgment_on    first legal_filed / judgment event on or before $as_of (null if none)
--   remaining_months               installments not yet due (what the loan's PD depends on, active_loans)
-- Rows in loan_id order (loan_no: loan_key numbers the loans in loan_id order).
-- key: loan_id
select
    loan_id,
    borrower_id,
    grade,
    product,
    region,
    state,
    dpd,
    outstanding_principal,
    past_due_amount,
    contacts,
    last_contact_on,
    last_contact_kind,
    cast(date_diff('day', last_contact_on, cast($as_of as date)) as integer) as days_since_contact,
    legal_filed_on,
    judgment_on,
    remaining_months
from collection_month
where month_end = $as_of
order by loan_no
