-- grain: one row per loan per month-end, from the first month-end on or after origination through
-- the first month-end at which the loan is paid_off or charged_off (or $observed_to, if earlier).
-- Each row holds state, dpd and outstanding principal exactly as loan_state_as_of gives them at
-- that month-end, plus the cumulative cash behind them. Trends, roll rates and vintages read it.
-- loan_no is the loan's integer key (loan_key), for investor-scoped scans of the tape.
-- How it is computed (the same rows as the definitions in docs/definitions.md; tests/test_streaming_build.py):
--   every step is keyed by the integer loan_no (sorting text keys was most of the cost);
--   cash and dues are summed per loan and month-end and carried forward by one window over the months
--   (a due counts from the first month-end strictly after its due date);
--   the oldest unpaid installment is looked up (ASOF on running dues, summed only for the loans that
--   need them) only for month-ends with more due than paid: dues and payments are never negative, so
--   at any other month-end nothing already due is unpaid and dpd is 0.
create table loan_month as
with

keyed_loans as (
    select
        l.loan_id,
        k.loan_no,
        l.principal,
        last_day(l.originated_on) as first_month
    from loans as l
    inner join loan_key as k using (loan_id)
    where k.loan_no between $first_loan_no and $last_loan_no
),

monthly_cash as (
    select
        k.loan_no,
        greatest(last_day(r.paid_on), k.first_month) as month_end,
        cast(sum(case when r.source in ('borrower', 'collection') then r.principal_paid else 0 end)
            as decimal(18, 2)) as principal_paid,
        cast(sum(case when r.source in ('borrower', 'collection') then r.interest_paid else 0 end)
            as decimal(18, 2)) as interest_paid,
        cast(sum(case when r.source in ('borrower', 'collection') then 0 else r.principal_paid + r.interest_paid end)
            as decimal(18, 2)) as guarantor_paid,
        cast(sum(case when r.source in ('borrower', 'collection') then 0 else r.principal_paid end)
            as decimal(18, 2)) as guarantor_principal
    from repayments as r
    inner join keyed_loans as k using (loan_id)
    group by all
),

paid_off_months as (
    select
        loan_no,
        min(month_end) as paid_off_month
    from (
        select
            c.loan_no,
            c.month_end,
            k.principal - sum(c.principal_paid) over (partition by c.loan_no order by c.month_end) as left_to_pay
        from monthly_cash as c
        inner join keyed_loans as k using (loan_no)
    )
    where left_to_pay <= 0.005
    group by loan_no
),

charge_offs as (
    select
        k.loan_no,
        last_day(min(e.event_on)) as charged_off_month
    from loan_events as e
    inner join keyed_loans as k using (loan_id)
    where e.kind = 'charged_off'
    group by k.loan_no
),

loan_span as (
    select
        k.loan_id,
        k.loan_no,
        k.principal,
        k.first_month,
        co.charged_off_month,
        least(
            coalesce(co.charged_off_month, date '9999-12-31'),
            coalesce(po.paid_off_month, date '9999-12-31'),
            cast($observed_to as date)
        ) as last_month
    from keyed_loans as k
    left join charge_offs as co using (loan_no)
    left join paid_off_months as po using (loan_no)
    where k.first_month <= cast($observed_to as date)
),

loan_months as (
    select
        loan_no,
        first_month,
        cast(last_day(unnest(generate_series(
            cast(date_trunc('month', first_month) as timestamp),
            cast(date_trunc('month', last_month) as timestamp),
            interval 1 month
        ))) as date) as month_end
    from loan_span
),

schedule_dues as (
    select
        k.loan_no,
        k.first_month,
        s.installment_no,
        s.due_on,
        s.principal_due + s.interest_due as due
    from schedule as s
    inner join keyed_loans as k using (loan_id)
),

monthly_due as (
    select
        loan_no,
        greatest(last_day(due_on + 1), first_month) as month_end,
        cast(sum(due) as decimal(18, 2)) as due
    from schedule_dues
    group by all
),

with_cash as (
    select
        m.loan_no,
        m.month_end,
        date_diff('month', m.first_month, m.month_end) as months_on_book,
        cast(sum(coalesce(c.principal_paid, 0)) over w as decimal(18, 2)) as principal_paid_so_far,
        cast(sum(coalesce(c.interest_paid, 0)) over w as decimal(18, 2)) as interest_paid_so_far,
        cast(sum(coalesce(c.guarantor_paid, 0)) over w as decimal(18, 2)) as guarantor_paid_so_far,
        cast(sum(coalesce(c.guarantor_principal, 0)) over w as decimal(18, 2)) as guarantor_principal_so_far,
        cast(sum(coalesce(d.due, 0)) over w as decimal(18, 2)) as due_so_far
    from loan_months as m
    left join monthly_cash as c on m.loan_no = c.loan_no and m.month_end = c.month_end
    left join monthly_due as d on m.loan_no = d.loan_no and m.month_end = d.month_end
    window w as (partition by m.loan_no order by m.month_end)
),

late_months as (
    select loan_no
    from with_cash
    where due_so_far > principal_paid_so_far + interest_paid_so_far + 0.005
),

running_schedule as (
    -- running dues, only of loans with a month-end more due than paid
    select
        loan_no,
        due_on,
        cast(sum(due) over (partition by loan_no order by installment_no) as decimal(18, 2)) as running_due
    from schedule_dues
    where loan_no in (select loan_no from late_months)
),

months_dated as (
    select
        w.*,
        0 as dpd
    from with_cash as w
    where w.due_so_far <= w.principal_paid_so_far + w.interest_paid_so_far + 0.005
    union all
    select
        w.*,
        date_diff('day', s.due_on, w.month_end) as dpd
    from with_cash as w
    asof inner join running_schedule as s
        on w.loan_no = s.loan_no and w.principal_paid_so_far + w.interest_paid_so_far + 0.005 < s.running_due
    where w.due_so_far > w.principal_paid_so_far + w.interest_paid_so_far + 0.005
),

dated as (
    select
        w.*,
        sp.loan_id,
        sp.principal - w.principal_paid_so_far as outstanding,
        greatest(w.due_so_far - w.principal_paid_so_far - w.interest_paid_so_far, 0) as past_due_amount,
        sp.charged_off_month is not null and sp.charged_off_month <= w.month_end as is_charged_off
    from months_dated as w
    inner join loan_span as sp using (loan_no)
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
    principal_paid_so_far as principal_paid_to_date,
    interest_paid_so_far as interest_paid_to_date,
    guarantor_paid_so_far as guarantor_paid_to_date,
    guarantor_principal_so_far as guarantor_principal_to_date,
    loan_no
from dated
order by month_end, loan_no
