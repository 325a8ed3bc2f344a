-- grain: one row per grade x state x remaining_months of reserve-guaranteed loans active at $as_of
-- What the risk reserve (风险准备金) may have to buy out: the investors' exposure (principal -
-- principal paid by every source) in active loans with guarantee = 'reserve', grouped so
-- lendrisk.risk can price it with the per-grade PDs. Read from the reserve_segment mart (the
-- loan_month tape's reserve-guaranteed active loans with a claim, summed at build time) at $as_of.
-- Columns: grade, state, remaining_months (term_months - months on book, floored at 0),
--   loans, exposure (currency units)
-- key: grade, state, remaining_months
select
    grade,
    state,
    remaining_months,
    loans,
    cast(exposure as double) as exposure
from reserve_segment
where month_end = $as_of
order by grade, state, remaining_months
