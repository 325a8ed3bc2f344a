-- grain: one row per month-end in [$from, $to] within the observed period (first tape month-end to observed_to)
-- The oracle of overdue_trend's book columns (tests/test_platform_month.py): recomputed straight from
-- the loan_month tape, as the trend was before the platform_month mart, with none of the query's
-- code (no mart, no shared view or macro). The cash, origination and macro columns never read the
-- mart and are left out. Columns (as overdue_trend names them; the test compares them in this
-- order): month_end, active_loans, outstanding_principal, overdue_balance, m3plus_balance,
-- new_default_principal, new_default_loans, overdue_rate_amount, overdue_rate_count, m3plus_rate,
-- m3plus_rate_count
with

span as (
    select
        min(month_end) as first_month_end,
        coalesce((select cast(value as date) from meta where key = 'observed_to'), max(month_end)) as last_month_end
    from loan_month
),

calendar as (
    select last_day(date_trunc('month', cast($from as date)) + to_months(cast(n as integer))) as month_end
    from range(0, date_diff('month', cast($from as date), cast($to as date)) + 1) as t (n)
),

first_default as (
    select loan_id, min(month_end) as month_end
    from loan_month
    where state = '90+' or state = 'charged_off'
    group by loan_id
),

tape as (
    select
        m.month_end,
        m.state not in ('paid_off', 'charged_off') as active,
        m.dpd,
        m.outstanding_principal as balance,
        d.loan_id is not null as defaults_now
    from loan_month as m
    left join first_default as d on d.loan_id = m.loan_id and d.month_end = m.month_end
),

by_month as (
    select
        c.month_end,
        count(*) filter (where t.active) as active_loans,
        cast(sum(case when t.active then t.balance else 0 end) as double) as outstanding_principal,
        cast(sum(case when t.active and t.dpd >= 1 then t.balance else 0 end) as double) as overdue_balance,
        cast(sum(case when t.active and t.dpd > 90 then t.balance else 0 end) as double) as m3plus_balance,
        cast(sum(case when t.defaults_now then t.balance else 0 end) as double) as new_default_principal,
        count(*) filter (where t.defaults_now) as new_default_loans,
        count(*) filter (where t.active and t.dpd >= 1) as overdue_loans,
        count(*) filter (where t.active and t.dpd > 90) as m3plus_loans
    from calendar as c
    cross join span as p
    left join tape as t using (month_end)
    where c.month_end between $from and $to
        and c.month_end between p.first_month_end and p.last_month_end
    group by c.month_end
)

select
    * exclude (overdue_loans, m3plus_loans),
    coalesce(overdue_balance / nullif(outstanding_principal, 0), 0) as overdue_rate_amount,
    coalesce(overdue_loans / nullif(active_loans, 0), 0) as overdue_rate_count,
    coalesce(m3plus_balance / nullif(outstanding_principal, 0), 0) as m3plus_rate,
    coalesce(m3plus_loans / nullif(active_loans, 0), 0) as m3plus_rate_count
from by_month
order by month_end
