-- grain: one row per holding of investor $investor_id in a loan active at the month-end $as_of
-- with exposure left (holdings invested on or before $as_of; a holding bought out by the guarantor
-- has no exposure and is left out, as in overdue_by_bucket).
--   share             holding amount / loan principal
--   ead               share x (principal - principal paid by every source, guarantor included)
--   remaining_months  installments not yet due = term_months - months on book, floored at 0
-- Columns: holding_id, loan_id, grade, product, guarantee, state, dpd, remaining_months, share,
--   outstanding_principal (the loan's, borrower-based), ead (currency units)
-- key: holding_id
select * exclude (claim) rename (exposure as ead)
from held_exposures($investor_id, $as_of)
order by holding_id
