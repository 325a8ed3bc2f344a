-- grain: one row per month-end in [$from, $to] with an active loan
-- Growth-adjusted (lagged) overdue rates: the overdue balance at a month-end D over the outstanding
-- principal at D of the loans originated at least $lag_months months before D (DuckDB month
-- arithmetic: D - $lag_months months, clamped to the month's last day). New loans cannot be late yet,
-- so a fast-growing book flatters the plain rate; the lagged rate takes them out of the denominator.
-- Read from the book_cell mart: a loan months_on_book old at D is seasoned when months_on_book >
-- $lag_months, or = $lag_months and it was not originated later in its month than D's day
-- (originated_late), which is originated_on <= D - $lag_months months with the clamp.
-- Columns (amounts in currency units, rates fractions 0..1; the plain rate 0 and the lagged rates null
-- when their denominator is 0, i.e. no loan is that old yet):
--   month_end              the month-end D
--   outstanding_principal  outstanding principal of active loans (state current..90+)
--   seasoned_principal     of it, loans originated on or before D - $lag_months months
--   overdue_balance        outstanding principal of active loans with DPD >= 1 (all ages)
--   m3plus_balance         outstanding principal of active loans with DPD > 90 (all ages)
--   overdue_rate_amount    overdue_balance / outstanding_principal (the plain rate)
--   lagged_overdue_rate    overdue_balance / seasoned_principal
--   lagged_m3plus_rate     m3plus_balance / seasoned_principal
-- key: month_end
with

per_month as (
    select
        month_end,
        sum(outstanding_principal) as outstanding_principal,
        coalesce(
            sum(outstanding_principal) filter (
                where months_on_book > $lag_months or (months_on_book = $lag_months and not originated_late)
            ),
            0
        ) as seasoned_principal,
        sum(overdue_balance) as overdue_balance,
        sum(m3plus_balance) as m3plus_balance
    from book_cell
    where month_end between $from and $to
    group by month_end
),

as_double as (
    select
        month_end,
        cast(outstanding_principal as double) as outstanding_principal,
        cast(seasoned_principal as double) as seasoned_principal,
        cast(overdue_balance as double) as overdue_balance,
        cast(m3plus_balance as double) as m3plus_balance
    from per_month
)

select
    month_end,
    outstanding_principal,
    seasoned_principal,
    overdue_balance,
    m3plus_balance,
    coalesce(overdue_balance / nullif(outstanding_principal, 0), 0) as overdue_rate_amount,
    overdue_balance / nullif(seasoned_principal, 0) as lagged_overdue_rate,
    m3plus_balance / nullif(seasoned_principal, 0) as lagged_m3plus_rate
from as_double
order by month_end
