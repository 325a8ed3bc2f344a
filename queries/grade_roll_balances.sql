-- grain: one row per grade x (from_state, to_state) with a transition in ($after, $through]
-- Balance-weighted monthly transitions by grade between the month-ends after $after and through
-- $through (the later month-end m + 1 of each move), read from the loan_transition mart. The cause
-- attribution compares the overdue buckets' roll and cure rates of one period with the period before
-- it, grade by grade, so that a shift toward riskier grades is not counted twice.
-- Columns:
--   grade        A..G
--   from_state   current, 1-30, 31-60, 61-90, 90+
--   to_state     current .. 90+, paid_off, charged_off
--   balance      outstanding principal at m of the loans that moved, currency units
--   loans        loan-month observations
-- key: grade, from_state, to_state
select
    grade,
    from_state,
    to_state,
    cast(sum(balance) as double) as balance,
    cast(sum(loans) as bigint) as loans
from loan_transition
where month_end > $after and month_end <= $through
group by grade, from_state, to_state
order by grade, from_state, to_state
