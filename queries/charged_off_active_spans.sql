-- grain: one row per loan charged off on or before $as_of that is active on the loan_month tape at some month-end
-- When a charged-off loan was in the active book (current .. 90+), for the back-test's realised losses
-- (lendrisk.risk.backtest: of the loans active at a prediction date D, those charged off after D).
-- A loan's tape runs month by month from its first month-end and stops at the first at which it is
-- paid_off or charged_off (its closing row); every row before the closing row is active. So the loan is
-- active at exactly the month-ends in [active_from, active_to], read off the closing row alone:
-- active_from = its month-end less its months on book (the first row), active_to = the month-end before.
-- A loan charged off on or before $as_of closes charged_off in its charge-off month, or paid_off before
-- it (it was repaid first): the few such loans are looked up among the paid_off rows. Loans closed at
-- their first month-end are never active (left out).
-- Columns:
--   loan_id
--   active_from   the first month-end at which the loan is active (date)
--   active_to     the last one (date)
-- key: loan_id
with

charged_off as (
    select loan_id
    from loan_charge_off
    where charged_off_on <= $as_of
),

closed_charged_off as (
    select
        loan_id,
        month_end,
        months_on_book
    from loan_month
    where state = 'charged_off' and month_end <= $as_of
),

repaid_first as (
    select loan_id
    from charged_off
    anti join closed_charged_off using (loan_id)
),

closed_paid_off as (
    select
        loan_id,
        month_end,
        months_on_book
    from loan_month
    where state = 'paid_off' and loan_id in (select loan_id from repaid_first)
),

closing as (
    select * from closed_charged_off
    union all
    select * from closed_paid_off
)

select
    loan_id,
    last_day(month_end - to_months(months_on_book)) as active_from,
    last_day(month_end - interval 1 month) as active_to
from closing
where months_on_book > 0
order by loan_id
