-- grain: one row per month-end from the month of investor $investor_id's first investment through $as_of
-- The investor's own overdue rate month by month (docs/design.md §3), read from the loan_month tape, with
-- the investor's exposure exactly as overdue_by_bucket has it at each month-end: share of the loan
-- (holdings invested on or before the month-end) x (principal - principal paid by every source,
-- guarantor included, on or before the month-end), for loans active at that month-end.
-- Columns (amounts in currency units, rates as fractions 0..1, null when there is no exposure):
--   month_end          the month-end
--   held_loans         active loans in which the investor has exposure
--   exposure           the investor's exposure in them
--   overdue_exposure   exposure in loans with DPD >= 1
--   m3plus_exposure    exposure in loans with DPD > 90
--   overdue_rate       overdue_exposure / exposure (the investor's 金额逾期率)
--   m3plus_rate        m3plus_exposure / exposure
-- key: month_end
-- The holdings come from holding_book (stored by investor, with each loan's integer key), so only the
-- tape is scanned, by loan_no. A book of store.BIG_BOOK_HOLDINGS holdings or more has loans in every
-- row group of the tape: lendrisk.investor reads its rows from the investor_month mart instead
-- (investor_overdue_trend_stored.sql).
with

held as (
    select
        loan_id,
        loan_no,
        invested_on,
        cast(amount as double) as amount,
        cast(principal as double) as principal
    from holding_book
    where investor_id = $investor_id and invested_on <= $as_of
),

months as (
    select cast(last_day(unnest(generate_series(
        cast(date_trunc('month', min(invested_on)) as timestamp),
        cast(date_trunc('month', cast($as_of as date)) as timestamp),
        interval 1 month
    ))) as date) as month_end
    from held
),

tape as (
    select
        loan_no,
        month_end,
        state,
        claim
    from active_tape_until($as_of)
    where loan_no in (select loan_no from held)
),

held_by_month as (
    select
        t.loan_no,
        t.month_end,
        sum(h.amount) / any_value(h.principal) as share_of_loan
    from tape as t
    inner join held as h on h.loan_no = t.loan_no and h.invested_on <= t.month_end
    group by t.loan_no, t.month_end
),

exposures as (
    select
        t.month_end,
        t.state,
        h.share_of_loan * t.claim as exposure
    from tape as t
    inner join held_by_month as h using (loan_no, month_end)
    where t.claim > 0.005
),

per_month as (
    select
        month_end,
        count(*) as held_loans,
        cast(sum(exposure) as double) as exposure,
        cast(coalesce(sum(exposure) filter (where state <> 'current'), 0) as double) as overdue_exposure,
        cast(coalesce(sum(exposure) filter (where state = '90+'), 0) as double) as m3plus_exposure
    from exposures
    group by month_end
),

filled as (
    select
        m.month_end,
        coalesce(columns(p.* exclude (month_end)), 0)
    from months as m
    left join per_month as p using (month_end)
)

select
    *,
    overdue_exposure / nullif(exposure, 0) as overdue_rate,
    m3plus_exposure / nullif(exposure, 0) as m3plus_rate
from filled
order by month_end
