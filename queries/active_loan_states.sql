-- grain: one row per loan active (current .. 90+) at the month-end $as_of, in loan_no order (the
-- loan_id order: loan_key numbers the loans in it)
-- The month-end slice of the loan_month tape (active_tape) without the loans table: lendrisk.risk
-- adds grade, product, guarantee and term_months by loan_no from loan_terms (read once per store), so
-- the platform's expected loss costs the slice, not a join of millions of rows by the loan_id text.
-- Columns: loan_no, loan_id, state, dpd, months_on_book, outstanding_principal, claim (currency
--   units, double), as in active_tape
-- key: loan_no
select
    loan_no,
    loan_id,
    state,
    dpd,
    months_on_book,
    outstanding_principal,
    claim
from active_tape($as_of)
order by loan_no
