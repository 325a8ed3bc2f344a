-- grain: one row per holding of investor $investor_id in a loan active at the month-end $as_of
-- with exposure left (holdings invested on or before $as_of; a holding bought out by the guarantor
-- has no exposure and is left out, as in overdue_by_bucket).
--   share             holding amount / loan principal
--   ead               share x (principal - principal paid by every source, guarantor included)
--   remaining_months  installments not yet due = term_months - months on book, floored at 0
-- Columns: holding_id, loan_id, grade, product, guarantee, state, dpd, remaining_months, share,
--   outstanding_principal (the loan's, borrower-based), ead (currency units)
-- key: holding_id
-- The investor's holdings and their loans' state come from holding_book (stored by investor) and, for
-- a loan still running after $as_of, the tape's $as_of slice (holding_tape_until), so the plan costs
-- the investor's few thousand loans, not the whole book (held_exposures gives the same rows).
with

held as (
    select
        holding_id,
        loan_id,
        grade,
        product,
        guarantee,
        term_months,
        cast(amount as double) / cast(principal as double) as share,
        state,
        dpd,
        months_on_book,
        cast(outstanding_principal as double) as outstanding_principal,
        greatest(
            cast(outstanding_principal as double) - cast(guarantor_principal_to_date as double), 0
        ) as claim
    from holding_tape_until($investor_id, $as_of)
    where month_end = $as_of and is_active_state(state)
)

select
    holding_id,
    loan_id,
    grade,
    product,
    guarantee,
    state,
    dpd,
    cast(greatest(term_months - months_on_book, 0) as integer) as remaining_months,
    share,
    outstanding_principal,
    share * claim as ead
from held
where claim > 0.005
order by holding_id
