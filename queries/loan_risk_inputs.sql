-- grain: one row per loan active (current .. 90+) at the month-end $as_of
-- Everything expected loss needs per loan, read from the loan_month tape at $as_of:
--   outstanding_principal  principal - borrower and collection principal paid (the platform's EAD)
--   exposure               principal - principal paid by every source, guarantor included (what
--                          the investors still hold; a guarantor buy-out takes it to 0)
--   remaining_months       installments not yet due = term_months - months on book (the schedule
--                          runs monthly from one month after origination), floored at 0
-- Columns: loan_id, grade, product, guarantee (none / reserve / partner), state, dpd,
--   remaining_months, outstanding_principal, exposure (currency units)
-- key: loan_id
with

active as (
    select
        loan_id,
        state,
        dpd,
        months_on_book,
        cast(outstanding_principal as double) as outstanding_principal,
        cast(guarantor_principal_to_date as double) as guarantor_principal
    from loan_month
    where month_end = $as_of
        and is_active_state(state)
),

described as (
    select
        a.loan_id,
        l.grade,
        l.product,
        coalesce(l.guarantee, 'none') as guarantee,
        a.state,
        a.dpd,
        greatest(l.term_months - a.months_on_book, 0) as remaining_months,
        a.outstanding_principal,
        greatest(a.outstanding_principal - a.guarantor_principal, 0) as exposure
    from active as a
    inner join loans as l using (loan_id)
)

select
    loan_id,
    grade,
    product,
    guarantee,
    state,
    cast(dpd as integer) as dpd,
    cast(remaining_months as integer) as remaining_months,
    outstanding_principal,
    exposure
from described
order by loan_id
