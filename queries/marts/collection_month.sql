-- grain: one row per loan x month-end at which the loan is overdue (state 1-30 .. 90+ on the tape)
-- The collection work list of every month-end before ranking (queries/collection_queue.sql reads
-- the month-end's rows): where each overdue loan stands, its descriptors and its contacts and legal
-- steps so far. Stored by month-end, so the queue reads one month's few row groups instead of
-- joining the overdue loans to loans, borrowers and every loan event by the loan_id text per call.
-- Contacts are loan_events of kind reminder, call, visit or promise_to_pay on or before the month-end.
-- Columns:
--   month_end, loan_no             the tape's month-end and the loan's integer key (loan_key)
--   loan_id, borrower_id, grade, product, region   as on loans and borrowers (region null without one)
--   state, dpd                     bucket and days past due at the month-end (loan_month tape)
--   outstanding_principal          currency units (double)
--   past_due_amount                unpaid part of installments due, currency units (double)
--   contacts                       number of contacts on or before the month-end
--   last_contact_on                date of the latest of them (null when never contacted)
--   last_contact_kind              its kind (of several on that day the first by name; null when none)
--   legal_filed_on, judgment_on    first legal_filed / judgment event on or before the month-end (null if none)
--   remaining_months               installments not yet due (term_months - months on book, floored at 0)
-- key: month_end, loan_no
create table collection_month as
with

overdue as (
    select
        month_end,
        loan_no,
        loan_id,
        state,
        dpd,
        months_on_book,
        cast(outstanding_principal as double) as outstanding_principal,
        cast(past_due_amount as double) as past_due_amount
    from loan_month
    where state in ('1-30', '31-60', '61-90', '90+')
),

-- the loans ever overdue, with what never changes (found by their own scan of the tape: overdue is
-- then read once and not materialized)
described as (
    select
        k.loan_no,
        l.borrower_id,
        l.grade,
        l.product,
        b.region,
        l.term_months
    from loans as l
    inner join loan_key as k using (loan_id)
    left join borrowers as b using (borrower_id)
    where k.loan_no in (select loan_no from loan_month where state in ('1-30', '31-60', '61-90', '90+'))
),

-- contacts per loan and day: how many, and the first kind by name
contact_days as (
    select
        loan_id,
        event_on,
        count(*) as contacts,
        min(kind) as kind
    from loan_events
    where kind in ('reminder', 'call', 'visit', 'promise_to_pay')
    group by loan_id, event_on
),

-- each contact day with the loan's contacts up to and including it
contact_runs as (
    select
        k.loan_no,
        c.event_on,
        c.kind,
        sum(c.contacts) over (
            partition by k.loan_no order by c.event_on rows between unbounded preceding and current row
        ) as contacts
    from contact_days as c
    inner join loan_key as k using (loan_id)
),

-- each overdue loan-month with the loan's latest contact day on or before the month-end (the ASOF
-- join sorts these narrow rows; the descriptors join after it)
contacted as (
    select
        o.*,
        c.contacts,
        c.event_on as last_contact_on,
        c.kind as last_contact_kind
    from overdue as o
    asof left join contact_runs as c
        on o.loan_no = c.loan_no and o.month_end >= c.event_on
),

legal as (
    select
        k.loan_no,
        min(e.event_on) filter (where e.kind = 'legal_filed') as legal_filed_on,
        min(e.event_on) filter (where e.kind = 'judgment') as judgment_on
    from loan_events as e
    inner join loan_key as k using (loan_id)
    where e.kind in ('legal_filed', 'judgment')
    group by k.loan_no
)

select
    o.month_end,
    o.loan_no,
    o.loan_id,
    d.borrower_id,
    d.grade,
    d.product,
    d.region,
    o.state,
    cast(o.dpd as integer) as dpd,
    o.outstanding_principal,
    o.past_due_amount,
    cast(coalesce(o.contacts, 0) as bigint) as contacts,
    o.last_contact_on,
    cast(o.last_contact_kind as varchar) as last_contact_kind,
    case when g.legal_filed_on <= o.month_end then g.legal_filed_on end as legal_filed_on,
    case when g.judgment_on <= o.month_end then g.judgment_on end as judgment_on,
    cast(greatest(d.term_months - o.months_on_book, 0) as integer) as remaining_months
from contacted as o
inner join described as d using (loan_no)
left join legal as g using (loan_no)
order by month_end, loan_no
