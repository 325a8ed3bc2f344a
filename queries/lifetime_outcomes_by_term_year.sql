-- grain: one row per grade, term and issue year that has loans
-- Lifetime outcomes of every loan in the store, closed and open, by grade, term (months) and the
-- calendar year of origination: the charge-off counts that published LendingClub statistics are
-- checked against. $meets_policy_only = true keeps only loans that met the credit policy
-- (loans.meets_policy, null counted as true); false keeps every loan.
-- Columns (amounts in currency units, rates as fractions 0..1):
--   grade                  credit grade A..G
--   term_months            contractual term in months
--   issue_year             calendar year of originated_on
--   loans                  loans originated
--   charged_off_loans      loans with a charged_off event
--   chargeoff_rate_count   charged_off_loans / loans
--   originated_principal   principal originated
--   charged_off_principal  sum of charged_off event amounts (principal written off)
--   recoveries             collection payments (principal + interest) dated on or after the loan's
--                          charge-off (the `recovery` view, as LGD counts them)
--   principal_received     principal paid by the borrower and by collection (guarantor payments excluded)
-- key: grade, term_months, issue_year
select * exclude (by_term_year, chargeoff_rate_amount)
from lifetime_outcomes($meets_policy_only)
where by_term_year
order by grade, term_months, issue_year
