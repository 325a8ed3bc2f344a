-- grain: one row per month-end x grade x product x state x remaining_months on the loan_month tape
-- The active book (current .. 90+) at every month-end, grouped by what a loan's PD and LGD depend on,
-- built once per store after loan_month: the back-test reads 36 month-ends of it instead of pairing
-- the 10-million-row tape with the loans on every call.
-- Columns: month_end, grade, product, state, remaining_months (term_months - months on book, floored
--   at 0), loans, outstanding_principal (Σ of the loans' outstanding principal, currency units, double:
--   summed exactly in DECIMAL, then rounded once, so every engine and thread order gives the same figure)
create table book_segment as
with

active as (
    select
        loan_id,
        month_end,
        state,
        months_on_book,
        outstanding_principal
    from loan_month
    where is_active_state(state)
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
