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

-- each loan's first lawsuit and whether it has a judgment, in one pass over the legal events
filed as (
    select
        loan_id,
        min(event_on) filter (where kind = 'legal_filed') as filed_on,
        bool_or(kind = 'judgment') as judged
    from loan_events
    where kind in ('legal_filed', 'judgment') and event_on <= $as_of
    group by loan_id
    having count(*) filter (where kind = 'legal_filed') > 0
),

-- the filed loans' integer keys: their cash and principal are reached by loan_no (loan_repayment,
-- loan_contract), not by matching the loan_id text across every repayment and loan
filed_keys as (
    select
        f.loan_id,
        k.loan_no,
        f.filed_on,
        f.judged
    from filed as f
    inner join loan_key as k using (loan_id)
),

paid_before as (
    select
        f.loan_no,
        sum(cast(r.principal_paid as double)) as principal_paid
    from filed_keys as f
    inner join loan_repayment as r
        on r.loan_no = f.loan_no and r.paid_on < f.filed_on and r.source in ('borrower', 'collection')
    group by f.loan_no
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
        f.judged
    from filed_keys as f
    inner join loan_contract as l using (loan_no)
    left join paid_before as p using (loan_no)
    left join collected as c using (loan_id)
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
