-- grain: one row per installment due in ($as_of, last_day($as_of + $months months)] of a holding of
-- investor $investor_id in a loan active at the month-end $as_of with exposure left
-- The contractual cash the investor is owed in the coming months: share x (principal_due +
-- interest_due) of installments not yet due at $as_of (arrears already past due are not included).
-- lendrisk.risk weighs each by the loan's survival probability from the roll-rate matrix.
-- Columns: holding_id, loan_id, grade, state, month_end (last_day(due_on)), months_ahead (1 ..
--   $months), due_on, contractual (currency units)
-- key: holding_id, due_on
-- The investor's holdings and their loans' state at $as_of come from holding_book and at most the
-- tape's $as_of slice (holding_tape_until: the rows of held_exposures); the schedule from
-- held_loan_installments (a big book's stored rows, else a semi-join on the loans' integer loan_no).
with

exposures as materialized (
    select
        holding_id,
        loan_id,
        loan_no,
        grade,
        state,
        cast(amount as double) / cast(principal as double) as share
    from holding_tape_until($investor_id, $as_of)
    where month_end = $as_of
        and is_active_state(state)
        and greatest(
            cast(outstanding_principal as double) - cast(guarantor_principal_to_date as double), 0
        ) > 0.005
),

installments as (
    select
        loan_no,
        due_on,
        principal_due,
        interest_due
    from held_loan_installments($investor_id)
    where due_on > cast($as_of as date)
        and due_on <= last_day(cast($as_of as date) + to_months(cast($months as integer)))
        and loan_no in (select loan_no from exposures)
),

upcoming as (
    select
        e.holding_id,
        e.loan_id,
        e.grade,
        e.state,
        s.due_on,
        last_day(s.due_on) as month_end,
        e.share * cast(s.principal_due + s.interest_due as double) as contractual
    from exposures as e
    inner join installments as s using (loan_no)
)

select
    holding_id,
    loan_id,
    grade,
    state,
    month_end,
    cast(date_diff('month', cast($as_of as date), month_end) as integer) as months_ahead,
    due_on,
    contractual
from upcoming
order by month_end, holding_id, due_on
