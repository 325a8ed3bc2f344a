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
-- holdings_as_of and claimed_repayments spelled out so that the plan starts from the investor's
-- holdings with their loans' principal and loan_no (holding_book, stored by investor) and reads their
-- repayments once (held_loan_repayments: a big book's stored rows, else a semi-join on the loan_no).
with

held as materialized (
    select
        holding_id,
        loan_id,
        loan_no,
        invested_on,
        cast(amount as double) as amount,
        cast(principal as double) as principal,
        cast(amount as double) / cast(principal as double) as share
    from holding_book
    where investor_id = $investor_id and invested_on <= $as_of
),

loan_repayments as materialized (
    select
        loan_no,
        paid_on,
        source,
        cast(principal_paid as double) as principal_paid,
        cast(interest_paid as double) as interest_paid,
        cast(coalesce(fee_paid, 0) as double) as fee_paid,
        principal_paid_before
    from held_loan_repayments($investor_id, $as_of)
),

claimed as materialized (
    select
        h.holding_id,
        h.loan_id,
        h.invested_on,
        h.share,
        r.paid_on,
        r.source,
        r.principal_paid,
        r.interest_paid,
        r.fee_paid
    from held as h
    inner join loan_repayments as r using (loan_no)
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
        share * principal_paid as principal,
        share * interest_paid as interest,
        share * fee_paid as fee,
        share * principal_paid + share * interest_paid + share * fee_paid as amount
    from claimed
)

select *
from flows
order by flow_on, holding_id, kind, source
