-- grain: one row per delinquency spell on the loan_month tape (loan_id x start_month_end)
-- The delinquency spells of every loan, built once per store after loan_month so the Collections
-- page's cure tables read the spells of a window instead of pairing the whole tape with itself.
-- A spell starts at a month-end at which a loan is past due (1-30 .. 90+) while at the month-end
-- before it was current (or had no tape row yet): the first row of a run of consecutive past-due or
-- charged-off month-ends (each loan's tape is contiguous). The run ends at the month-end before the
-- loan is next current or paid_off; that next month-end exists unless the run ends charged_off or at
-- the tape's last month-end, last_day($observed_to). Definitions as queries/collection_spells.sql:
-- cured when current or paid_off at a month-end within 3 months after the start, before any
-- month-end at 90+ or charged_off; the first action is the earliest collection event (reminder,
-- call, visit, promise_to_pay, legal_filed; on one day the first kind by name) dated from the overdue date to the cure
-- (or to the end of the 3 months). None of it depends on a later as-of date: the cure window closes
-- 3 months after the start.
-- Columns:
--   loan_id
--   start_month_end        month-end the spell was first seen
--   overdue_since          due date of the oldest unpaid installment then (start_month_end - DPD)
--   first_action           kind of the first action, or 'none'
--   first_action_on        its date (null for 'none')
--   days_to_first_contact  first_action_on - overdue_since in days (null for 'none')
--   cured                  true when cured within 3 months
create table delinquency_spell as
with

troubled as (
    select
        loan_no,
        month_end,
        state,
        dpd,
        year(month_end) * 12 + month(month_end)
        - row_number() over (partition by loan_no order by month_end) as run
    from loan_month
    where state in ('1-30', '31-60', '61-90', '90+', 'charged_off')
),

runs as (
    select
        loan_no,
        min(month_end) as start_month_end,
        max(month_end) as end_month_end,
        arg_min(state, month_end) as start_state,
        arg_min(dpd, month_end) as start_dpd,
        min(month_end) filter (where state in ('90+', 'charged_off')) as defaulted_month_end,
        count(*) filter (where state = 'charged_off') as charged_off_rows
    from troubled
    group by loan_no, run
),

starts as (
    select
        k.loan_id,
        r.start_month_end,
        cast(r.start_month_end - r.start_dpd as date) as overdue_since,
        last_day(r.start_month_end + interval 3 month) as cure_deadline,
        r.defaulted_month_end,
        case
            when r.charged_off_rows = 0
                and last_day(r.end_month_end + interval 1 month) <= last_day(cast($observed_to as date))
                then last_day(r.end_month_end + interval 1 month)
        end as cured_month_end
    from runs as r
    inner join loan_key as k using (loan_no)
    where r.start_state <> 'charged_off'
),

outcomes as (
    select
        loan_id,
        start_month_end,
        overdue_since,
        coalesce(cured_month_end <= cure_deadline and defaulted_month_end is null, false) as cured,
        least(coalesce(cured_month_end, cure_deadline), cure_deadline) as action_deadline
    from starts
),

actions as (
    select
        o.loan_id,
        o.start_month_end,
        e.kind,
        e.event_on
    from outcomes as o
    inner join loan_events as e
        on e.loan_id = o.loan_id
        and e.event_on >= o.overdue_since
        and e.event_on <= o.action_deadline
    where e.kind in ('reminder', 'call', 'visit', 'promise_to_pay', 'legal_filed')
),

first_days as (
    select
        loan_id,
        start_month_end,
        min(event_on) as first_action_on
    from actions
    group by loan_id, start_month_end
),

first_actions as (
    select
        a.loan_id,
        a.start_month_end,
        min(a.kind) as first_action,
        a.event_on as first_action_on
    from actions as a
    inner join first_days as f
        on f.loan_id = a.loan_id
        and f.start_month_end = a.start_month_end
        and f.first_action_on = a.event_on
    group by a.loan_id, a.start_month_end, a.event_on
)

select
    o.loan_id,
    o.start_month_end,
    o.overdue_since,
    coalesce(cast(f.first_action as varchar), 'none') as first_action,
    f.first_action_on,
    cast(date_diff('day', o.overdue_since, f.first_action_on) as integer) as days_to_first_contact,
    o.cured
from outcomes as o
left join first_actions as f using (loan_id, start_month_end)
order by start_month_end, loan_id
