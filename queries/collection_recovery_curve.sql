-- grain: one row per month since charge-off (0 .. 24) observed for at least one charged-off loan by $as_of
-- Recoveries after charge-off: for loans charged off on or before $as_of whose charge-off month-end
-- + m months is on or before $as_of, collection payments (principal + interest) received up to m
-- months after the charge-off month (payments before it count at 0) over the principal charged off.
-- Columns:
--   months_since_charge_off  m (0 = the charge-off month)
--   loans                    charged-off loans observed m months
--   charged_off_principal    their principal written off, currency units
--   recovered                their recoveries within m months, currency units (cumulative)
--   recovery_rate            recovered / charged_off_principal
with

charge_offs as (
    select
        loan_id,
        last_day(min(event_on)) as charge_off_month,
        sum(cast(amount as double)) as charged_off_principal
    from loan_events
    where kind = 'charged_off' and event_on <= $as_of
    group by loan_id
),

observed as (
    select
        *,
        least(date_diff('month', charge_off_month, cast($as_of as date)), 24) as months_observed
    from charge_offs
),

recoveries as (
    select
        c.loan_id,
        greatest(date_diff('month', c.charge_off_month, last_day(r.paid_on)), 0) as months_since_charge_off,
        cast(r.principal_paid + r.interest_paid as double) as amount
    from observed as c
    inner join repayments as r using (loan_id)
    where r.source = 'collection' and r.paid_on <= $as_of
),

grid as (
    select
        loan_id,
        charged_off_principal,
        unnest(generate_series(0, months_observed)) as months_since_charge_off
    from observed
),

cumulative as (
    select
        g.months_since_charge_off,
        g.loan_id,
        g.charged_off_principal,
        coalesce(sum(r.amount), 0) as recovered
    from grid as g
    left join recoveries as r
        on r.loan_id = g.loan_id and r.months_since_charge_off <= g.months_since_charge_off
    group by g.months_since_charge_off, g.loan_id, g.charged_off_principal
)

select
    cast(months_since_charge_off as integer) as months_since_charge_off,
    cast(count(*) as bigint) as loans,
    sum(charged_off_principal) as charged_off_principal,
    sum(recovered) as recovered,
    coalesce(sum(recovered) / nullif(sum(charged_off_principal), 0), 0) as recovery_rate
from cumulative
group by months_since_charge_off
order by months_since_charge_off
