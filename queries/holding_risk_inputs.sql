-- grain: one row per holding of investor $investor_id in a loan active at the month-end $as_of
-- with exposure left (holdings invested on or before $as_of; a holding bought out by the guarantor
-- has no exposure and is left out, as in overdue_by_bucket).
--   share             holding amount / loan principal
--   ead               share x (principal - principal paid by every source, guarantor included)
--   remaining_months  installments not yet due = term_months - months on book, floored at 0
-- Columns: holding_id, loan_id, grade, product, guarantee, state, dpd, remaining_months, share,
--   outstanding_principal (the loan's, borrower-based), ead (currency units)
-- key: holding_id
-- The investor's holdings come first (holdings is stored by investor) and reach the tape's month-end
-- rows by semi-join, so the plan costs the investor's few thousand loans, not a join of the whole
-- active book with loans (held_exposures gives the same rows, planned the other way round).
with

held as materialized (
    select
        h.holding_id,
        h.loan_id,
        l.grade,
        l.product,
        coalesce(l.guarantee, 'none') as guarantee,
        l.term_months,
        cast(h.amount as double) / cast(l.principal as double) as share
    from holdings as h
    inner join loans as l using (loan_id)
    where h.investor_id = $investor_id and h.invested_on <= $as_of
),

tape as (
    select
        loan_id,
        state,
        dpd,
        months_on_book,
        cast(outstanding_principal as double) as outstanding_principal,
        greatest(
            cast(outstanding_principal as double) - cast(guarantor_principal_to_date as double), 0
        ) as claim
    from loan_month
    where month_end = $as_of
        and is_active_state(state)
        and loan_id in (select loan_id from held)
)

select
    h.holding_id,
    h.loan_id,
    h.grade,
    h.product,
    h.guarantee,
    t.state,
    t.dpd,
    cast(greatest(h.term_months - t.months_on_book, 0) as integer) as remaining_months,
    h.share,
    t.outstanding_principal,
    h.share * t.claim as ead
from held as h
inner join tape as t using (loan_id)
where t.claim > 0.005
order by h.holding_id
