-- grain: one row per investor with at least $big_book_holdings holdings x month-end on the tape at which
-- the investor has exposure
-- The big books' overdue trend (queries/investor_overdue_trend.sql) stored by investor: a book of
-- thousands of loans has rows in every row group of the loan_month tape, so reading it by loan_no scans
-- the whole tape (463 ms for 9,631 loans at ten million loans); here it is a few hundred rows. Smaller
-- books read the tape (their rows are few). The figures are the trend query's per month: exposure is
-- share of the loan (holdings invested on or before the month-end) x claim (outstanding principal -
-- guarantor principal paid, not below 0) for loans active at the month-end with a claim above 0.005.
-- An investor's holdings in a loan are summed by the month-end from which they count (one step per
-- month-end invested in, nearly always one), so each tape row meets one share of the loan and the join
-- needs no second grouping by loan.
-- Columns (amounts in currency units, double):
--   investor_id, month_end
--   held_loans         active loans in which the investor has exposure
--   exposure           the investor's exposure in them
--   overdue_exposure   exposure in loans with DPD >= 1
--   m3plus_exposure    exposure in loans with DPD > 90
-- key: investor_id, month_end
create table investor_month as
with

big_books as (
    select investor_id
    from holding_book
    group by investor_id
    having count(*) >= $big_book_holdings
),

-- what the investor has put into each loan by each month-end it invested in
invested as (
    select
        investor_id,
        loan_no,
        last_day(invested_on) as from_month,
        sum(cast(amount as double)) as amount,
        any_value(cast(principal as double)) as principal
    from holding_book
    where investor_id in (select investor_id from big_books)
    group by investor_id, loan_no, last_day(invested_on)
),

-- the investor's share of the loan from one such month-end until the next
shares as (
    select
        investor_id,
        loan_no,
        from_month,
        coalesce(lead(from_month) over pair, date '9999-12-31') as until_month,
        sum(amount) over pair / principal as share_of_loan
    from invested
    window pair as (partition by investor_id, loan_no order by from_month)
),

tape as (
    select
        loan_no,
        month_end,
        state,
        greatest(cast(outstanding_principal as double) - cast(guarantor_principal_to_date as double), 0)
            as claim
    from loan_month
    where is_active_state(state)
),

exposures as (
    select
        s.investor_id,
        t.month_end,
        t.state,
        s.share_of_loan * t.claim as exposure
    from tape as t
    inner join shares as s
        on s.loan_no = t.loan_no and s.from_month <= t.month_end and t.month_end < s.until_month
    where t.claim > 0.005
)

select
    investor_id,
    month_end,
    count(*) as held_loans,
    sum(exposure) as exposure,
    coalesce(sum(case when state <> 'current' then exposure end), 0) as overdue_exposure,
    coalesce(sum(case when state = '90+' then exposure end), 0) as m3plus_exposure
from exposures
group by investor_id, month_end
order by investor_id, month_end
