-- grain: one row per (from_state, to_state) pair observed between consecutive month-ends
-- Roll rates (docs/design.md §3): monthly transitions on the loan_month tape from month-end m to m + 1
-- (read from the loan_transition mart, which pairs the tape once per store build),
-- for every m + 1 in (last_day($as_of - $lookback_months months), $as_of], of loans in grade $grade
-- (null = all grades). Balance-weighted: each transition weighs the loan's outstanding principal at
-- m. Only active states (current .. 90+) have a next month: a loan's tape stops at its paid_off or
-- charged_off month, and a loan whose tape ends at observed_to (or at $as_of) has no next row and
-- is left out. The absorbing rows (paid_off, charged_off -> itself) are added by lendrisk.risk.
-- Columns:
--   from_state   current, 1-30, 31-60, 61-90, 90+
--   to_state     current, 1-30, 31-60, 61-90, 90+, paid_off, charged_off
--   balance      outstanding principal at m of the loans that moved, currency units
--   loans        loan-month observations (a loan counts once per month it is in from_state)
--   probability  balance / balance of every transition out of from_state (rows of one from_state sum to 1)
-- key: from_state, to_state
with

transitions as (
    select
        from_state,
        to_state,
        cast(sum(balance) as double) as balance,
        cast(sum(loans) as bigint) as loans
    from transitions_to($as_of, $lookback_months)
    where ($grade is null or grade = $grade)
    group by from_state, to_state
)

select
    *,
    coalesce(balance / nullif(sum(balance) over (partition by from_state), 0), 0) as probability
from transitions
order by
    state_order(from_state),
    state_order(to_state)
