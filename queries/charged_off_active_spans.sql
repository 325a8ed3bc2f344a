-- grain: one row per loan charged off on or before $as_of that is active on the loan_month tape at some month-end
-- When a charged-off loan was in the active book (current .. 90+), for the back-test's realised losses
-- (lendrisk.risk.backtest: of the loans active at a prediction date D, those charged off after D).
-- A loan's tape runs month by month from its first month-end and stops at the first at which it is
-- paid_off or charged_off (its closing row); every row before the closing row is active. So the loan is
-- active at exactly the month-ends in [active_from, active_to], read off the closing row alone (the
-- charge_off mart has them: its charged_off row, else, repaid first, its paid_off row). $as_of is a
-- month-end: a loan charged off on or before it closes in its charge-off month, on or before $as_of.
-- Loans closed at their first month-end are never active (left out).
-- Columns:
--   loan_id
--   active_from   the first month-end at which the loan is active (date)
--   active_to     the last one (date)
-- key: loan_id
select
    loan_id,
    active_from,
    active_to
from charge_off
where charged_off_on <= $as_of and active_from is not null
order by loan_id
