-- grain: one row per loan
-- What the monthly disclosure needs of each loan besides the tape, keyed by the integer loan_no
-- (loan_key) so the active book at a month-end (loan_month) meets it by integer, built once per
-- store: the borrower, the principal and the contract interest (Σ interest_due of the whole schedule),
-- instead of scanning every loan and every installment on each call; and how many loans the borrower
-- has, so the disclosure adds up by borrower only the few who have more than one (nine in ten have one).
-- Columns:
--   loan_no            the loan's integer key (loan_key)
--   borrower_id        as on loans
--   principal          currency units (decimal)
--   contract_interest  Σ interest_due of the loan's schedule (currency units, decimal; null without one)
--   borrower_loans     the number of loans of the borrower (this one included) in loans
create table loan_contract as
with

interest as (
    select
        loan_id,
        sum(interest_due) as contract_interest
    from schedule
    group by loan_id
)

select
    k.loan_no,
    l.borrower_id,
    l.principal,
    i.contract_interest,
    cast(count(*) over (partition by l.borrower_id) as integer) as borrower_loans
from loans as l
inner join loan_key as k using (loan_id)
left join interest as i using (loan_id)
order by loan_no
