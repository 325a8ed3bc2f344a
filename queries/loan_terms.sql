-- grain: one row per loan, in loan_no order (1, 2, ... without gaps: loan_key numbers the loans in
-- loan_id order)
-- The loan's attributes that never change, keyed by the integer loan_no, for lendrisk.risk to read once
-- per store (cache.memo) and look up per active loan by position, instead of joining the month-end
-- tape to loans by the loan_id text on every call (the platform's expected loss at ten million loans).
-- Columns: loan_no, grade, product, guarantee (none / reserve / partner), term_months
-- key: loan_no
select
    k.loan_no,
    l.grade,
    l.product,
    coalesce(l.guarantee, 'none') as guarantee,
    l.term_months
from loans as l
inner join loan_key as k using (loan_id)
order by k.loan_no
