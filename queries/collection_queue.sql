-- grain: one row per loan overdue (DPD >= 1, state 1-30 .. 90+) at the month-end $as_of
-- The collection work list before ranking: where each overdue loan stands and the last contact.
-- Contacts are loan_events of kind reminder, call, visit or promise_to_pay on or before $as_of.
-- Columns:
--   loan_id, borrower_id, grade, product, region
--   state, dpd                     bucket and days past due at $as_of (loan_month tape)
--   outstanding_principal          currency units
--   past_due_amount                unpaid part of installments due, currency units
--   contacts                       number of contacts so far
--   last_contact_on                date of the latest contact (null when never contacted)
--   last_contact_kind              its kind (reminder, call, visit, promise_to_pay; null when none)
--   days_since_contact             $as_of - last_contact_on in days (null when never contacted)
--   legal_filed_on, judgment_on    first legal_filed / judgment event on or before $as_of (null if none)
--   remaining_months               installments not yet due (what the loan's PD depends on, active_loans)
-- key: loan_id
with

overdue as (
    select *
    from active_loans($as_of)
    where state <> 'current'
),

events as (
    select
        loan_id,
        event_on,
        kind
    from loan_events
    where event_on <= $as_of and loan_id in (select loan_id from overdue)
),

contact_counts as (
    select
        loan_id,
        count(*) as contacts,
        max(event_on) as last_contact_on
    from events
    where kind in ('reminder', 'call', 'visit', 'promise_to_pay')
    group by loan_id
),

-- the latest contact's kind; of several on that day the first by name
last_contacts as (
    select
        c.loan_id,
        c.contacts,
        c.last_contact_on as event_on,
        min(e.kind) as kind
    from contact_counts as c
    inner join events as e
        on e.loan_id = c.loan_id and e.event_on = c.last_contact_on
    where e.kind in ('reminder', 'call', 'visit', 'promise_to_pay')
    group by c.loan_id, c.contacts, c.last_contact_on
),

legal as (
    select
        loan_id,
        min(event_on) filter (where kind = 'legal_filed') as legal_filed_on,
        min(event_on) filter (where kind = 'judgment') as judgment_on
    from events
    where kind in ('legal_filed', 'judgment')
    group by loan_id
)

select
    o.loan_id,
    o.borrower_id,
    o.grade,
    o.product,
    b.region,
    o.state,
    cast(o.dpd as integer) as dpd,
    o.outstanding_principal,
    o.past_due_amount,
    cast(coalesce(c.contacts, 0) as bigint) as contacts,
    c.event_on as last_contact_on,
    cast(c.kind as varchar) as last_contact_kind,
    cast(date_diff('day', c.event_on, cast($as_of as date)) as integer) as days_since_contact,
    g.legal_filed_on,
    g.judgment_on,
    o.remaining_months
from overdue as o
left join borrowers as b using (borrower_id)
left join last_contacts as c on c.loan_id = o.loan_id
left join legal as g on g.loan_id = o.loan_id
order by o.loan_id
