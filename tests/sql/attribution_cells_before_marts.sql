-- grain: one row per age band x grade x score band x channel x income verification with an active loan at $as_of
-- The oracle of queries/attribution_cells.sql (tests/test_health_marts.py): the query as it was before it read the
-- book_cell mart, straight from the tape and the canonical tables; the test compares the two.
-- The active book at the month-end $as_of in the cells the cause attribution (lendrisk.attribution)
-- compares between two month-ends: months on book first (the growth effect), then the segments the
-- mix effect shifts between. Read from the loan_month tape (state, outstanding principal as
-- loan_state_as_of gives them) joined to the loan's grade and channel and the borrower's score
-- and income verification.
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
            when a.months_on_book <= 12 then a.months_on_book
            when a.months_on_book <= 18 then 13
            when a.months_on_book <= 24 then 19
            when a.months_on_book <= 36 then 25
            else 37
        end as age_band,
        a.grade,
        score_band(b.credit_score) as score_band,
        a.channel,
        income_verification(b.income_verified) as income_verification,
        a.state,
        a.outstanding_principal
    from active_loans($as_of) as a
    inner join borrowers as b using (borrower_id)
)

select
    cast(age_band as integer) as age_band,
    grade,
    score_band,
    channel,
    income_verification,
    cast(count(*) as bigint) as loans,
    sum(outstanding_principal) as outstanding_principal,
    coalesce(sum(outstanding_principal) filter (where state <> 'current'), 0) as overdue_balance,
    coalesce(sum(outstanding_principal) filter (where state = '90+'), 0) as m3plus_balance
from banded
group by age_band, grade, score_band, channel, income_verification
order by age_band, grade, score_band, channel, income_verification
