-- grain: one row per month-end in [$from, $to] x grade x product x state x remaining_months
-- The book a back-test prediction is made on: loans active (current .. 90+) on the loan_month tape at
-- each month-end, grouped by what their PD and LGD depend on (a filter of the book_segment mart).
-- Amounts are the outstanding principal (the platform's EAD) at that month-end.
-- Columns: month_end, grade, product, state, remaining_months (term_months - months on book,
--   floored at 0), loans, outstanding_principal (currency units)
-- key: month_end, grade, product, state, remaining_months
select
    month_end,
    grade,
    product,
    state,
    remaining_months,
    loans,
    outstanding_principal
from book_segment
where month_end >= $from and month_end <= $to
order by month_end, grade, product, state, remaining_months
