-- grain: one row per month-end x months on book x grade x score band x channel x income verification x originated_late of the active book on the loan_month tape
-- The active book (current .. 90+) at every month-end in the cells the cause attribution compares
-- (attribution_cells) and the lagged overdue rates split by age (lagged_overdue_rates), built once per
-- store after loan_month: those queries read a few thousand rows per month-end instead of pairing the
-- tape's month slice with the loans and borrowers. Sums are exact (decimal), rounded once when read.
-- Columns:
--   month_end              the month-end
--   months_on_book         months from the origination month-end to month_end (as on the tape)
--   grade                  A..G
--   score_band             borrower credit score: lt600, 600-649, 650-699, 700-749, ge750 (score_band)
--   channel                platform, institution
--   income_verification    verified, not_verified, unknown (income_verification)
--   originated_late        the loan's origination day of month is after month_end's (only a loan
--                          months_on_book months old at month_end originated on such a day is not
--                          yet that many months old by month_end - months_on_book months, clamped)
--   loans                  active loans
--   outstanding_principal  Σ outstanding principal, currency units, DECIMAL(18, 2)
--   overdue_balance        Σ of it over loans with DPD >= 1 (state other than current), 0 when none
--   m3plus_balance         Σ of it over loans with DPD > 90 (state 90+), 0 when none
create table book_cell as
with

described as (
    select
        k.loan_no,
        l.grade,
        l.channel,
        day(l.originated_on) as origination_day,
        case
            when b.credit_score < 600 then 'lt600'
            when b.credit_score < 650 then '600-649'
            when b.credit_score < 700 then '650-699'
            when b.credit_score < 750 then '700-749'
            else 'ge750'
        end as score_band,
        case
            when b.income_verified then 'verified'
            when not b.income_verified then 'not_verified'
            else 'unknown'
        end as income_verification
    from loans as l
    inner join loan_key as k using (loan_id)
    inner join borrowers as b using (borrower_id)
),

cell as (
    select
        dense_rank() over (order by grade, score_band, channel, income_verification) as cell_no,
        grade,
        score_band,
        channel,
        income_verification
    from (select distinct grade, score_band, channel, income_verification from described)
),

coded as (
    select
        d.loan_no,
        c.cell_no,
        d.origination_day
    from described as d
    inner join cell as c
        on c.grade is not distinct from d.grade
        and c.score_band = d.score_band
        and c.channel is not distinct from d.channel
        and c.income_verification = d.income_verification
),

summed as (
    select
        m.month_end,
        m.months_on_book,
        d.cell_no,
        d.origination_day > day(m.month_end) as originated_late,
        count(*) as loans,
        sum(m.outstanding_principal) as outstanding_principal,
        coalesce(sum(m.outstanding_principal) filter (where m.state <> 'current'), 0) as overdue_balance,
        coalesce(sum(m.outstanding_principal) filter (where m.state = '90+'), 0) as m3plus_balance
    from loan_month as m
    inner join coded as d using (loan_no)
    where m.state in ('current', '1-30', '31-60', '61-90', '90+')
    group by m.month_end, m.months_on_book, d.cell_no, d.origination_day > day(m.month_end)
)

select
    s.month_end,
    cast(s.months_on_book as integer) as months_on_book,
    c.grade,
    c.score_band,
    c.channel,
    c.income_verification,
    s.originated_late,
    cast(s.loans as bigint) as loans,
    cast(s.outstanding_principal as decimal(18, 2)) as outstanding_principal,
    cast(s.overdue_balance as decimal(18, 2)) as overdue_balance,
    cast(s.m3plus_balance as decimal(18, 2)) as m3plus_balance
from summed as s
inner join cell as c using (cell_no)
order by month_end, months_on_book, grade, score_band, channel, income_verification, originated_late
