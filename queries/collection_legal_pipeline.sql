-- grain: one row per legal stage (filed, judgment, recovered) of loans with a lawsuit filed by $as_of
-- The court route of long overdue loans. Stages are cumulative: every loan with a legal_filed event
-- on or before $as_of is 'filed'; of them, those with a judgment event on or before $as_of are
-- 'judgment'; those with collection money received after filing (on or before $as_of) 'recovered'.
-- The loans, their filing dates and claims are the legal_case mart's rows.
-- Columns:
--   stage       filed, judgment, recovered
--   loans       loans at the stage
--   claim       their principal outstanding when filed (principal - borrower and collection principal
--               paid before the filing date), currency units
--   recovered   collection payments (principal + interest) received from filing to $as_of, currency units
-- $recoveries_complete is true when the recovery_payment mart holds every collection payment
-- (collection.recoveries_complete): they are read there, else from repayments (collection_payments).
-- key: stage
with

filed as (
    select
        loan_id,
        filed_on,
        coalesce(judgment_on <= $as_of, false) as judged,
        claim
    from legal_case
    where filed_on <= $as_of
),

collected as (
    select
        f.loan_id,
        sum(p.amount) as recovered
    from filed as f
    inner join collection_payments($as_of, $recoveries_complete) as p
        on p.loan_id = f.loan_id and p.paid_on >= f.filed_on
    group by f.loan_id
),

cases as (
    select
        f.claim,
        coalesce(c.recovered, 0) as recovered,
        f.judged
    from filed as f
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
