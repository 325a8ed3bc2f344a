-- grain: one row: the end of observation of the store
-- observed_to = the date recorded in meta when the store was built (loan_month runs to it), else
-- the last month-end on the loan_month tape; null in an empty store.
-- Columns:
--   observed_to  the last month-end observed (date)
-- key: one row
select coalesce(
    (select cast(value as date) from meta where key = 'observed_to'),
    (select max(month_end) from loan_month)
) as observed_to
