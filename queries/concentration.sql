-- grain: one row per borrower with exposure above zero at the month-end $as_of
-- Exposure by borrower for concentration measures (HHI, largest and top-10 borrower shares), for the
-- whole platform ($investor_id null) or one investor. Only active loans count (state current..90+
-- on the loan_month tape at $as_of; charged-off principal is written off).
--   platform:  exposure = outstanding principal (borrower + collection payments), 借款人待还金额.
--   investor:  exposure = share of the loan (holding amount / principal, holdings invested on or
--              before $as_of) x (principal - principal paid by every source, guarantor included).
-- Columns:
--   borrower_id  the borrower
--   loans        active loans of the borrower with exposure (held loans for an investor)
--   exposure     currency units
--   share        exposure / total exposure over all borrowers (0..1, sums to 1)
--   rank         1 = largest exposure (ties broken by borrower_id)
-- key: borrower_id
with

-- the platform's active book, or (an investor) the held loans from holding_book and the tape's
-- month-end slice (held_active_loans), so an investor's call costs their loans, not the whole book
loan_exposures as (
    select
        borrower_id,
        outstanding_principal as exposure
    from active_loans($as_of)
    where $investor_id is null
    union all
    select
        borrower_id,
        held_amount / principal * claim as exposure
    from held_active_loans($investor_id, $as_of)
    where $investor_id is not null
),

by_borrower as (
    select
        borrower_id,
        count(*) as loans,
        sum(exposure) as exposure
    from loan_exposures
    where exposure > 0.005
    group by borrower_id
)

select
    borrower_id,
    cast(loans as bigint) as loans,
    cast(round(exposure, 2) as double) as exposure,
    exposure / sum(exposure) over () as share,
    cast(row_number() over (order by exposure desc, borrower_id) as integer) as rank
from by_borrower
order by rank
