-- grain: one row per canonical table and mart of the store (fixed list, fixed order)
-- What the store holds, counted live. Columns: table_name, table_order (display order), row_count
select 'borrowers' as table_name, 1 as table_order, count(*) as row_count from borrowers
union all select 'loans', 2, count(*) from loans
union all select 'schedule', 3, count(*) from schedule
union all select 'repayments', 4, count(*) from repayments
union all select 'loan_events', 5, count(*) from loan_events
union all select 'investors', 6, count(*) from investors
union all select 'holdings', 7, count(*) from holdings
union all select 'macro', 8, count(*) from macro
union all select 'reserve_fund', 9, count(*) from reserve_fund
union all select 'users', 10, count(*) from users
union all select 'loan_month', 11, count(*) from loan_month
union all select 'loan_transition', 12, count(*) from loan_transition
order by table_order
