-- grain: one row per month-end in [$from, $to] x grade x product x state x remaining_months
-- The book a back-test prediction is made on: loans active (current .. 90+) on the loan_month tape at
-- each month-end, grouped by what their PD and LGD depend on. Amounts are the outstanding principal
-- (the platform's EAD) at that month-end.
-- Columns: month_end, grade, product, state, remaining_months (term_months - months on book,
--   floored at 0), loans, outstanding_principal (currency units)
with

active as (
    select
        loan_id,
        month_end,
        state,
        months_on_book,
        cast(outstanding_principal as double) as outstanding_principal
    from loan_month
    where month_end >= $from
        and month_end <= $to
        and state in ('current', '1-30', '31-60', '61-90', '90+')
),

described as (
    select
        a.month_end,
        l.grade,
        l.product,
        a.state,
        greatest(l.term_months - a.months_on_book, 0) as remaining_months,
        a.outstanding_principal
    from active as a
    inner join loans as l using (loan_id)
)

select
    month_end,
    grade,
    product,
    state,
    cast(remaining_months as integer) as remaining_months,
    cast(count(*) as bigint) as loans,
    cast(sum(outstanding_principal) as double) as outstanding_principal
from described
group by month_end, grade, product, state, remaining_months
order by month_end, grade, product, state, remaining_months
