-- grain: one row per grade x state x remaining_months of reserve-guaranteed loans active at $as_of
-- The oracle of queries/reserve_exposure.sql (tests/test_health_marts.py): the query as it was before it read the
-- reserve_segment mart, straight from the tape and the canonical tables; the test compares the two.
-- What the risk reserve (风险准备金) may have to buy out: the investors' exposure (principal -
-- principal paid by every source) in active loans with guarantee = 'reserve', grouped so
-- lendrisk.risk can price it with the per-grade PDs. Read from the loan_month tape at $as_of.
-- Columns: grade, state, remaining_months (term_months - months on book, floored at 0),
--   loans, exposure (currency units)
-- key: grade, state, remaining_months
select
    grade,
    state,
    cast(remaining_months as integer) as remaining_months,
    cast(count(*) as bigint) as loans,
    cast(sum(claim) as double) as exposure
from active_loans($as_of)
where guarantee = 'reserve' and claim > 0.005
group by grade, state, remaining_months
order by grade, state, remaining_months
