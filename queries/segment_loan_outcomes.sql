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
-- key: dimension, segment
with

originated as (
    select
        l.loan_id,
        cast(l.principal as double) as principal,
        l.grade,
        l.product,
        l.channel,
        coalesce(b.region, 'unknown') as region,
        score_band(b.credit_score) as score_band,
        income_verification(b.income_verified) as income_verification
    from loans as l
    inner join borrowers as b using (borrower_id)
    where l.originated_on <= $as_of
),

per_loan as (
    select
        o.*,
        d.loan_id is not null as defaulted,
        coalesce(cast(d.principal_at_default as double), 0) as principal_at_default,
        a.loan_id is not null as active,
        coalesce(a.outstanding_principal, 0) as outstanding_principal,
        coalesce(a.dpd >= 1, false) as overdue
    from originated as o
    left join loan_default as d on d.loan_id = o.loan_id and d.default_month <= $as_of
    left join active_tape($as_of) as a on a.loan_id = o.loan_id
),

long as (
    unpivot per_loan
    on grade, product, channel, region, score_band, income_verification
    into name dimension value segment
),

by_segment as (
    select
        dimension,
        segment,
        count(*) as loans,
        sum(principal) as principal,
        count(*) filter (where defaulted) as defaulted_loans,
        sum(principal_at_default) as defaulted_principal,
        count(*) filter (where active) as active_loans,
        sum(outstanding_principal) as outstanding_principal,
        count(*) filter (where overdue) as overdue_loans,
        coalesce(sum(outstanding_principal) filter (where overdue), 0) as overdue_balance
    from long
    group by dimension, segment
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
