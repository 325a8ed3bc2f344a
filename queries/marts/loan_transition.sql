-- grain: one row per later month-end m + 1 x grade x (from_state, to_state) observed on the tape
-- The monthly transitions on the loan_month tape, built once per store after loan_month so roll
-- rates, cure rates, matrices, stress and back-test read a few thousand rows instead of pairing the
-- tape. A transition is a loan's move from month-end m to m + 1 (each loan's tape is contiguous, so
-- its next row is m + 1); only active states have a next month (the tape stops at paid_off /
-- charged_off, or at $observed_to where the loan simply has no next row). Balance-weighted by
-- outstanding principal at m, summed exactly in DECIMAL (cast to double in query output).
-- Columns:
--   month_end    the later month-end m + 1 (date)
--   grade        loan grade A..G
--   from_state   current, 1-30, 31-60, 61-90, 90+
--   to_state     current .. 90+, paid_off, charged_off
--   balance      outstanding principal at m of the loans that moved, currency units, DECIMAL(18, 2)
--   loans        loan-month observations
create table loan_transition as
with

paired as (
    select
        loan_id,
        state as from_state,
        outstanding_principal as balance,
        lead(state) over (partition by loan_id order by month_end) as to_state,
        lead(month_end) over (partition by loan_id order by month_end) as to_month
    from loan_month
),

observed as (
    select
        p.to_month as month_end,
        l.grade,
        p.from_state,
        p.to_state,
        p.balance
    from paired as p
    inner join loans as l using (loan_id)
    where p.to_state is not null and p.to_month <= cast($observed_to as date)
)

select
    month_end,
    grade,
    from_state,
    to_state,
    cast(sum(balance) as decimal(18, 2)) as balance,
    cast(count(*) as bigint) as loans
from observed
group by month_end, grade, from_state, to_state
order by month_end, grade, from_state, to_state
