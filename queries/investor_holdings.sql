-- grain: one row per holding of investor $investor_id invested on or before the month-end $as_of
-- The investor's holdings with the state of each loan at $as_of (docs/design.md §3): the loan's latest
-- row on the loan_month tape on or before $as_of (the tape stops at the month a loan is paid off or
-- charged off, so a closed loan keeps that state).
-- Columns:
--   holding_id, loan_id, grade, product, guarantee, repayment_method
--   annual_rate      the loan's interest rate (0.12 = 12 %)
--   term_months      the loan's term
--   invested_on      date of the investment
--   invested         the holding amount, currency units
--   share            invested / loan principal (0..1)
--   state            current, 1-30, 31-60, 61-90, 90+, paid_off or charged_off at $as_of
--   dpd              days past due at $as_of (a charged-off loan keeps its DPD at write-off; 0 when
--                    current or paid off)
--   exposure         share x (principal - principal paid by every source, guarantor included) of an
--                    active loan, 0 for a closed loan or one the guarantor bought out, currency units
--   guarantor_paid   share x guarantor payments (principal + interest, 代偿) on or before $as_of
-- key: holding_id
with

held as (
    select
        h.holding_id,
        h.loan_id,
        k.loan_no,
        h.invested_on,
        h.amount as invested
    from holdings_as_of($investor_id, $as_of) as h
    inner join loan_key as k using (loan_id)
),

tape_rows as (
    select
        loan_no,
        month_end,
        state,
        dpd,
        cast(outstanding_principal as double) as outstanding_principal
    from loan_month
    where month_end <= $as_of
        and loan_no in (select loan_no from held)
),

latest_state as (
    select
        loan_no,
        arg_max(state, month_end) as state,
        arg_max(dpd, month_end) as dpd,
        arg_max(outstanding_principal, month_end) as outstanding_principal
    from tape_rows
    group by loan_no
),

described as (
    select
        h.holding_id,
        h.loan_id,
        l.grade,
        l.product,
        coalesce(l.guarantee, 'none') as guarantee,
        l.repayment_method,
        cast(l.annual_rate as double) as annual_rate,
        l.term_months,
        h.invested_on,
        h.invested,
        h.invested / cast(l.principal as double) as share,
        coalesce(s.state, 'current') as state,
        coalesce(s.dpd, 0) as dpd,
        is_active_state(s.state) as is_active,
        greatest(coalesce(s.outstanding_principal, l.principal) - coalesce(g.principal_paid, 0), 0)
            as unpaid_principal,
        coalesce(g.paid, 0) as guarantor_paid
    from held as h
    inner join loans as l using (loan_id)
    left join latest_state as s using (loan_no)
    left join guarantor_cash_by($as_of) as g using (loan_id)
)

select
    holding_id,
    loan_id,
    grade,
    product,
    guarantee,
    repayment_method,
    annual_rate,
    cast(term_months as integer) as term_months,
    invested_on,
    invested,
    share,
    state,
    cast(dpd as integer) as dpd,
    case when is_active and unpaid_principal > 0.005 then share * unpaid_principal else 0.0 end as exposure,
    share * guarantor_paid as guarantor_paid
from described
order by holding_id
