-- grain: one row per grade that has loans (A..G)
-- Lifetime outcomes of every loan in the store, closed and open, by grade: how many were charged off
-- and how much principal came back. $meets_policy_only = true keeps only loans that met the credit
-- policy (loans.meets_policy, null counted as true); false keeps every loan.
-- Columns (amounts in currency units, rates as fractions 0..1):
--   grade                  credit grade A..G
--   loans                  loans originated
--   charged_off_loans      loans with a charged_off event
--   chargeoff_rate_count   charged_off_loans / loans
--   originated_principal   principal originated
--   charged_off_principal  sum of charged_off event amounts (principal written off)
--   chargeoff_rate_amount  charged_off_principal / originated_principal
--   recoveries             collection payments (principal + interest) dated on or after the loan's
--                          charge-off (the `recovery` view, as LGD counts them)
--   principal_received     principal paid by the borrower and by collection (guarantor payments excluded)
-- key: grade
select * exclude (term_months, issue_year, by_term_year)
from lifetime_outcomes($meets_policy_only)
where not by_term_year
order by grade
