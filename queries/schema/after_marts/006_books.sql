-- The repayments and installments of one investor's loans: from the book_repayment and book_installment
-- marts when the investor's book is stored there (a big book: store.BIG_BOOK_HOLDINGS holdings or
-- more), else from loan_repayment and loan_installment by semi-join on the book's loan_no. A stored
-- book leaves the second branch's semi-join nothing to match, so DuckDB never scans the big table.

-- grain: one row per repayment on or before day of a loan in which investor inv has a holding invested
-- on or before day (held_loan_repayments($investor_id, $as_of))
-- Columns: loan_no, paid_on, source, principal_paid, interest_paid, fee_paid (DECIMAL(18,2), as in
--   repayments), principal_paid_before (double: the loan's principal repaid by every source before this
--   repayment, ordered by paid_on, source borrower, guarantor, collection, then the amounts, summed in
--   decimal, as book_repayment stores it; 0 for the first)
create or replace macro held_loan_repayments(inv, day) as table
with

held_loans as (
    select distinct loan_no
    from holding_book
    where investor_id = inv and invested_on <= day
),

stored as (
    select loan_no, paid_on, source, principal_paid, interest_paid, fee_paid, principal_paid_before
    from book_repayment
    where investor_id = inv and paid_on <= day and loan_no in (select loan_no from held_loans)
),

unstored as (
    select
        loan_no,
        paid_on,
        source,
        principal_paid,
        interest_paid,
        fee_paid,
        cast(coalesce(sum(principal_paid) over (
            partition by loan_no
            order by
                paid_on,
                case source when 'borrower' then 1 when 'guarantor' then 2 else 3 end,
                principal_paid,
                interest_paid,
                fee_paid
            rows between unbounded preceding and 1 preceding
        ), 0) as double) as principal_paid_before
    from loan_repayment
    where paid_on <= day and loan_no in (
        select loan_no
        from held_loans
        where not exists (select 1 from book_repayment where investor_id = inv)
    )
)

select * from stored
union all
select * from unstored;

-- grain: one row per installment of a loan in which investor inv has a holding
-- (held_loan_installments($investor_id))
-- Columns: loan_no, installment_no, due_on, principal_due, interest_due (DECIMAL(18,2), as in schedule)
create or replace macro held_loan_installments(inv) as table
select loan_no, installment_no, due_on, principal_due, interest_due
from book_installment
where investor_id = inv
union all
select loan_no, installment_no, due_on, principal_due, interest_due
from loan_installment
where loan_no in (
    select loan_no
    from holding_book
    where investor_id = inv and not exists (select 1 from book_installment where investor_id = inv)
);
