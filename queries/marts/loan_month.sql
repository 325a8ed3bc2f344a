-- grain: one row per loan per month-end, from the first month-end on or after origination through
-- the first month-end at which the loan is paid_off or charged_off (or $observed_to, if earlier).
-- Each row holds state, dpd and outstanding principal exactly as loan_state_as_of gives them at
-- that month-end, plus the cumulative cash behind them. Trends, roll rates and vintages read it.
-- loan_no is the loan's integer key (loan_key), for investor-scoped scans of the tape.
create table loan_month as
with

cash as (
    select
        loan_id,
        paid_on,
        principal_paid,
        interest_paid,
        source in ('borrower', 'collection') as cures
    from repayments
),

monthly_cash as (
    select
        loan_id,
        last_day(paid_on) as month_end,
        sum(case when cures then principal_paid + interest_paid else 0 end) as paid,
        sum(case when cures then principal_paid else 0 end) as principal_paid,
        sum(case when cures then interest_paid else 0 end) as interest_paid,
        sum(case when not cures then principal_paid + interest_paid else 0 end) as guarantor_paid,
        sum(case when not cures then principal_paid else 0 end) as guarantor_principal
    from cash
    group by loan_id, last_day(paid_on)
),

cumulative_cash as (
    select
        loan_id,
        month_end,
        sum(paid) over w as paid_so_far,
        sum(principal_paid) over w as principal_paid_so_far,
        sum(interest_paid) over w as interest_paid_so_far,
        sum(guarantor_paid) over w as guarantor_paid_so_far,
        sum(guarantor_principal) over w as guarantor_principal_so_far
    from monthly_cash
    window w as (partition by loan_id order by month_end)
),

charge_offs as (
    select loan_id, last_day(min(event_on)) as charged_off_month
    from loan_events
    where kind = 'charged_off'
    group by loan_id
),

paid_off_months as (
    select
        c.loan_id,
        min(c.month_end) as paid_off_month
    from cumulative_cash as c
    inner join loans as l using (loan_id)
    where l.principal - c.principal_paid_so_far <= 0.005
    group by c.loan_id
),

loan_span as (
    select
        l.loan_id,
        l.principal,
        last_day(l.originated_on) as first_month,
        least(
            coalesce(co.charged_off_month, date '9999-12-31'),
            coalesce(po.paid_off_month, date '9999-12-31'),
            cast($observed_to as date)
        ) as last_month
    from loans as l
    left join charge_offs as co using (loan_id)
    left join paid_off_months as po using (loan_id)
    where last_day(l.originated_on) <= cast($observed_to as date)
),

loan_months as (
    select
        loan_id,
        principal,
        first_month,
        cast(last_day(unnest(generate_series(
            cast(date_trunc('month', first_month) as timestamp),
            cast(date_trunc('month', last_month) as timestamp),
            interval 1 month
        ))) as date) as month_end
    from loan_span
),

with_cash as (
    select
        m.loan_id,
        m.month_end,
        m.principal,
        date_diff('month', m.first_month, m.month_end) as months_on_book,
        coalesce(c.paid_so_far, 0) as paid_so_far,
        coalesce(c.principal_paid_so_far, 0) as principal_paid_so_far,
        coalesce(c.interest_paid_so_far, 0) as interest_paid_so_far,
        coalesce(c.guarantor_paid_so_far, 0) as guarantor_paid_so_far,
        coalesce(c.guarantor_principal_so_far, 0) as guarantor_principal_so_far
    from loan_months as m
    asof left join cumulative_cash as c
        on m.loan_id = c.loan_id and m.month_end >= c.month_end
),

running_schedule as (
    select
        loan_id,
        due_on,
        sum(principal_due + interest_due) over (
            partition by loan_id order by installment_no
        ) as running_due
    from schedule
),

with_oldest_unpaid as (
    select
        w.*,
        s.due_on as oldest_unpaid_due_on
    from with_cash as w
    asof left join running_schedule as s
        on w.loan_id = s.loan_id and w.paid_so_far + 0.005 < s.running_due
),

with_past_due as (
    select
        w.*,
        greatest(coalesce(s.running_due, 0) - w.paid_so_far, 0) as past_due_amount
    from with_oldest_unpaid as w
    asof left join running_schedule as s
        on w.loan_id = s.loan_id and w.month_end > s.due_on
),

dated as (
    select
        w.*,
        case
            when w.oldest_unpaid_due_on < w.month_end
                then date_diff('day', w.oldest_unpaid_due_on, w.month_end)
            else 0
        end as dpd,
        w.principal - w.principal_paid_so_far as outstanding,
        co.charged_off_month is not null and co.charged_off_month <= w.month_end as is_charged_off
    from with_past_due as w
    left join charge_offs as co using (loan_id)
)

select
    loan_id,
    month_end,
    cast(months_on_book as integer) as months_on_book,
    case
        when is_charged_off then 'charged_off'
        when outstanding <= 0.005 then 'paid_off'
        when dpd = 0 then 'current'
        when dpd <= 30 then '1-30'
        when dpd <= 60 then '31-60'
        when dpd <= 90 then '61-90'
        else '90+'
    end as state,
    cast(dpd as integer) as dpd,
    cast(outstanding as decimal(18, 2)) as outstanding_principal,
    cast(past_due_amount as decimal(18, 2)) as past_due_amount,
    cast(principal_paid_so_far as decimal(18, 2)) as principal_paid_to_date,
    cast(interest_paid_so_far as decimal(18, 2)) as interest_paid_to_date,
    cast(guarantor_paid_so_far as decimal(18, 2)) as guarantor_paid_to_date,
    cast(guarantor_principal_so_far as decimal(18, 2)) as guarantor_principal_to_date,
    k.loan_no
from dated
inner join loan_key as k using (loan_id)
order by month_end, loan_id
