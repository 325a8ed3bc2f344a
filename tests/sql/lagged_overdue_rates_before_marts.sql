-- grain: one row per month-end in [$from, $to] with an active loan
-- The oracle of queries/lagged_overdue_rates.sql (tests/test_health_marts.py): the query as it was before it read the
-- book_cell mart, straight from the tape and the canonical tables; the test compares the two.
-- Growth-adjusted (lagged) overdue rates: the overdue balance at a month-end D over the outstanding
-- principal at D of the loans originated at least $lag_months months before D (DuckDB month
-- arithmetic: D - $lag_months months, clamped to the month's last day). New loans cannot be late yet,
-- so a fast-growing book flatters the plain rate; the lagged rate takes them out of the denominator.
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

active as (
    select
        m.month_end,
        m.state,
        cast(m.outstanding_principal as double) as outstanding_principal,
        l.originated_on <= m.month_end - to_months(cast($lag_months as integer)) as seasoned
    from loan_month as m
    inner join loans as l using (loan_id)
    where m.month_end between $from and $to
        and m.state in ('current', '1-30', '31-60', '61-90', '90+')
),

per_month as (
    select
        month_end,
        sum(outstanding_principal) as outstanding_principal,
        coalesce(sum(outstanding_principal) filter (where seasoned), 0) as seasoned_principal,
        coalesce(sum(outstanding_principal) filter (where state <> 'current'), 0) as overdue_balance,
        coalesce(sum(outstanding_principal) filter (where state = '90+'), 0) as m3plus_balance
    from active
    group by month_end
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
from per_month
order by month_end
