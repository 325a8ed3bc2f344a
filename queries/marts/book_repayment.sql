-- grain: one row per repayment x investor with at least $big_book_holdings holdings in the repaid loan
-- The big books' repayments stored by investor: a book of thousands of loans has repayments in every
-- row group of loan_repayment, so reaching them by loan_no scans it whole (ten million loans: 84 M rows,
-- 270 ms for the biggest book's 9,631 loans); here they are one investor's contiguous rows. Smaller
-- books read loan_repayment (their loans are few). The held_loan_repayments macro
-- (queries/schema/after_marts/006_books.sql) picks the source; the rows are loan_repayment's, once per
-- investor holding the loan (however many holdings it has in it), each with the loan's principal repaid
-- before it, which the investor queries' claim test needs (a window a query would otherwise sort for).
-- Columns: investor_id, then loan_repayment's: loan_no, paid_on, source, principal_paid, interest_paid,
--   fee_paid (DECIMAL(18,2) currency units), and
--   principal_paid_before  the loan's principal repaid by every source before this repayment: ordered
--                          by paid_on, source (borrower, guarantor, collection), then the amounts
--                          (summed exactly in decimal, then double: currency units; 0 for the first)
-- key: none (a repayment has no key in the store)
create table book_repayment as
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
    r.loan_no,
    r.paid_on,
    r.source,
    r.principal_paid,
    r.interest_paid,
    r.fee_paid,
    cast(coalesce(sum(r.principal_paid) over (
        partition by h.investor_id, r.loan_no
        order by
            r.paid_on,
            case r.source when 'borrower' then 1 when 'guarantor' then 2 else 3 end,
            r.principal_paid,
            r.interest_paid,
            r.fee_paid
        rows between unbounded preceding and 1 preceding
    ), 0) as double) as principal_paid_before
from held_loans as h
inner join loan_repayment as r using (loan_no)
order by investor_id, loan_no, paid_on
