-- grain: one row per first action x days to first contact of the delinquency spells that started in the window and had 3 months to cure by $as_of
-- The counts behind the cure tables (lendrisk.collection.cure_by_first_action / _by_contact_delay):
-- the spells of queries/collection_spells.sql (delinquency_spell mart, start month-end in
-- (last_day($as_of - $lookback_months months), last_day($as_of - 3 months)]) grouped, so a page
-- reads a few hundred rows instead of every spell.
-- Columns:
--   first_action           reminder, call, visit, promise_to_pay, legal_filed or 'none'
--   days_to_first_contact  days from the overdue date to the first action (null for 'none')
--   spells                 spells
--   cured                  of them, spells cured within 3 months
-- key: first_action, days_to_first_contact
select
    first_action,
    days_to_first_contact,
    cast(count(*) as bigint) as spells,
    cast(count(*) filter (where cured) as bigint) as cured
from spells_to($as_of, $lookback_months)
group by first_action, days_to_first_contact
order by first_action, days_to_first_contact nulls last
