-- grain: one row per grade x state x remaining_months of reserve-guaranteed loans active at $as_of
-- What the risk reserve (风险准备金) may have to buy out: the investors' exposure (principal -
-- principal paid by every source) in active loans with guarantee = 'reserve', grouped so
-- lendrisk.risk can price it with the per-grade PDs. Read from the loan_month tape at $as_of.
-- Columns: grade, state, remaining_months (term_months - months on book, floored at 0),
--   loans, exposure (currency units)
-- key: grade, state, remaining_months
with

reserve_loans as (
    select
        loan_id,
        grade,
        term_months
    from loans
    where guarantee = 'reserve'
),

active as (
    select
        t.loan_id,
        r.grade,
        t.state,
        greatest(r.term_months - t.months_on_book, 0) as remaining_months,
        cast(t.outstanding_principal as double) as outstanding_principal,
        cast(t.guarantor_principal_to_date as double) as guarantor_principal
    from loan_month as t
    inner join reserve_loans as r using (loan_id)
    where t.month_end = $as_of
        and is_active_state(t.state)
),

exposures as (
    select
        a.grade,
        a.state,
        a.remaining_months,
        greatest(a.outstanding_principal - a.guarantor_principal, 0) as exposure
    from active as a
)

select
    grade,
    state,
    cast(remaining_months as integer) as remaining_months,
    cast(count(*) as bigint) as loans,
    cast(sum(exposure) as double) as exposure
from exposures
where exposure > 0.005
group by grade, state, remaining_months
order by grade, state, remaining_months
