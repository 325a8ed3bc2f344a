-- grain: one row per month-end from the month of investor $investor_id's first investment through $as_of,
-- none when the investor has fewer than $big_book_holdings holdings
-- investor_overdue_trend.sql's rows, read from the investor_month mart, which holds them for the
-- investors with at least $big_book_holdings holdings (store.BIG_BOOK_HOLDINGS): the month-ends with
-- exposure from the mart, the others 0 (no rate). lendrisk.investor.overdue_trend reads the tape
-- (investor_overdue_trend.sql) when this returns nothing.
-- Columns: month_end, held_loans, exposure, overdue_exposure, m3plus_exposure, overdue_rate, m3plus_rate
--   as in investor_overdue_trend.sql
-- key: month_end
with

held as (
    select
        count(*) filter (where invested_on <= $as_of) as held_holdings,
        min(invested_on) filter (where invested_on <= $as_of) as first_invested_on,
        count(*) >= $big_book_holdings as is_stored
    from holding_book
    where investor_id = $investor_id
),

months as (
    select cast(last_day(unnest(generate_series(
        cast(date_trunc('month', first_invested_on) as timestamp),
        cast(date_trunc('month', cast($as_of as date)) as timestamp),
        interval 1 month
    ))) as date) as month_end
    from held
    where is_stored and held_holdings > 0
),

per_month as (
    select
        month_end,
        held_loans,
        exposure,
        overdue_exposure,
        m3plus_exposure
    from investor_month
    where investor_id = $investor_id and month_end <= $as_of
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
