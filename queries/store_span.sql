-- grain: one row for the whole store
-- The dates the store covers. Columns: first_originated_on, last_originated_on (DATE, null when there
-- are no loans), first_month_end, last_month_end (DATE: the performance tape's month-ends)
-- key: one row
select
    (select min(originated_on) from loans) as first_originated_on,
    (select max(originated_on) from loans) as last_originated_on,
    (select min(month_end) from loan_month) as first_month_end,
    (select max(month_end) from loan_month) as last_month_end
