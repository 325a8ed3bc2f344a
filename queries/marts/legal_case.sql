-- grain: one row per loan with a lawsuit filed (a legal_filed event)
-- The court route of long overdue loans (queries/collection_legal_pipeline.sql), as of no date: a
-- loan is filed at a month-end when filed_on is on or before it, judged when judgment_on is. Built
-- once per store, so the pipeline does not scan every loan event and the repayments before each
-- filing per call.
-- Columns:
--   loan_no       the loan's integer key (loan_key)
--   loan_id
--   filed_on      its first legal_filed event
--   judgment_on   its first judgment event (null without one)
--   claim         principal outstanding when filed: principal - borrower and collection principal
--                 paid before filed_on, currency units (summed exactly in decimal, then double: the
--                 same in DuckDB and Spark)
-- key: loan_no
create table legal_case as
with

filed as (
    select
        k.loan_no,
        e.loan_id,
        min(e.event_on) filter (where e.kind = 'legal_filed') as filed_on,
        min(e.event_on) filter (where e.kind = 'judgment') as judgment_on
    from loan_events as e
    inner join loan_key as k using (loan_id)
    where e.kind in ('legal_filed', 'judgment')
    group by k.loan_no, e.loan_id
    having count(*) filter (where e.kind = 'legal_filed') > 0
),

paid_before as (
    select
        f.loan_no,
        sum(r.principal_paid) as principal_paid
    from filed as f
    inner join loan_repayment as r
        on r.loan_no = f.loan_no and r.paid_on < f.filed_on and r.source in ('borrower', 'collection')
    group by f.loan_no
)

select
    f.loan_no,
    f.loan_id,
    f.filed_on,
    f.judgment_on,
    cast(l.principal - coalesce(p.principal_paid, 0) as double) as claim
from filed as f
inner join loan_contract as l using (loan_no)
left join paid_before as p using (loan_no)
order by loan_no
