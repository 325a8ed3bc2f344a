-- grain: one row per product with a loan charged off in the window
-- LGD inputs (docs/design.md §3): loans charged off in ($as_of - $lookback_months months,
-- $as_of] (first charged_off event per loan), the principal written off and the collection
-- recoveries received within 24 months after the charge-off and on or before $as_of. lendrisk.risk
-- turns them into LGD = 1 - recoveries / charged-off principal, per product with fall-backs.
--   charged-off principal = the event's amount (principal written off), else the principal not
--   yet repaid by borrower and collection cash before the charge-off date.
-- Columns:
--   product                 personal, consumer, small_business
--   charged_off_loans       loans charged off in the window
--   charged_off_principal   principal written off, currency units
--   recoveries              collection principal + interest received within 24 months after charge-off
with

in_window as (
    select
        loan_id,
        product,
        charged_off_on,
        principal_written_off
    from loan_write_off
    where charged_off_on > cast($as_of as date) - to_months(cast($lookback_months as integer))
        and charged_off_on <= cast($as_of as date)
),

recovered as (
    select
        r.loan_id,
        sum(cast(r.principal_paid + r.interest_paid as double)) as recoveries
    from repayments as r
    inner join in_window as w using (loan_id)
    where r.source = 'collection'
        and r.paid_on >= w.charged_off_on
        and r.paid_on < w.charged_off_on + interval 24 month
        and r.paid_on <= cast($as_of as date)
    group by r.loan_id
),

per_loan as (
    select
        w.product,
        w.principal_written_off as charged_off_principal,
        coalesce(c.recoveries, 0) as recoveries
    from in_window as w
    left join recovered as c using (loan_id)
)

select
    product,
    cast(count(*) as bigint) as charged_off_loans,
    cast(sum(charged_off_principal) as double) as charged_off_principal,
    cast(sum(recoveries) as double) as recoveries
from per_loan
group by product
order by product
