-- grain: one row per loan x month-end at which the loan is overdue (state 1-30 .. 90+ on the tape)
-- The Spark SQL variant of queries/marts/collection_month.sql: the same columns and rows
-- (tests/test_spark_marts.py compares them). Spark has no ASOF join: the overdue month-ends and the
-- loan's contact days go into one window per loan, ordered by date (a contact on the month-end
-- itself first), and each month-end takes the latest contact row before it (last ignoring nulls).
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

described as (
    select
        k.loan_no,
        l.borrower_id,
        l.grade,
        l.product,
        b.region,
        l.term_months
    from loans as l
    inner join loan_key as k on l.loan_id = k.loan_id
    left join borrowers as b on l.borrower_id = b.borrower_id
    where k.loan_no in (select loan_no from overdue)
),

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

contact_runs as (
    select
        k.loan_no,
        c.event_on,
        c.kind,
        sum(c.contacts) over (
            partition by k.loan_no order by c.event_on rows between unbounded preceding and current row
        ) as contacts
    from contact_days as c
    inner join loan_key as k on c.loan_id = k.loan_id
),

-- the overdue month-ends (is_contact_last 1) and the contact days (0) of each loan, in date order
timeline as (
    select loan_no, month_end as day, 1 as is_contact_last, null as event_on, null as kind, null as contacts
    from overdue
    union all
    select loan_no, event_on as day, 0, event_on, kind, contacts
    from contact_runs
),

latest as (
    select
        loan_no,
        day as month_end,
        is_contact_last,
        last(event_on, true) over w as last_contact_on,
        last(kind, true) over w as last_contact_kind,
        last(contacts, true) over w as contacts
    from timeline
    window w as (partition by loan_no order by day, is_contact_last rows between unbounded preceding and current row)
),

legal as (
    select
        k.loan_no,
        min(e.event_on) filter (where e.kind = 'legal_filed') as legal_filed_on,
        min(e.event_on) filter (where e.kind = 'judgment') as judgment_on
    from loan_events as e
    inner join loan_key as k on e.loan_id = k.loan_id
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
    cast(o.dpd as int) as dpd,
    o.outstanding_principal,
    o.past_due_amount,
    cast(coalesce(c.contacts, 0) as bigint) as contacts,
    cast(c.last_contact_on as date) as last_contact_on,
    cast(c.last_contact_kind as string) as last_contact_kind,
    case when g.legal_filed_on <= o.month_end then g.legal_filed_on end as legal_filed_on,
    case when g.judgment_on <= o.month_end then g.judgment_on end as judgment_on,
    cast(greatest(d.term_months - o.months_on_book, 0) as int) as remaining_months
from overdue as o
inner join described as d on o.loan_no = d.loan_no
inner join latest as c on c.loan_no = o.loan_no and c.month_end = o.month_end and c.is_contact_last = 1
left join legal as g on o.loan_no = g.loan_no
