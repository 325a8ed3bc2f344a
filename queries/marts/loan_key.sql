-- grain: one row per loan
-- A dense integer key per loan (1, 2, ... in loan_id order), built first. The loan_month tape carries
-- it too: an investor's few thousand loans lie all over the 10-million-row tape, and matching them by
-- an integer instead of the loan_id text makes that scan about 4x cheaper (bench/README.md).
-- Columns: loan_id, loan_no (integer)
create table loan_key as
select
    loan_id,
    cast(row_number() over (order by loan_id) as integer) as loan_no
from loans
order by loan_id
