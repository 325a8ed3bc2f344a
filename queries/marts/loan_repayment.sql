-- grain: one row per repayment
-- The repayments table with each loan's integer key (loan_key) in place of its loan_id text, for the
-- investor-scoped queries: an investor's few thousand loans lie all over the 84 M repayments of a
-- ten-million-loan store, so every such query scans them whole; matching them by loan_no instead of
-- the text is about 9x cheaper there (the biggest investor's repayments: 2,342 ms by loan_id, 262 ms
-- by loan_no; bench/README.md). Kept in the order DuckDB builds it (no sort): the scan is whole either way.
-- Columns: loan_no (integer), paid_on, source, principal_paid, interest_paid, fee_paid (as in repayments,
--   DECIMAL(18,2) currency units)
create table loan_repayment as
select
    k.loan_no,
    r.paid_on,
    r.source,
    r.principal_paid,
    r.interest_paid,
    r.fee_paid
from repayments as r
inner join loan_key as k using (loan_id)
