-- grain: one row per legal stage (filed, judgment, recovered) of loans with a lawsuit filed by $as_of
-- The court route of long overdue loans. Stages are cumulative: every loan with a legal_filed event
-- on or before $as_of is 'filed'; of them, those with a judgment event on or before $as_of are
-- 'judgment'; those with collection money received after filing (on or before $as_of) 'recovered'.
-- Columns:
--   stage       filed, judgment, recovered
--   loans       loans at the stage
--   claim       their principal outstanding when filed (principal - borrower and collection principal
--               paid before the filing date), currency units
--   recovered   collection payments (principal + interest) received from filing to $as_of, currency units
-- $recoveries_complete is true when the recovery_payment mart holds every collection payment
-- (collection.recoveries_complete): they are read there, else from repayments.
-- key: stage
with

filed as (
    select
        loan_id,
        min(event_on) as filed_on
    from loan_events
    where kind = 'legal_filed' and event_on <= $as_of
    group by loan_id
),

judged as (
    select distinct loan_id
    from loan_events
    where kind = 'judgment' and event_on <= $as_of
),

paid_before as (
    select
        f.loan_id,
        sum(cast(r.principal_paid as double)) as principal_paid
    from filed as f
    inner join repayments as r
        on r.loan_id = f.loan_id and r.paid_on < f.filed_on and r.source in ('borrower', 'collection')
    group by f.loan_id
),

-- every collection payment on or before $as_of, from the mart when it holds them all
collection_payments as (
    select
        loan_id,
        paid_on,
        amount
    from recovery_payment
    where $recoveries_complete and paid_on <= $as_of
    union all
    select
        loan_id,
        paid_on,
        cast(principal_paid + interest_paid as double) as amount
    from repayments
    where not $recoveries_complete and source = 'collection' and paid_on <= $as_of
),

collected as (
    select
        f.loan_id,
        sum(p.amount) as recovered
    from filed as f
    inner join collection_payments as p
        on p.loan_id = f.loan_id and p.paid_on >= f.filed_on
    group by f.loan_id
),

cases as (
    select
        f.loan_id,
        cast(l.principal as double) - coalesce(p.principal_paid, 0) as claim,
        coalesce(c.recovered, 0) as recovered,
        j.loan_id is not null as judged
    from filed as f
    inner join loans as l using (loan_id)
    left join paid_before as p using (loan_id)
    left join collected as c using (loan_id)
    left join judged as j using (loan_id)
),

stages as (
    select 1 as position, 'filed' as stage, count(*) as loans, sum(claim) as claim, sum(recovered) as recovered
    from cases
    union all
    select 2, 'judgment', count(*), sum(claim), sum(recovered)
    from cases
    where judged
    union all
    select 3, 'recovered', count(*), sum(claim), sum(recovered)
    from cases
    where recovered > 0
)

select
    stage,
    cast(loans as bigint) as loans,
    cast(coalesce(claim, 0) as double) as claim,
    cast(coalesce(recovered, 0) as double) as recovered
from stages
order by position
