-- grain: one row per delinquency spell that started in the window and had 3 months to cure by $as_of
-- A spell starts at a month-end at which a loan is past due (1-30 .. 90+ on the loan_month tape)
-- while at the month-end before it was current (or had no tape row yet). Its start month-end lies in
-- (last_day($as_of - $lookback_months months), last_day($as_of - 3 months)]. The loan was overdue
-- since start month-end - DPD. It is cured when it is current or paid_off at a month-end within 3
-- months after the start, before any month-end at 90+ or charged_off.
-- First action: the earliest collection event (reminder, call, visit, promise_to_pay, legal_filed)
-- dated from the overdue date to the cure (or to the end of the 3 months); 'none' if there is none.
-- Read from the delinquency_spell mart (queries/marts/delinquency_spell.sql), which holds every
-- spell of the tape; $as_of is a month-end.
-- Columns:
--   loan_id
--   start_month_end        month-end the spell was first seen
--   overdue_since          due date of the oldest unpaid installment then
--   first_action           kind of the first action, or 'none'
--   first_action_on        its date (null for 'none')
--   days_to_first_contact  first_action_on - overdue_since in days (null for 'none')
--   cured                  true when cured within 3 months
-- key: loan_id, start_month_end
select
    loan_id,
    start_month_end,
    overdue_since,
    first_action,
    first_action_on,
    days_to_first_contact,
    cured
from spells_to($as_of, $lookback_months)
order by start_month_end, loan_id
