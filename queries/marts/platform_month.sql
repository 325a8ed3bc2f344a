-- grain: one row per month-end x grade x product x channel x state on the loan_month tape
-- The platform's book summed by segment at every month-end, built once per store after loan_month:
-- platform trends (overdue_trend) read its few thousand rows per month instead of the tape's
-- ten million. Sums are exact (decimal), so a trend read from it equals the one read from the tape.
-- Columns:
--   month_end, grade, product, channel, state   the segment (state as on the tape: current .. 90+,
--                                               paid_off, charged_off)
--   loans                   loans of the segment at the month-end
--   outstanding_principal   Σ outstanding principal (currency units, decimal)
--   past_due_amount         Σ past-due amount (currency units, decimal)
--   new_default_loans       loans whose default month-end (first at 90+ or charged_off) is this one
--   new_default_principal   Σ outstanding principal of those loans at that month-end
create table platform_month as
with

segment as (
    select
        k.loan_no,
        l.grade,
        l.product,
        l.channel
    from loans as l
    inner join loan_key as k using (loan_id)
),

first_default as (
    select
        loan_no,
        min(month_end) as default_month
    from loan_month
    where state in ('90+', 'charged_off')
    group by loan_no
),

described as (
    select
        m.month_end,
        s.grade,
        s.product,
        s.channel,
        m.state,
        m.outstanding_principal,
        m.past_due_amount,
        coalesce(d.default_month = m.month_end, false) as defaults_now
    from loan_month as m
    inner join segment as s using (loan_no)
    left join first_default as d using (loan_no)
)

select
    month_end,
    grade,
    product,
    channel,
    state,
    cast(count(*) as bigint) as loans,
    sum(outstanding_principal) as outstanding_principal,
    sum(past_due_amount) as past_due_amount,
    cast(count(*) filter (where defaults_now) as bigint) as new_default_loans,
    coalesce(sum(outstanding_principal) filter (where defaults_now), 0) as new_default_principal
from described
group by month_end, grade, product, channel, state
order by month_end, grade, product, channel, state
