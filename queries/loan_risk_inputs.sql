-- grain: one row per loan active (current .. 90+) at the month-end $as_of
-- Everything expected loss needs per loan, read from the loan_month tape at $as_of:
--   outstanding_principal  principal - borrower and collection principal paid (the platform's EAD)
--   exposure               principal - principal paid by every source, guarantor included (what
--                          the investors still hold; a guarantor buy-out takes it to 0)
--   remaining_months       installments not yet due = term_months - months on book (the schedule
--                          runs monthly from one month after origination), floored at 0
-- Columns: loan_id, grade, product, guarantee (none / reserve / partner), state, dpd,
--   remaining_months, outstanding_principal, exposure (currency units)
-- key: loan_id
select * rename (claim as exposure)
from loan_risk_profile($as_of)
order by loan_id
