-- grain: one row per loan per month-end, from the first month-end on or after origination through
-- the first month-end at which the loan is paid_off or charged_off (or :observed_to, if earlier).
-- The Spark SQL variant of queries/marts/loan_month.sql: the same columns and the same rows
-- (tests/test_spark_marts.py compares them). Spark has no ASOF join and no generate_series of
-- dates, so the month list is sequence() + explode(), and each as-of match puts the tape rows and
-- the rows they are matched to in one window per loan, ordered by the matched value, and takes the
-- nearest row of the other kind (first / last ignoring nulls):
--   cumulative cash      the latest cash month on or before the month-end (ties: cash first)
--   oldest unpaid due    the first installment whose running due exceeds paid + 0.005 (strictly)
--   past due amount      the running due of the last installment due before the month-end (strictly)
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
            cast(:observed_to as date)
        ) as last_month
    from loans as l
    left join charge_offs as co using (loan_id)
    left join paid_off_months as po using (loan_id)
    where last_day(l.originated_on) <= cast(:observed_to as date)
),

month_starts as (
    select
        loan_id,
        principal,
        first_month,
        explode(sequence(trunc(first_month, 'MM'), trunc(last_month, 'MM'), interval 1 month)) as month_start
    from loan_span
    where trunc(first_month, 'MM') <= trunc(last_month, 'MM')
),

loan_months as (
    select
        loan_id,
        principal,
        first_month,
        last_day(month_start) as month_end
    from month_starts
),

months_and_cash as (
    select
        loan_id,
        month_end,
        principal,
        first_month,
        true as on_tape,
        cast(null as decimal(30, 2)) as paid_so_far,
        cast(null as decimal(30, 2)) as principal_paid_so_far,
        cast(null as decimal(30, 2)) as interest_paid_so_far,
        cast(null as decimal(30, 2)) as guarantor_paid_so_far,
        cast(null as decimal(30, 2)) as guarantor_principal_so_far
    from loan_months
    union all
    select
        c.loan_id,
        c.month_end,
        null as principal,
        null as first_month,
        false as on_tape,
        c.paid_so_far,
        c.principal_paid_so_far,
        c.interest_paid_so_far,
        c.guarantor_paid_so_far,
        c.guarantor_principal_so_far
    from cumulative_cash as c
    left semi join loan_span as s using (loan_id)
),

cash_as_of as (
    select
        loan_id,
        month_end,
        principal,
        first_month,
        on_tape,
        last(paid_so_far, true) over w as paid_so_far,
        last(principal_paid_so_far, true) over w as principal_paid_so_far,
        last(interest_paid_so_far, true) over w as interest_paid_so_far,
        last(guarantor_paid_so_far, true) over w as guarantor_paid_so_far,
        last(guarantor_principal_so_far, true) over w as guarantor_principal_so_far
    from months_and_cash
    window w as (
        partition by loan_id order by month_end, on_tape rows between unbounded preceding and current row
    )
),

with_cash as (
    select
        loan_id,
        month_end,
        principal,
        (year(month_end) - year(first_month)) * 12 + month(month_end) - month(first_month) as months_on_book,
        coalesce(paid_so_far, 0) as paid_so_far,
        coalesce(principal_paid_so_far, 0) as principal_paid_so_far,
        coalesce(interest_paid_so_far, 0) as interest_paid_so_far,
        coalesce(guarantor_paid_so_far, 0) as guarantor_paid_so_far,
        coalesce(guarantor_principal_so_far, 0) as guarantor_principal_so_far
    from cash_as_of
    where on_tape
),

running_schedule as (
    select
        loan_id,
        installment_no,
        due_on,
        sum(principal_due + interest_due) over (
            partition by loan_id order by installment_no
        ) as running_due
    from schedule
),

tape_and_schedule as (
    select
        loan_id,
        month_end,
        principal,
        months_on_book,
        paid_so_far,
        principal_paid_so_far,
        interest_paid_so_far,
        guarantor_paid_so_far,
        guarantor_principal_so_far,
        true as on_tape,
        0 as installment_no,
        cast(null as date) as due_on,
        cast(null as decimal(30, 2)) as running_due
    from with_cash
    union all
    select
        s.loan_id,
        null as month_end,
        null as principal,
        null as months_on_book,
        null as paid_so_far,
        null as principal_paid_so_far,
        null as interest_paid_so_far,
        null as guarantor_paid_so_far,
        null as guarantor_principal_so_far,
        false as on_tape,
        s.installment_no,
        s.due_on,
        s.running_due
    from running_schedule as s
    left semi join loan_span as l using (loan_id)
),

matched as (
    select
        *,
        first(due_on, true) over (
            partition by loan_id
            order by coalesce(running_due, paid_so_far + 0.005), on_tape, installment_no
            rows between current row and unbounded following
        ) as oldest_unpaid_due_on,
        last(running_due, true) over (
            partition by loan_id
            order by coalesce(due_on, month_end), on_tape desc, installment_no
            rows between unbounded preceding and current row
        ) as running_due_before
    from tape_and_schedule
),

with_past_due as (
    select
        *,
        greatest(coalesce(running_due_before, 0) - paid_so_far, 0) as past_due_amount
    from matched
    where on_tape
),

dated as (
    select
        w.*,
        case
            when w.oldest_unpaid_due_on < w.month_end
                then datediff(w.month_end, w.oldest_unpaid_due_on)
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
    cast(months_on_book as int) as months_on_book,
    case
        when is_charged_off then 'charged_off'
        when outstanding <= 0.005 then 'paid_off'
        when dpd = 0 then 'current'
        when dpd <= 30 then '1-30'
        when dpd <= 60 then '31-60'
        when dpd <= 90 then '61-90'
        else '90+'
    end as state,
    cast(dpd as int) as dpd,
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
