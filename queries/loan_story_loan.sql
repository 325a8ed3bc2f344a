-- grain: one row for loan $loan_id (none when it is not originated by $as_of, or when $investor_id is
-- given and does not hold it on $as_of)
-- The facts of one loan for its story, and its state at the month-end $as_of. With $investor_id the
-- loan must be one of that investor's holdings (invested on or before $as_of); null = any loan (the
-- Learn page's stories picked from the whole platform).
-- Columns:
--   loan_id, grade, product, channel, purpose, repayment_method, guarantee
--   originated_on     origination date
--   principal         currency units
--   annual_rate       0.12 = 12 %
--   term_months       the term
--   last_due_on       due date of the last installment
--   held_amount       the investor's holding amount (null without $investor_id), currency units
--   share             held_amount / principal (null without $investor_id)
--   state, dpd        at $as_of from the loan's latest loan_month row on or before $as_of
--   outstanding_principal  borrower-based outstanding principal at $as_of, currency units
-- key: one row
with

holding as (
    select
        loan_id,
        sum(cast(amount as double)) as held_amount
    from holdings
    where investor_id = $investor_id and invested_on <= $as_of and loan_id = $loan_id
    group by loan_id
),

chosen as (
    select l.*
    from visible_loan($loan_id, $investor_id, $as_of) as v
    inner join loans as l using (loan_id)
),

last_due as (
    select
        loan_id,
        max(due_on) as last_due_on
    from schedule
    where loan_id in (select loan_id from chosen)
    group by loan_id
),

-- the tape is reached by the loan's integer key: its loan_id text skips few row groups by min/max
latest_state as (
    select
        loan_id,
        arg_max(state, month_end) as state,
        arg_max(dpd, month_end) as dpd,
        arg_max(cast(outstanding_principal as double), month_end) as outstanding_principal
    from loan_month
    where month_end <= $as_of
        and loan_no in (select k.loan_no from loan_key as k where k.loan_id in (select loan_id from chosen))
    group by loan_id
)

select
    c.loan_id,
    c.grade,
    c.product,
    c.channel,
    c.purpose,
    c.repayment_method,
    coalesce(c.guarantee, 'none') as guarantee,
    c.originated_on,
    cast(c.principal as double) as principal,
    cast(c.annual_rate as double) as annual_rate,
    cast(c.term_months as integer) as term_months,
    d.last_due_on,
    h.held_amount,
    h.held_amount / cast(c.principal as double) as share,
    coalesce(s.state, 'current') as state,
    cast(coalesce(s.dpd, 0) as integer) as dpd,
    coalesce(s.outstanding_principal, cast(c.principal as double)) as outstanding_principal
from chosen as c
left join last_due as d using (loan_id)
left join holding as h using (loan_id)
left join latest_state as s using (loan_id)
