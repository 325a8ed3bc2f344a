-- grain: one row per age band x grade x score band x channel x income verification with an active loan at $as_of
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

active as (
    select
        loan_id,
        months_on_book,
        state,
        cast(outstanding_principal as double) as outstanding_principal
    from loan_month
    where month_end = $as_of
        and state in ('current', '1-30', '31-60', '61-90', '90+')
),

banded as (
    select
        a.*,
        case
            when a.months_on_book <= 12 then a.months_on_book
            when a.months_on_book <= 18 then 13
            when a.months_on_book <= 24 then 19
            when a.months_on_book <= 36 then 25
            else 37
        end as age_band,
        l.grade,
        case
            when b.credit_score < 600 then 'lt600'
            when b.credit_score < 650 then '600-649'
            when b.credit_score < 700 then '650-699'
            when b.credit_score < 750 then '700-749'
            else 'ge750'
        end as score_band,
        l.channel,
        case
            when b.income_verified then 'verified'
            when not b.income_verified then 'not_verified'
            else 'unknown'
        end as income_verification
    from active as a
    inner join loans as l using (loan_id)
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
