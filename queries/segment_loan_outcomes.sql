-- grain: one row per segment dimension x segment value over loans originated on or before $as_of
-- Default and overdue rates by segment (segments page). Each loan originated on or before the
-- month-end $as_of counts once in every dimension: grade, product, channel, region, score_band
-- (borrower credit score: lt600, 600-649, 650-699, 700-749, ge750) and income_verification
-- (verified, not_verified, unknown). A loan has defaulted when it was 90+ or charged_off at a
-- month-end on or before $as_of (loan_month tape); "active" = state current..90+ at $as_of.
-- Columns (amounts in currency units, rates fractions 0..1, 0 when the denominator is 0):
--   dimension, segment
--   loans, principal                    loans originated and their principal
--   defaulted_loans, defaulted_principal  of them, defaulted; outstanding principal at default
--   default_rate                        defaulted_principal / principal
--   default_rate_count                  defaulted_loans / loans
--   active_loans, outstanding_principal   active at $as_of and their outstanding principal
--   overdue_loans, overdue_balance      of them, DPD >= 1; their outstanding principal
--   overdue_rate_amount, overdue_rate_count
-- The segment_month mart's rows up to $as_of, added up, and its active figures at $as_of (a month-end).
-- key: dimension, segment
with

by_segment as (
    select
        dimension,
        segment,
        sum(originated_loans) as loans,
        cast(sum(originated_principal) as double) as principal,
        sum(defaulted_loans) as defaulted_loans,
        cast(sum(defaulted_principal) as double) as defaulted_principal,
        coalesce(sum(active_loans) filter (where month_end = $as_of), 0) as active_loans,
        coalesce(cast(sum(outstanding_principal) filter (where month_end = $as_of) as double), 0)
            as outstanding_principal,
        coalesce(sum(overdue_loans) filter (where month_end = $as_of), 0) as overdue_loans,
        coalesce(cast(sum(overdue_balance) filter (where month_end = $as_of) as double), 0) as overdue_balance
    from segment_month
    where month_end <= $as_of
    group by dimension, segment
    having sum(originated_loans) > 0
)

select
    dimension,
    segment,
    cast(loans as bigint) as loans,
    principal,
    cast(defaulted_loans as bigint) as defaulted_loans,
    defaulted_principal,
    coalesce(defaulted_principal / nullif(principal, 0), 0) as default_rate,
    coalesce(defaulted_loans / nullif(loans, 0), 0) as default_rate_count,
    cast(active_loans as bigint) as active_loans,
    outstanding_principal,
    cast(overdue_loans as bigint) as overdue_loans,
    overdue_balance,
    coalesce(overdue_balance / nullif(outstanding_principal, 0), 0) as overdue_rate_amount,
    coalesce(overdue_loans / nullif(active_loans, 0), 0) as overdue_rate_count
from by_segment
order by dimension, segment
