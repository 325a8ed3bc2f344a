-- grain: one row per month-end in [$from, $to] within the observed period (first tape month-end to observed_to)
-- The oracle of queries/overdue_trend.sql (tests/test_health_marts.py): the query as it was before it read the
-- month_flow mart, straight from the tape and the canonical tables; the test compares the two.
-- The platform's overdue picture month by month (docs/design.md §3), read from the platform_month mart
-- (the loan_month tape summed by segment at build time: the same figures without scanning the tape).
-- Columns (amounts in currency units, rates as fractions 0..1, 0 when the denominator is 0):
--   month_end               the month-end
--   active_loans            loans in state current..90+ at the month-end
--   outstanding_principal   outstanding principal of those loans
--   overdue_balance         outstanding principal of active loans with DPD >= 1 (逾期余额)
--   m3plus_balance          outstanding principal of active loans with DPD > 90 (M3+)
--   overdue_rate_amount     overdue_balance / outstanding_principal (金额逾期率)
--   overdue_rate_count      overdue loans / active loans (项目逾期率)
--   m3plus_rate             m3plus_balance / outstanding_principal
--   m3plus_rate_count       loans with DPD > 90 / active loans
--   new_default_principal   outstanding principal at default of loans whose default month-end (first
--                           month-end at 90+ or charged_off) is this one
--   new_default_loans       number of those loans
--   charged_off_principal   amounts of charged_off events dated in the month
--   recoveries              collection payments (principal + interest) received in the month
--   industry_overdue_rate   the published industry benchmark from macro (null when missing)
--   originated_principal    principal of loans originated in the month
--   originated_loans        loans originated in the month
--   guarantor_paid          guarantor payments (principal + interest, 代偿) received in the month
-- key: month_end
with

observed as (
    select
        coalesce(
            (select cast(value as date) from meta where key = 'observed_to'),
            (select max(month_end) from loan_month)
        ) as observed_to,
        (select min(month_end) from loan_month) as first_month_end
),

months as (
    select cast(last_day(unnest(generate_series(
        cast(date_trunc('month', greatest(cast($from as date), o.first_month_end)) as timestamp),
        cast(date_trunc('month', least(cast($to as date), o.observed_to)) as timestamp),
        interval 1 month
    ))) as date) as month_end
    from observed as o
),

in_window as (
    select month_end
    from months
    where month_end between $from and $to
),

book as (
    select
        month_end,
        cast(sum(loans) as bigint) as active_loans,
        cast(sum(outstanding_principal) as double) as outstanding_principal,
        cast(coalesce(sum(loans) filter (where state <> 'current'), 0) as bigint) as overdue_loans,
        cast(coalesce(sum(outstanding_principal) filter (where state <> 'current'), 0) as double)
            as overdue_balance,
        cast(coalesce(sum(loans) filter (where state = '90+'), 0) as bigint) as m3plus_loans,
        cast(coalesce(sum(outstanding_principal) filter (where state = '90+'), 0) as double) as m3plus_balance
    from platform_month
    where month_end between $from and $to
        and is_active_state(state)
    group by month_end
),

new_defaults as (
    select
        month_end,
        cast(sum(new_default_loans) as bigint) as new_default_loans,
        cast(sum(new_default_principal) as double) as new_default_principal
    from platform_month
    where month_end between $from and $to
    group by month_end
),

charge_offs as (
    select
        last_day(event_on) as month_end,
        cast(sum(amount) as double) as charged_off_principal
    from loan_events
    where kind = 'charged_off' and event_on between date_trunc('month', cast($from as date)) and $to
    group by last_day(event_on)
),

cash_in_month as (
    select
        last_day(paid_on) as month_end,
        cast(sum(principal_paid + interest_paid) filter (where source = 'collection') as double) as recoveries,
        cast(sum(principal_paid + interest_paid) filter (where source = 'guarantor') as double) as guarantor_paid
    from repayments
    where source in ('collection', 'guarantor')
        and paid_on between date_trunc('month', cast($from as date)) and $to
    group by last_day(paid_on)
),

originations as (
    select
        last_day(originated_on) as month_end,
        count(*) as originated_loans,
        cast(sum(principal) as double) as originated_principal
    from loans
    where originated_on between date_trunc('month', cast($from as date)) and $to
    group by last_day(originated_on)
),

joined as (
    select
        w.month_end,
        coalesce(columns(b.* exclude (month_end)), 0),
        coalesce(columns(n.* exclude (month_end)), 0),
        coalesce(columns(c.* exclude (month_end)), 0),
        coalesce(columns(r.* exclude (month_end)), 0),
        coalesce(columns(o.* exclude (month_end)), 0),
        m.industry_overdue_rate
    from in_window as w
    left join book as b using (month_end)
    left join new_defaults as n using (month_end)
    left join charge_offs as c using (month_end)
    left join cash_in_month as r using (month_end)
    left join originations as o using (month_end)
    left join macro as m using (month_end)
)

select
    month_end,
    active_loans,
    outstanding_principal,
    overdue_balance,
    m3plus_balance,
    coalesce(overdue_balance / nullif(outstanding_principal, 0), 0) as overdue_rate_amount,
    coalesce(overdue_loans / nullif(active_loans, 0), 0) as overdue_rate_count,
    coalesce(m3plus_balance / nullif(outstanding_principal, 0), 0) as m3plus_rate,
    coalesce(m3plus_loans / nullif(active_loans, 0), 0) as m3plus_rate_count,
    new_default_principal,
    new_default_loans,
    charged_off_principal,
    recoveries,
    industry_overdue_rate,
    originated_principal,
    originated_loans,
    guarantor_paid
from joined
order by month_end
