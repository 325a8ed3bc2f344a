-- grain: one row per delinquency spell that started in the window and had 3 months to cure by $as_of
-- A spell starts at a month-end at which a loan is past due (1-30 .. 90+ on the loan_month tape)
-- while at the month-end before it was current (or had no tape row yet). Its start month-end lies in
-- (last_day($as_of - $lookback_months months), last_day($as_of - 3 months)]. The loan was overdue
-- since start month-end - DPD. It is cured when it is current or paid_off at a month-end within 3
-- months after the start, before any month-end at 90+ or charged_off.
-- First action: the earliest collection event (reminder, call, visit, promise_to_pay, legal_filed)
-- dated from the overdue date to the cure (or to the end of the 3 months); 'none' if there is none.
-- Columns:
--   loan_id
--   start_month_end        month-end the spell was first seen
--   overdue_since          due date of the oldest unpaid installment then
--   first_action           kind of the first action, or 'none'
--   first_action_on        its date (null for 'none')
--   days_to_first_contact  first_action_on - overdue_since in days (null for 'none')
--   cured                  true when cured within 3 months
-- key: loan_id, start_month_end
with

tape as (
    select
        loan_id,
        month_end,
        state,
        dpd,
        lag(state) over (partition by loan_id order by month_end) as previous_state
    from loan_month
    where month_end <= $as_of
),

bounds as (
    select
        last_day(cast($as_of as date) - to_months(cast($lookback_months as integer))) as after_month,
        last_day(cast($as_of as date) - interval 3 month) as last_start_month
),

starts as (
    select
        t.loan_id,
        t.month_end as start_month_end,
        cast(t.month_end - t.dpd as date) as overdue_since,
        last_day(t.month_end + interval 3 month) as cure_deadline
    from tape as t, bounds as b
    where t.state in ('1-30', '31-60', '61-90', '90+')
        and (t.previous_state is null or t.previous_state = 'current')
        and t.month_end > b.after_month
        and t.month_end <= b.last_start_month
),

resolutions as (
    select
        s.loan_id,
        s.start_month_end,
        min(t.month_end) filter (where t.state in ('current', 'paid_off') and t.month_end > s.start_month_end)
            as cured_month_end,
        min(t.month_end) filter (where t.state in ('90+', 'charged_off')) as defaulted_month_end
    from starts as s
    inner join tape as t
        on t.loan_id = s.loan_id and t.month_end >= s.start_month_end
    group by s.loan_id, s.start_month_end
),

outcomes as (
    select
        s.*,
        coalesce(
            r.cured_month_end <= s.cure_deadline
            and (r.defaulted_month_end is null or r.cured_month_end < r.defaulted_month_end),
            false
        ) as cured,
        least(coalesce(r.cured_month_end, s.cure_deadline), s.cure_deadline) as action_deadline
    from starts as s
    inner join resolutions as r using (loan_id, start_month_end)
),

actions as (
    select
        o.loan_id,
        o.start_month_end,
        e.kind,
        e.event_on,
        row_number() over (
            partition by o.loan_id, o.start_month_end order by e.event_on, e.kind
        ) as position
    from outcomes as o
    inner join loan_events as e
        on e.loan_id = o.loan_id
        and e.event_on >= o.overdue_since
        and e.event_on <= o.action_deadline
    where e.kind in ('reminder', 'call', 'visit', 'promise_to_pay', 'legal_filed')
),

first_actions as (
    select
        loan_id,
        start_month_end,
        kind as first_action,
        event_on as first_action_on
    from actions
    where position = 1
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
order by o.start_month_end, o.loan_id
