-- grain: one row per repayment of loan $loan_id on or before $as_of (none when the loan is not
-- visible: see loan_story_loan)
-- Cash actually received for the loan, in date order (borrower before guarantor before collection on
-- the same day), with running totals: what the borrower has paid (borrower + collection, the cash
-- that cures arrears) and what the guarantor has paid (代偿, buy-out of the investors' claim).
-- Columns:
--   paid_on, source (borrower / guarantor / collection)
--   principal_paid, interest_paid, fee_paid, amount (their sum)      currency units
--   running_borrower    Σ principal + interest from borrower and collection up to this row
--   running_guarantor   Σ principal + interest from the guarantor up to this row
-- key: none (a repayment has no key in the store)
with

cash as (
    select
        paid_on,
        source,
        list_position(['borrower', 'guarantor', 'collection'], source) as source_order,
        cast(principal_paid as double) as principal_paid,
        cast(interest_paid as double) as interest_paid,
        cast(coalesce(fee_paid, 0) as double) as fee_paid
    from repayments
    where loan_id in (select loan_id from visible_loan($loan_id, $investor_id, $as_of)) and paid_on <= $as_of
),

running as (
    select
        *,
        principal_paid + interest_paid + fee_paid as amount,
        sum(case when source = 'guarantor' then 0 else principal_paid + interest_paid end)
            over w as running_borrower,
        sum(case when source = 'guarantor' then principal_paid + interest_paid else 0 end)
            over w as running_guarantor
    from cash
    window w as (order by paid_on, source_order rows between unbounded preceding and current row)
)

select
    paid_on,
    source,
    principal_paid,
    interest_paid,
    fee_paid,
    amount,
    running_borrower,
    running_guarantor
from running
order by paid_on, source_order
