-- grain: one row per loan of investor $investor_id x change in the month ending $as_of
-- What changed in my portfolio since the month-end before $as_of, for loans I held at $as_of
-- (invested on or before it). Ordered most serious first: charge-offs, buy-outs, rolls (the worst
-- bucket reached first), recoveries; then by loan. Changes:
--   rolled       the loan moved to a worse active bucket (current < 1-30 < 31-60 < 61-90 < 90+)
--                between the two month-ends (its state on the loan_month tape at each)
--   charged_off  its first charged_off event falls in the month
--   recovery     collection cash after its charge-off received in the month
--   buyout       the guarantor paid in the month (代偿, the reserve buying investors out)
-- Columns:
--   loan_id, change
--   from_state, to_state  the states at the two month-ends (rolled only; else null)
--   on_date               the event or payment date (last one in the month); the month-end for rolled
--   amount                my share (holding / principal) of the amount: the principal charged off,
--                         the cash recovered or bought out, currency units; null for rolled
-- key: loan_id, change
-- The held loans come from holding_book (stored by investor, with each loan's final tape row), so the
-- states read two month-end slices of the tape, not every month of the investor's loans; charge-offs
-- come from the charge_off mart (first charged_off event, principal written off) and the cash from
-- loan_repayment by the integer loan_no.
with

bounds as (
    select
        last_day(cast($as_of as date) - interval 1 month) as month_before,
        cast($as_of as date) as month_end
),

held as (
    select
        loan_id,
        loan_no,
        sum(cast(amount as double) / cast(principal as double)) as share,
        any_value(final_month_end) as final_month_end,
        any_value(final_state) as final_state
    from holding_book
    where investor_id = $investor_id and invested_on <= $as_of
    group by loan_id, loan_no
),

-- a loan's state at a month-end m: its final row's (holding_book) when that is on or before m, else
-- its tape row at m, so only the two month-end slices of the tape are read (constants, not the bounds
-- subqueries: DuckDB skips the tape's other row groups only for a constant filter)
slices as (
    select
        loan_no,
        month_end,
        state
    from loan_month
    where month_end in (last_day(cast($as_of as date) - interval 1 month), cast($as_of as date))
        and loan_no in (select loan_no from held where final_month_end > (select month_before from bounds))
),

states as (
    select
        h.loan_id,
        case when h.final_month_end <= b.month_before then h.final_state else f.state end as from_state,
        case when h.final_month_end <= b.month_end then h.final_state else t.state end as to_state
    from held as h
    cross join bounds as b
    left join slices as f on f.loan_no = h.loan_no and f.month_end = b.month_before
    left join slices as t on t.loan_no = h.loan_no and t.month_end = b.month_end
),

rolled as (
    select
        loan_id,
        'rolled' as change,
        from_state,
        to_state,
        (select month_end from bounds) as on_date,
        cast(null as double) as amount
    from states
    where list_position(['current', '1-30', '31-60', '61-90', '90+'], to_state)
        > list_position(['current', '1-30', '31-60', '61-90', '90+'], from_state)
),

charged_off as (
    select
        h.loan_id,
        'charged_off' as change,
        cast(null as varchar) as from_state,
        cast(null as varchar) as to_state,
        w.charged_off_on as on_date,
        h.share * w.principal_written_off as amount
    from held as h
    inner join charge_off as w using (loan_id)
    cross join bounds as b
    where w.charged_off_on > b.month_before and w.charged_off_on <= b.month_end
),

cash as (
    select
        h.loan_id,
        case when r.source = 'guarantor' then 'buyout' else 'recovery' end as change,
        cast(null as varchar) as from_state,
        cast(null as varchar) as to_state,
        max(r.paid_on) as on_date,
        h.share * sum(cast(r.principal_paid + r.interest_paid as double)) as amount
    from held as h
    inner join loan_repayment as r using (loan_no)
    left join charge_off as c using (loan_id)
    cross join bounds as b
    where r.paid_on > b.month_before and r.paid_on <= b.month_end
        and (r.source = 'guarantor' or (r.source = 'collection' and r.paid_on >= c.charged_off_on))
    group by h.loan_id, h.share, case when r.source = 'guarantor' then 'buyout' else 'recovery' end
)

select * from rolled
union all
select * from charged_off
union all
select * from cash
order by
    list_position(['charged_off', 'buyout', 'rolled', 'recovery'], change),
    list_position(['current', '1-30', '31-60', '61-90', '90+'], to_state) desc nulls last,
    loan_id
