-- grain: one row: the platform's loan chosen as the Learn page's legal-action story at $as_of (none
-- when no loan qualifies)
-- A loan qualifies when, on or before $as_of, it missed an installment (not paid in full by borrower
-- or collection cash on its due date), then had at least one collection contact (reminder, call,
-- visit, promise_to_pay) on or after that due date, and then a lawsuit was filed (legal_filed). The
-- pick is deterministic: loans with a judgment by $as_of first, then the most kinds of collection
-- contact, then the earliest lawsuit, then the smallest loan_id.
-- Columns:
--   loan_id
--   first_missed_on        due date of the first installment not paid in full on time
--   first_collection_on    first collection contact on or after it
--   legal_filed_on         first lawsuit filed after that contact
--   judgment_on            first judgment on or before $as_of (null when none yet)
--   collection_contacts    collection contacts between first_missed_on and legal_filed_on
--   contact_kinds          distinct kinds among them
-- key: one row
with

lawsuits as (
    select
        loan_id,
        min(event_on) as legal_filed_on
    from loan_events
    where kind = 'legal_filed' and event_on <= $as_of
    group by loan_id
),

installments as (
    select
        loan_id,
        due_on,
        sum(cast(principal_due + interest_due as double)) over (
            partition by loan_id order by installment_no rows between unbounded preceding and current row
        ) as running_due
    from schedule
    where loan_id in (select loan_id from lawsuits)
),

borrower_cash as (
    select
        loan_id,
        paid_on,
        sum(cast(principal_paid + interest_paid as double)) over (
            partition by loan_id order by paid_on rows between unbounded preceding and current row
        ) as running_paid
    from repayments
    where source in ('borrower', 'collection') and loan_id in (select loan_id from lawsuits)
),

paid_by_due_date as (
    select
        i.loan_id,
        i.due_on,
        i.running_due,
        coalesce(b.running_paid, 0) as running_paid
    from installments as i
    asof left join borrower_cash as b
        on i.loan_id = b.loan_id and i.due_on >= b.paid_on
),

first_missed as (
    select
        loan_id,
        min(due_on) as first_missed_on
    from paid_by_due_date
    where running_paid + 0.005 < running_due
    group by loan_id
),

contacts as (
    select
        e.loan_id,
        e.event_on,
        e.kind
    from loan_events as e
    inner join first_missed as m using (loan_id)
    inner join lawsuits as s using (loan_id)
    where e.kind in ('reminder', 'call', 'visit', 'promise_to_pay')
        and e.event_on >= m.first_missed_on
        and e.event_on <= s.legal_filed_on
),

contact_summary as (
    select
        loan_id,
        min(event_on) as first_collection_on,
        count(*) as collection_contacts,
        count(distinct kind) as contact_kinds
    from contacts
    group by loan_id
),

judgments as (
    select
        loan_id,
        min(event_on) as judgment_on
    from loan_events
    where kind = 'judgment' and event_on <= $as_of and loan_id in (select loan_id from lawsuits)
    group by loan_id
),

candidates as (
    select
        s.loan_id,
        m.first_missed_on,
        c.first_collection_on,
        s.legal_filed_on,
        j.judgment_on,
        cast(c.collection_contacts as integer) as collection_contacts,
        cast(c.contact_kinds as integer) as contact_kinds
    from lawsuits as s
    inner join first_missed as m using (loan_id)
    inner join contact_summary as c using (loan_id)
    left join judgments as j using (loan_id)
    where m.first_missed_on < s.legal_filed_on
)

select *
from candidates
order by judgment_on is not null desc, contact_kinds desc, legal_filed_on, loan_id
limit 1
