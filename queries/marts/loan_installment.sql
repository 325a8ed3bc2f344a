-- grain: one row per installment (loan_no, installment_no)
-- The schedule with each loan's integer key (loan_key) in place of its loan_id text, for the
-- investor-scoped queries (why: queries/marts/loan_repayment.sql). Kept in the order DuckDB builds it.
-- Columns: loan_no (integer), installment_no, due_on, principal_due, interest_due (as in schedule,
--   DECIMAL(18,2) currency units)
-- key: loan_no, installment_no
create table loan_installment as
select
    k.loan_no,
    s.installment_no,
    s.due_on,
    s.principal_due,
    s.interest_due
from schedule as s
inner join loan_key as k using (loan_id)
