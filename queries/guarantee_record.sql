-- grain: one row per guarantee type (reserve, partner) with a guaranteed loan that first reached 90+ on the tape by the month-end before $as_of
-- The guarantors' own buy-out record, from which lendrisk.risk estimates how much of a guaranteed
-- loan's loss the guarantor will bear (docs/risk-model.md, "After the guarantee"). A guaranteed loan
-- is due for a buy-out when it first reaches 90+; loans that got there by the month-end before $as_of
-- had at least a month to be bought out by $as_of.
-- Columns:
--   guarantee             reserve / partner
--   loans_90plus          guaranteed loans that first reached 90+ by the month-end before $as_of
--   claims_90plus         their outstanding principal at that month-end, currency units
--   loans_bought_out      of them, loans with a guarantor payment on or before $as_of
--   guarantor_principal   guarantor principal paid on them on or before $as_of, currency units
-- key: guarantee
with

first_90plus as (
    select
        m.loan_id,
        min(m.month_end) as month_end
    from loan_month as m
    where m.state = '90+' and m.month_end <= last_day(cast($as_of as date) - interval 1 month)
    group by m.loan_id
),

guaranteed as (
    select
        f.loan_id,
        l.guarantee,
        cast(m.outstanding_principal as double) as claim
    from first_90plus as f
    inner join loans as l using (loan_id)
    inner join loan_month as m on m.loan_id = f.loan_id and m.month_end = f.month_end
    where l.guarantee in ('reserve', 'partner')
),

paid as (
    select
        loan_id,
        principal_paid as guarantor_principal
    from guarantor_cash_by($as_of)
    where loan_id in (select loan_id from guaranteed)
)

select
    g.guarantee,
    cast(count(*) as bigint) as loans_90plus,
    cast(sum(g.claim) as double) as claims_90plus,
    cast(count(p.loan_id) as bigint) as loans_bought_out,
    cast(coalesce(sum(p.guarantor_principal), 0) as double) as guarantor_principal
from guaranteed as g
left join paid as p using (loan_id)
group by g.guarantee
order by g.guarantee
