-- grain: one row per holding of investor $investor_id in a loan active at the month-end $as_of
-- with exposure left (holdings invested on or before $as_of; a holding bought out by the guarantor
-- has no exposure and is left out, as in overdue_by_bucket).
--   share             holding amount / loan principal
--   ead               share x (principal - principal paid by every source, guarantor included)
--   remaining_months  installments not yet due = term_months - months on book, floored at 0
-- Columns: holding_id, loan_id, grade, product, guarantee, state, dpd, remaining_months, share,
--   outstanding_principal (the loan's, borrower-based), ead (currency units)
-- key: holding_id
with

held as (
    select
        holding_id,
        loan_id,
        amount
    from holdings_as_of($investor_id, $as_of)
),

active as (
    select
        t.loan_id,
        t.state,
        t.dpd,
        t.months_on_book,
        cast(t.outstanding_principal as double) as outstanding_principal,
        cast(t.guarantor_principal_to_date as double) as guarantor_principal
    from loan_month as t
    where t.month_end = $as_of
        and is_active_state(t.state)
        and t.loan_id in (select loan_id from held)
),

described as (
    select
        h.holding_id,
        a.loan_id,
        l.grade,
        l.product,
        coalesce(l.guarantee, 'none') as guarantee,
        a.state,
        a.dpd,
        greatest(l.term_months - a.months_on_book, 0) as remaining_months,
        h.amount / cast(l.principal as double) as share,
        a.outstanding_principal,
        greatest(a.outstanding_principal - a.guarantor_principal, 0) as unpaid_principal
    from held as h
    inner join active as a using (loan_id)
    inner join loans as l using (loan_id)
)

select
    holding_id,
    loan_id,
    grade,
    product,
    guarantee,
    state,
    cast(dpd as integer) as dpd,
    cast(remaining_months as integer) as remaining_months,
    share,
    outstanding_principal,
    share * unpaid_principal as ead
from described
where unpaid_principal > 0.005
order by holding_id
