-- grain: one row per origination year x borrower credit score over loans originated on or before $as_of
-- What the credit score's power and a cut-off what-if need (segments page). A loan has defaulted
-- when it was 90+ or charged_off at a month-end on or before the month-end $as_of (loan_month).
-- The score_month mart's rows up to $as_of, added up ($as_of is a month-end).
-- Columns (amounts in currency units, double):
--   vintage_year         year of origination
--   credit_score         the borrower's credit score
--   loans, principal     loans originated and their principal
--   defaulted_loans      of them, defaulted by $as_of
--   defaulted_principal  their outstanding principal at default
--   lost_principal       principal charged off on or before $as_of minus collection recoveries
--                        (principal + interest) received on or before $as_of, per loan not below 0
-- key: vintage_year, credit_score
select
    vintage_year,
    credit_score,
    cast(sum(originated_loans) as bigint) as loans,
    cast(sum(originated_principal) as double) as principal,
    cast(sum(defaulted_loans) as bigint) as defaulted_loans,
    cast(sum(defaulted_principal) as double) as defaulted_principal,
    cast(sum(lost_change) as double) as lost_principal
from score_month
where month_end <= $as_of
group by vintage_year, credit_score
having sum(originated_loans) > 0
order by vintage_year, credit_score
