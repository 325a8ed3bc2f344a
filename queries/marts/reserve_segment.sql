-- grain: one row per month-end x grade x state x remaining_months of reserve-guaranteed loans active with a claim on the loan_month tape
-- What the risk reserve (风险准备金) may have to buy out at every month-end, built once per store after
-- loan_month: reserve_exposure reads its rows at one month-end instead of the tape's month slice
-- joined with the loans. A loan counts when guarantee = 'reserve', it is active (current .. 90+) and
-- its claim (outstanding principal - guarantor principal paid, not below 0, as active_tape_until
-- computes it in double) is above 0.005.
-- Columns:
--   month_end, grade, state
--   remaining_months   term_months - months on book, floored at 0
--   loans              such loans
--   exposure           Σ their claim, currency units, DECIMAL(18, 2) (summed exactly)
create table reserve_segment as
with

reserve_loans as (
    select
        k.loan_no,
        l.grade,
        l.term_months
    from loans as l
    inner join loan_key as k using (loan_id)
    where l.guarantee = 'reserve'
),

claims as (
    select
        m.month_end,
        r.grade,
        m.state,
        greatest(r.term_months - m.months_on_book, 0) as remaining_months,
        greatest(m.outstanding_principal - m.guarantor_principal_to_date, 0) as claim
    from loan_month as m
    inner join reserve_loans as r using (loan_no)
    where m.state in ('current', '1-30', '31-60', '61-90', '90+')
        and cast(m.outstanding_principal as double) - cast(m.guarantor_principal_to_date as double) > 0.005
)

select
    month_end,
    grade,
    state,
    cast(remaining_months as integer) as remaining_months,
    cast(count(*) as bigint) as loans,
    cast(sum(claim) as decimal(18, 2)) as exposure
from claims
group by month_end, grade, state, remaining_months
order by month_end, grade, state, remaining_months
