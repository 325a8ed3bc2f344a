-- grain: one row: the platform's loan chosen as the Learn page's legal-action story at $as_of (none
-- when no loan qualifies)
-- A loan qualifies when, on or before $as_of, it missed an installment (not paid in full by borrower
-- or collection cash on its due date), then had at least one collection contact (reminder, call,
-- visit, promise_to_pay) on or after that due date, and then a lawsuit was filed (legal_filed). The
-- pick is deterministic: loans with a judgment by $as_of first, then the most kinds of collection
-- contact, then the earliest lawsuit, then the smallest loan_id.
-- Columns:
--   loan_id
--   first_missed_on        due date of the first installment not paid in full on time
--   first_collection_on    first collection contact on or after it
--   legal_filed_on         first lawsuit filed after that contact
--   judgment_on            first judgment on or before $as_of (null when none yet)
--   collection_contacts    collection contacts between first_missed_on and legal_filed_on
--   contact_kinds          distinct kinds among them
-- The candidates are the legal_action_story mart's rows (sued on or before $as_of).
-- key: one row
select
    loan_id,
    first_missed_on,
    first_collection_on,
    legal_filed_on,
    case when first_judgment_on <= $as_of then first_judgment_on end as judgment_on,
    collection_contacts,
    contact_kinds
from legal_action_story
where legal_filed_on <= $as_of
order by judgment_on is not null desc, contact_kinds desc, legal_filed_on, loan_id
limit 1
