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
-- key: loan_id
with

overdue as (
    select
        loan_id,
        state,
        dpd,
        cast(outstanding_principal as double) as outstanding_principal,
        cast(past_due_amount as double) as past_due_amount
    from loan_month
    where month_end = $as_of
        and state in ('1-30', '31-60', '61-90', '90+')
),

events as (
    select
        e.loan_id,
        e.event_on,
        e.kind
    from loan_events as e
    inner join overdue as o using (loan_id)
    where e.event_on <= $as_of
),

ranked_contacts as (
    select
        loan_id,
        event_on,
        kind,
        count(*) over (partition by loan_id) as contacts,
        row_number() over (partition by loan_id order by event_on desc, kind) as recency
    from events
    where kind in ('reminder', 'call', 'visit', 'promise_to_pay')
),

last_contact as (
    select
        loan_id,
        contacts,
        event_on as last_contact_on,
        kind as last_contact_kind
    from ranked_contacts
    where recency = 1
),

legal as (
    select
        loan_id,
        min(event_on) filter (where kind = 'legal_filed') as legal_filed_on,
        min(event_on) filter (where kind = 'judgment') as judgment_on
    from events
    where kind in ('legal_filed', 'judgment')
    group by loan_id
),

described as (
    select
        o.loan_id,
        l.borrower_id,
        l.grade,
        l.product,
        b.region,
        o.state,
        o.dpd,
        o.outstanding_principal,
        o.past_due_amount,
        coalesce(c.contacts, 0) as contacts,
        c.last_contact_on,
        c.last_contact_kind,
        date_diff('day', c.last_contact_on, cast($as_of as date)) as days_since_contact,
        g.legal_filed_on,
        g.judgment_on
    from overdue as o
    inner join loans as l using (loan_id)
    left join borrowers as b using (borrower_id)
    left join last_contact as c using (loan_id)
    left join legal as g using (loan_id)
)

select
    loan_id,
    borrower_id,
    grade,
    product,
    region,
    state,
    cast(dpd as integer) as dpd,
    outstanding_principal,
    past_due_amount,
    cast(contacts as bigint) as contacts,
    last_contact_on,
    cast(last_contact_kind as varchar) as last_contact_kind,
    cast(days_since_contact as integer) as days_since_contact,
    legal_filed_on,
    judgment_on
from described
order by loan_id
