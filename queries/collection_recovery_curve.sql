-- grain: one row per charge-off year x month since charge-off (0 .. 24) observed for every loan of that year
-- Recoveries after charge-off, one fixed cohort per curve: the loans charged off in one calendar year
-- on or before $as_of. A cohort's curve runs only as far as its most recently charged-off loan has
-- been observed (at most 24 months), so every point covers the same loans and the cumulative rate
-- can never fall (a curve pooling whoever is observed long enough changes its loans along the axis).
-- Collection payments (principal + interest) received up to m months after the charge-off month
-- (payments before it count at 0) over the principal charged off.
-- Columns:
--   cohort                   year of the charge-off
--   months_since_charge_off  m (0 = the charge-off month)
--   loans                    charged-off loans of the cohort (the same at every m)
--   charged_off_principal    their principal written off, currency units
--   recovered                their recoveries within m months, currency units (cumulative)
--   recovery_rate            recovered / charged_off_principal
-- key: cohort, months_since_charge_off
with

cohorts as (
    select
        *,
        year(charged_off_on) as cohort
    from charged_off_by($as_of)
),

cohort_horizon as (
    select
        cohort,
        least(min(date_diff('month', charge_off_month, cast($as_of as date))), 24) as months_observed
    from cohorts
    group by cohort
),

recoveries as (
    select
        c.loan_id,
        greatest(date_diff('month', c.charge_off_month, last_day(r.paid_on)), 0) as months_since_charge_off,
        cast(r.principal_paid + r.interest_paid as double) as amount
    from cohorts as c
    inner join repayments as r using (loan_id)
    where r.source = 'collection' and r.paid_on <= $as_of
),

grid as (
    select
        c.cohort,
        c.loan_id,
        c.charged_off_principal,
        unnest(generate_series(0, h.months_observed)) as months_since_charge_off
    from cohorts as c
    inner join cohort_horizon as h using (cohort)
),

cumulative as (
    select
        g.cohort,
        g.months_since_charge_off,
        g.loan_id,
        g.charged_off_principal,
        coalesce(sum(r.amount), 0) as recovered
    from grid as g
    left join recoveries as r
        on r.loan_id = g.loan_id and r.months_since_charge_off <= g.months_since_charge_off
    group by g.cohort, g.months_since_charge_off, g.loan_id, g.charged_off_principal
)

select
    cast(cohort as integer) as cohort,
    cast(months_since_charge_off as integer) as months_since_charge_off,
    cast(count(*) as bigint) as loans,
    sum(charged_off_principal) as charged_off_principal,
    sum(recovered) as recovered,
    coalesce(sum(recovered) / nullif(sum(charged_off_principal), 0), 0) as recovery_rate
from cumulative
group by cohort, months_since_charge_off
order by cohort, months_since_charge_off
