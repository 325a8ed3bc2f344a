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

held as materialized (
    select
        h.loan_id,
        sum(cast(h.amount as double)) as held_amount
    from holdings as h
    where h.investor_id = $investor_id and h.invested_on <= $as_of
    group by h.loan_id
),

held_terms as materialized (
    select
        h.loan_id,
        h.held_amount,
        l.borrower_id,
        cast(l.principal as double) as principal
    from held as h
    inner join loans as l using (loan_id)
    where $investor_id is not null
),

-- the platform's active book, or (an investor) the held loans reaching the tape's month-end rows by
-- join, so an investor's call costs their loans, not the whole active book joined with loans
loan_exposures as (
    select
        borrower_id,
        outstanding_principal as exposure
    from active_loans($as_of)
    where $investor_id is null
    union all
    select
        h.borrower_id,
        h.held_amount / h.principal * t.claim as exposure
    from held_terms as h
    inner join active_tape($as_of) as t using (loan_id)
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
