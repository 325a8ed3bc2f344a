-- grain: one row per delinquency spell that started in the window and had 3 months to cure by the
-- month-end day (spells_to(day, lookback)): its start month-end lies in
-- (last_day(day - lookback months), last_day(day - 3 months)]
-- Columns: those of the delinquency_spell mart (loan_id, start_month_end, overdue_since, first_action,
--   first_action_on, days_to_first_contact, cured)
create or replace macro spells_to(day, lookback) as table
select *
from delinquency_spell
where start_month_end > last_day(cast(day as date) - to_months(cast(lookback as integer)))
    and start_month_end <= last_day(cast(day as date) - interval 3 month);
