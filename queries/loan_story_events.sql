-- grain: one row per post-loan event of loan $loan_id on or before $as_of (none when the loan is not
-- visible: see loan_story_loan)
-- Columns:
--   event_on   date of the event
--   kind       reminder, call, visit, promise_to_pay, restructured, legal_filed, judgment,
--              charged_off, transferred
--   amount     principal written off for charged_off (else usually null), currency units
-- key: none (a loan event has no key in the store)
with

events as (
    select
        event_on,
        kind,
        cast(amount as double) as amount,
        list_position(
            ['reminder', 'call', 'visit', 'promise_to_pay', 'restructured', 'legal_filed', 'judgment',
                'charged_off', 'transferred'],
            kind
        ) as kind_order
    from loan_events
    where loan_id in (select loan_id from visible_loan($loan_id, $investor_id, $as_of)) and event_on <= $as_of
)

select
    event_on,
    kind,
    amount
from events
order by event_on, kind_order
