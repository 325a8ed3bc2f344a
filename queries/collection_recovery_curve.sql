-- grain: one row per charge-off year x month since charge-off (0 .. 24) observed for every loan of that year
-- Recoveries after charge-off, one fixed cohort per curve: the loans charged off in one calendar year
-- on or before $as_of. A cohort's curve runs only as far as its most recently charged-off loan has
-- been observed (at most 24 months), so every point covers the same loans and the cumulative rate
-- can never fall (a curve pooling whoever is observed long enough changes its loans along the axis).
-- Collection payments (principal + interest) received up to m months after the charge-off month
-- (payments before it count at 0) over the principal charged off. $recoveries_complete is true when
-- the recovery_payment mart holds every collection payment (collection.recoveries_complete): they
-- are read there, else from repayments (collection_payments).
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

-- each cohort's loans and principal, and how far its most recently charged-off loan has been observed
cohort_totals as (
    select
        cohort,
        least(min(date_diff('month', charge_off_month, cast($as_of as date))), 24) as months_observed,
        count(*) as loans,
        sum(charged_off_principal) as charged_off_principal
    from cohorts
    group by cohort
),

-- recoveries summed per cohort x month since charge-off, not per loan: the curve only adds them up
recoveries as (
    select
        c.cohort,
        greatest(date_diff('month', c.charge_off_month, last_day(p.paid_on)), 0) as months_since_charge_off,
        sum(p.amount) as amount
    from cohorts as c
    inner join collection_payments($as_of, $recoveries_complete) as p using (loan_id)
    group by all
),

grid as (
    select
        cohort,
        loans,
        charged_off_principal,
        unnest(generate_series(0, months_observed)) as months_since_charge_off
    from cohort_totals
),

cumulative as (
    select
        g.cohort,
        g.months_since_charge_off,
        g.loans,
        g.charged_off_principal,
        coalesce(sum(r.amount), 0) as recovered
    from grid as g
    left join recoveries as r
        on r.cohort = g.cohort and r.months_since_charge_off <= g.months_since_charge_off
    group by g.cohort, g.months_since_charge_off, g.loans, g.charged_off_principal
)

select
    cast(cohort as integer) as cohort,
    cast(months_since_charge_off as integer) as months_since_charge_off,
    cast(loans as bigint) as loans,
    charged_off_principal,
    recovered,
    coalesce(recovered / nullif(charged_off_principal, 0), 0) as recovery_rate
from cumulative
order by cohort, months_since_charge_off
