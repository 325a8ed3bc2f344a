-- grain: one row per installment x investor with at least $big_book_holdings holdings in its loan
-- The big books' schedule stored by investor, as book_repayment stores their repayments (why: there):
-- reaching a big book's installments by loan_no reads half of loan_installment's row groups (ten million
-- loans: 190 ms for the biggest book); here they are one investor's contiguous rows. The
-- held_loan_installments macro (queries/schema/after_marts/006_books.sql) picks the source.
-- Columns: investor_id, then loan_installment's: loan_no, installment_no, due_on, principal_due,
--   interest_due (DECIMAL(18,2) currency units)
-- key: investor_id, loan_no, installment_no
create table book_installment as
with

big_books as (
    select investor_id
    from holding_book
    group by investor_id
    having count(*) >= $big_book_holdings
),

held_loans as (
    select distinct
        investor_id,
        loan_no
    from holding_book
    where investor_id in (select investor_id from big_books)
)

select
    h.investor_id,
    s.loan_no,
    s.installment_no,
    s.due_on,
    s.principal_due,
    s.interest_due
from held_loans as h
inner join loan_installment as s using (loan_no)
order by investor_id, loan_no, installment_no
