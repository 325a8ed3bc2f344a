-- grain: one row: the platform's borrower concentration at the month-end $as_of
-- The figures metrics.concentration needs for the whole platform, computed where the data is instead
-- of sending every borrower (millions at ten million loans) to Python: the borrowers of
-- queries/concentration.sql's platform case (active loans at $as_of with outstanding principal above
-- 0.005, 借款人待还金额, summed per borrower) and their shares of the total.
-- Columns:
--   borrowers   borrowers with exposure
--   hhi         Σ share² over the borrowers (0..1)
--   top_shares  the shares of the 10 largest borrowers, largest first (ties by borrower_id), a list
-- key: one row
with

by_borrower as materialized (
    select
        borrower_id,
        sum(outstanding_principal) as exposure
    from active_loans($as_of)
    where outstanding_principal > 0.005
    group by borrower_id
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
)

select
    cast(t.borrowers as bigint) as borrowers,
    coalesce((select sum((b.exposure / t.exposure) * (b.exposure / t.exposure)) from by_borrower as b), 0)
        as hhi,
    coalesce(
        (select list(l.exposure / t.exposure order by l.exposure desc, l.borrower_id) from largest as l),
        []
    ) as top_shares
from total as t
