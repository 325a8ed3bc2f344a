-- grain: one row per grade x state x remaining_months x month ahead (1 .. $months) of scheduled payments
-- What borrowers of loans active (current .. 90+) at the month-end $as_of are contracted to pay in
-- each of the next $months months: installments with due_on in (last_day($as_of + (k - 1) months),
-- last_day($as_of + k months)] fall in month ahead k. Past-due arrears at $as_of are not included.
-- The installments come from loan_installment (the schedule keyed by the integer loan_no), met by
-- the active loans' loan_no from the tape: an integer join instead of the loan_id text.
-- Columns:
--   grade, state, remaining_months   (term_months - months on book, floored at 0), as the risk model
--   months_ahead                     k = 1 .. $months
--   contractual                      principal + interest due, currency units
-- (summed per segment and month straight from the installments, with no per-loan step: a count of
-- distinct loans per row grouped ~19 M loan x month pairs at ten million loans; lendrisk.liquidity
-- reads only the sums)
-- key: grade, state, remaining_months, months_ahead
with

due as (
    select
        a.grade,
        a.state,
        a.remaining_months,
        date_diff('month', cast($as_of as date), last_day(s.due_on)) as months_ahead,
        cast(s.principal_due + s.interest_due as double) as amount
    from active_loans($as_of) as a
    inner join loan_installment as s using (loan_no)
    where s.due_on > $as_of
        and s.due_on <= last_day(cast($as_of as date) + to_months(cast($months as integer)))
)

select
    grade,
    state,
    cast(remaining_months as integer) as remaining_months,
    cast(months_ahead as integer) as months_ahead,
    sum(amount) as contractual
from due
group by grade, state, remaining_months, months_ahead
order by months_ahead, grade, state, remaining_months
