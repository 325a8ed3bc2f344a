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
--   received         share x every repayment the holding has a claim on, on or before $as_of (the
--                    repayments of investor_cash_flows), currency units
--   next_due_on      the first installment due in ($as_of, last_day($as_of + $months months)] of a loan active at $as_of with a claim
--                    above 0.005 (the installments of investor_scheduled_flows); null otherwise
--   next_due         share x (principal_due + interest_due) of that installment (null with it)
--   at_risk          the holding is a row of holding_risk_inputs (a loan active at $as_of on the tape
--                    with a claim above 0.005); then remaining_months, outstanding_principal and ead
--                    are that query's (else 0)
-- key: holding_id
-- The investor's holdings, their loans' terms and state at $as_of come from holding_book (stored by
-- investor) and at most the tape's $as_of slice (holding_tape_until); the repayments and the schedule
-- come from held_loan_repayments and held_loan_installments (a big book's stored rows, else a semi-join
-- on the loans' integer loan_no), one pass over each (the holdings page reads everything here, the
-- expected loss's inputs too).
with

held as materialized (
    select
        holding_id,
        loan_id,
        loan_no,
        grade,
        product,
        guarantee,
        repayment_method,
        cast(annual_rate as double) as annual_rate,
        term_months,
        invested_on,
        cast(amount as double) as invested,
        cast(amount as double) / cast(principal as double) as share,
        principal,
        cast(principal as double) as principal_amount
    from holding_book
    where investor_id = $investor_id and invested_on <= $as_of
),

latest_state as materialized (
    select
        holding_id,
        state,
        dpd,
        cast(outstanding_principal as double) as outstanding_principal,
        months_on_book,
        month_end,
        greatest(
            cast(outstanding_principal as double) - cast(guarantor_principal_to_date as double), 0
        ) as claim
    from holding_tape_until($investor_id, $as_of)
),

loan_repayments as materialized (
    select
        loan_no,
        paid_on,
        source,
        principal_paid as principal_decimal,
        interest_paid as interest_decimal,
        cast(principal_paid as double) as principal_paid,
        cast(interest_paid as double) as interest_paid,
        cast(coalesce(fee_paid, 0) as double) as fee_paid,
        principal_paid_before
    from held_loan_repayments($investor_id, $as_of)
),

guarantor_cash as (
    select
        loan_no,
        sum(principal_paid) as principal_paid,
        sum(cast(principal_decimal + interest_decimal as double)) as paid
    from loan_repayments
    where source = 'guarantor'
    group by loan_no
),

-- claimed_repayments: paid on or after the investment while the investors still have a claim
received as (
    select
        h.holding_id,
        sum(h.share * r.principal_paid + h.share * r.interest_paid + h.share * r.fee_paid) as received
    from held as h
    inner join loan_repayments as r using (loan_no)
    where r.paid_on >= h.invested_on and r.principal_paid_before < h.principal_amount - 0.005
    group by h.holding_id
),

-- held_exposures: a loan active at $as_of on the tape with a claim above 0.005
exposed as materialized (
    select
        s.holding_id,
        h.loan_no,
        s.months_on_book,
        s.outstanding_principal,
        s.claim
    from latest_state as s
    inner join held as h using (holding_id)
    where s.month_end = $as_of and is_active_state(s.state) and s.claim > 0.005
),

next_installments as (
    select
        loan_no,
        min(due_on) as due_on,
        arg_min(cast(principal_due + interest_due as double), due_on) as amount_due
    from held_loan_installments($investor_id)
    where due_on > cast($as_of as date)
        and due_on <= last_day(cast($as_of as date) + to_months(cast($months as integer)))
        and loan_no in (select loan_no from exposed)
    group by loan_no
),

described as (
    select
        h.holding_id,
        h.loan_id,
        h.grade,
        h.product,
        h.guarantee,
        h.repayment_method,
        h.annual_rate,
        h.term_months,
        h.invested_on,
        h.invested,
        h.share,
        coalesce(s.state, 'current') as state,
        coalesce(s.dpd, 0) as dpd,
        is_active_state(s.state) as is_active,
        greatest(coalesce(s.outstanding_principal, h.principal) - coalesce(g.principal_paid, 0), 0)
            as unpaid_principal,
        coalesce(g.paid, 0) as guarantor_paid,
        coalesce(r.received, 0) as received,
        n.due_on as next_due_on,
        h.share * n.amount_due as next_due,
        e.holding_id is not null as at_risk,
        cast(greatest(h.term_months - coalesce(e.months_on_book, 0), 0) as integer) as remaining_months,
        coalesce(e.outstanding_principal, 0.0) as outstanding_principal,
        coalesce(h.share * e.claim, 0.0) as ead
    from held as h
    left join latest_state as s using (holding_id)
    left join guarantor_cash as g using (loan_no)
    left join received as r using (holding_id)
    left join next_installments as n using (loan_no)
    left join exposed as e on e.holding_id = h.holding_id
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
    share * guarantor_paid as guarantor_paid,
    received,
    next_due_on,
    next_due,
    at_risk,
    remaining_months,
    outstanding_principal,
    ead
from described
order by holding_id
