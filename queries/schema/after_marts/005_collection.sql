-- grain: one row per collection repayment paid on or before the month-end day
-- (collection_payments($as_of, $recoveries_complete)): from the recovery_payment mart when it holds
-- every collection payment (complete true: lendrisk.collection.recoveries_complete), else from
-- repayments. The legal pipeline and the recovery curve read it.
-- Columns: loan_id, paid_on, amount (principal_paid + interest_paid, currency units, double)
create or replace macro collection_payments(day, complete) as table
select
    loan_id,
    paid_on,
    amount
from recovery_payment
where complete and paid_on <= day
union all
select
    loan_id,
    paid_on,
    cast(principal_paid + interest_paid as double) as amount
from repayments
where not complete and source = 'collection' and paid_on <= day;
