-- grain: one row per age band x grade x score band x channel x income verification with an active loan at $as_of
-- The active book at the month-end $as_of in the cells the cause attribution (lendrisk.attribution)
-- compares between two month-ends: months on book first (the growth effect), then the segments the
-- mix effect shifts between. Read from the book_cell mart (the loan_month tape's active book summed
-- by months on book, grade, borrower score band, channel and income verification at build time).
-- Columns (amounts in currency units):
--   age_band              months on book at $as_of (0 = originated in the month), exact up to 12, then
--                         the first month of the band: 13 (13-18), 19 (19-24), 25 (25-36), 37 (37 and more)
--   grade                 A..G
--   score_band            borrower credit score: lt600, 600-649, 650-699, 700-749, ge750
--   channel               platform, institution
--   income_verification   verified, not_verified, unknown
--   loans                 active loans (state current..90+)
--   outstanding_principal their outstanding principal
--   overdue_balance       outstanding principal of those with DPD >= 1
--   m3plus_balance        outstanding principal of those with DPD > 90
-- key: age_band, grade, score_band, channel, income_verification
with

banded as (
    select
        case
            when months_on_book <= 12 then months_on_book
            when months_on_book <= 18 then 13
            when months_on_book <= 24 then 19
            when months_on_book <= 36 then 25
            else 37
        end as age_band,
        grade,
        score_band,
        channel,
        income_verification,
        loans,
        outstanding_principal,
        overdue_balance,
        m3plus_balance
    from book_cell
    where month_end = $as_of
)

select
    cast(age_band as integer) as age_band,
    grade,
    score_band,
    channel,
    income_verification,
    cast(sum(loans) as bigint) as loans,
    cast(sum(outstanding_principal) as double) as outstanding_principal,
    cast(sum(overdue_balance) as double) as overdue_balance,
    cast(sum(m3plus_balance) as double) as m3plus_balance
from banded
group by age_band, grade, score_band, channel, income_verification
order by age_band, grade, score_band, channel, income_verification
