-- grain: one row: the platform's borrower concentration at the month-end $as_of
-- The figures metrics.concentration needs for the whole platform, computed where the data is instead
-- of sending every borrower (millions at ten million loans) to Python: the borrowers of
-- queries/concentration.sql's platform case (active loans at $as_of with outstanding principal above
-- 0.005, 借款人待还金额, summed per borrower) and their shares of the total, and the platform's
-- exposure by bucket as overdue_by_bucket has it (so the call needs no second query). The loans meet
-- their borrowers by the integer loan_no (loan_contract) instead of the loans table by the loan_id
-- text: the same loans (both are built from loans), half the CPU at ten million loans.
-- Columns:
--   borrowers        borrowers with exposure
--   hhi              Σ share² over the borrowers (0..1)
--   top_shares       the shares of the 10 largest borrowers, largest first (ties by borrower_id), a list
--   bucket_amounts   overdue_by_bucket's outstanding_principal of the five buckets (current .. 90+,
--                    0 for an empty one; each sum rounded to the cent as there), currency units, a list
-- key: one row
with

by_borrower as materialized (
    select
        c.borrower_id,
        sum(a.outstanding_principal) as exposure
    from active_tape($as_of) as a
    inner join loan_contract as c using (loan_no)
    where a.outstanding_principal > 0.005
    group by c.borrower_id
),

total as (
    select
        count(*) as borrowers,
        sum(exposure) as exposure
    from by_borrower
),

largest as (
    select
        borrower_id,
        exposure
    from by_borrower
    order by exposure desc, borrower_id
    limit 10
),

by_bucket as (
    select
        state,
        sum(outstanding_principal) as amount
    from active_tape($as_of)
    where outstanding_principal > 0.005
    group by state
)

select
    cast(t.borrowers as bigint) as borrowers,
    coalesce((select sum((b.exposure / t.exposure) * (b.exposure / t.exposure)) from by_borrower as b), 0)
        as hhi,
    coalesce(
        (select list(l.exposure / t.exposure order by l.exposure desc, l.borrower_id) from largest as l),
        []
    ) as top_shares,
    (
        select list(cast(round(coalesce(b.amount, 0), 2) as double) order by state_order(s.state))
        from (select unnest(['current', '1-30', '31-60', '61-90', '90+']) as state) as s
        left join by_bucket as b using (state)
    ) as bucket_amounts
from total as t
