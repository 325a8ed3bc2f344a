-- grain: one row per loan with a charged_off event
-- Every charge-off's facts, store-wide (no as-of date), built once per store after loan_month: the
-- back-test and LGD read them (charge_offs.sql, once per store: lendrisk.risk.charge_off_ledger)
-- instead of grouping loan_events and repayments and scanning the tape on every call.
-- Columns:
--   loan_id, product
--   charged_off_on         date of the loan's first charged_off event (the charge-off, docs/design.md §3)
--   principal_written_off  as the loan_write_off view: the amount of the earliest charged_off event
--                          that has one, else the principal less borrower and collection principal paid
--                          before the charge-off date (currency units, double)
--   active_from            the first month-end at which the loan is active (current .. 90+) on the
--                          loan_month tape: its first month-end (that of its origination; the tape
--                          runs month by month from it to the loan's closing row, its charged_off row,
--                          else, repaid before the charge-off, its paid_off row); null when it has no
--                          closing row or closed at its first month-end
--   active_to              the last such month-end: the one before the closing row (null as active_from)
create table charge_off as
with

events as (
    select
        loan_id,
        min(event_on) as charged_off_on,
        arg_min(amount, event_on) filter (where amount is not null) as amount
    from loan_events
    where kind = 'charged_off'
    group by loan_id
),

repaid_before as (
    select
        r.loan_id,
        sum(r.principal_paid) as principal_paid
    from repayments as r
    inner join events as e using (loan_id)
    where r.source in ('borrower', 'collection') and r.paid_on < e.charged_off_on and e.amount is null
    group by r.loan_id
),

-- a loan's tape stops at its first paid_off or charged_off row: at most one closing row per loan
closing as (
    select
        m.loan_id,
        m.month_end,
        m.months_on_book
    from loan_month as m
    inner join events as e using (loan_id)
    where m.state in ('charged_off', 'paid_off')
)

select
    e.loan_id,
    l.product,
    e.charged_off_on,
    coalesce(cast(e.amount as double), cast(l.principal as double) - coalesce(cast(b.principal_paid as double), 0))
        as principal_written_off,
    case when c.months_on_book > 0 then last_day(l.originated_on) end as active_from,
    case when c.months_on_book > 0 then last_day(c.month_end - interval 1 month) end as active_to
from events as e
inner join loans as l using (loan_id)
left join repaid_before as b using (loan_id)
left join closing as c using (loan_id)
order by loan_id
