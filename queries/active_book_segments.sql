-- grain: one row per grade x product x state x remaining_months of the active book at the month-end $as_of
-- The active book (current .. 90+) at $as_of grouped by what a loan's PD and LGD depend on, read from
-- the book_segment mart: the platform's total expected loss prices these rows instead of every loan.
-- Columns: grade, product, state, remaining_months (term_months - months on book, floored at 0),
--   loans, outstanding_principal (Σ, currency units, double: summed exactly, rounded once)
-- key: grade, product, state, remaining_months
select
    grade,
    product,
    state,
    remaining_months,
    loans,
    outstanding_principal
from book_segment
where month_end = $as_of
order by grade, product, state, remaining_months
