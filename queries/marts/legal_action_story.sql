-- grain: one row per loan that could be the Learn page's legal-action story
-- A loan qualifies when it missed an installment (not paid in full by borrower or collection cash on
-- its due date), then had at least one collection contact (reminder, call, visit, promise_to_pay) on
-- or after that due date, and then a lawsuit was filed (legal_filed). Its first lawsuit and first
-- judgment do not depend on the as-of date, only whether they had happened by then, so
-- queries/loan_story_legal_action.sql keeps the loans sued on or before $as_of, blanks a later
-- judgment and picks one: built once here, the pick no longer reads the schedule and repayments.
-- Columns:
--   loan_id
--   first_missed_on        due date of the first installment not paid in full on time
--   first_collection_on    first collection contact on or after it
--   legal_filed_on         the loan's first lawsuit
--   first_judgment_on      the loan's first judgment (null when none)
--   collection_contacts    collection contacts between first_missed_on and legal_filed_on
--   contact_kinds          distinct kinds among them
create table legal_action_story as
with

lawsuits as (
    select
        loan_id,
        min(event_on) as legal_filed_on
    from loan_events
    where kind = 'legal_filed'
    group by loan_id
),

installments as (
    select
        loan_id,
        due_on,
        sum(principal_due + interest_due) over (
            partition by loan_id order by installment_no rows between unbounded preceding and current row
        ) as running_due
    from schedule
    where loan_id in (select loan_id from lawsuits)
),

borrower_cash as (
    select
        loan_id,
        paid_on,
        principal_paid + interest_paid as paid
    from repayments
    where source in ('borrower', 'collection') and loan_id in (select loan_id from lawsuits)
),

-- what the borrower (and collection) had paid by each due date
paid_by_due_date as (
    select
        i.loan_id,
        i.due_on,
        i.running_due,
        coalesce(sum(b.paid), 0) as running_paid
    from installments as i
    left join borrower_cash as b on b.loan_id = i.loan_id and b.paid_on <= i.due_on
    group by i.loan_id, i.due_on, i.running_due
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
        min(event_on) as first_judgment_on
    from loan_events
    where kind = 'judgment' and loan_id in (select loan_id from lawsuits)
    group by loan_id
)

select
    s.loan_id,
    m.first_missed_on,
    c.first_collection_on,
    s.legal_filed_on,
    j.first_judgment_on,
    cast(c.collection_contacts as integer) as collection_contacts,
    cast(c.contact_kinds as integer) as contact_kinds
from lawsuits as s
inner join first_missed as m using (loan_id)
inner join contact_summary as c using (loan_id)
left join judgments as j using (loan_id)
where m.first_missed_on < s.legal_filed_on
order by loan_id
