-- grain: one row per cash flow of investor $investor_id on or before $as_of (an investment or the
-- investor's share of one repayment)
-- The investor's own cash (docs/design.md §3): out, the holding amount on invested_on; in, share x every
-- repayment of the loan (borrower, guarantor and collection, principal + interest + fee) paid on or
-- after invested_on and on or before $as_of, while the investors still have a claim: a repayment
-- made after the loan's principal has been repaid in full by all sources together (e.g. a
-- collection recovery after a guarantor buy-out) belongs to the guarantor and is left out.
-- Columns:
--   flow_on     date of the cash flow
--   holding_id  the holding
--   loan_id     its loan
--   kind        investment / repayment
--   source      borrower / guarantor / collection (null for an investment)
--   principal   investor's share of principal_paid (0 for an investment), currency units
--   interest    investor's share of interest_paid
--   fee         investor's share of fee_paid (late fees)
--   amount      signed cash to the investor: -holding amount, or principal + interest + fee
-- key: none (a repayment has no key in the store)
with

held as (
    select
        holding_id,
        loan_id,
        invested_on,
        amount,
        share,
        principal
    from holdings_as_of($investor_id, $as_of)
),

loan_repayments as (
    select *
    from held_repayments($investor_id, $as_of)
),

claimed as (
    select
        h.holding_id,
        h.loan_id,
        r.paid_on,
        r.source,
        h.share * r.principal_paid as principal,
        h.share * r.interest_paid as interest,
        h.share * r.fee_paid as fee
    from held as h
    inner join loan_repayments as r using (loan_id)
    where r.paid_on >= h.invested_on and r.principal_paid_before < h.principal - 0.005
),

flows as (
    select
        invested_on as flow_on,
        holding_id,
        loan_id,
        'investment' as kind,
        cast(null as varchar) as source,
        0.0 as principal,
        0.0 as interest,
        0.0 as fee,
        -amount as amount
    from held
    union all
    select
        paid_on as flow_on,
        holding_id,
        loan_id,
        'repayment' as kind,
        source,
        principal,
        interest,
        fee,
        principal + interest + fee as amount
    from claimed
)

select *
from flows
order by flow_on, holding_id, kind, source
