-- grain: one row: overdue figures at $month_end once guarantor buy-outs (代偿) are treated as settling
-- The rates many platforms disclose "after compensation": a loan's claim is its investors' exposure
-- = outstanding principal (borrower and collection principal, docs/design.md §3) - guarantor principal
-- paid on or before $month_end, not below 0. Active loans (current .. 90+ on the loan_month tape)
-- whose claim is 0.005 or less drop out of numerator and denominator; amounts use the claim.
-- Compare with disclosure_monthly, which never lets a guarantor payment hide an overdue loan.
-- Columns (amounts in currency units, rates fractions 0..1, 0 when the denominator is 0):
--   outstanding_count     active loans with a claim left
--   outstanding_amount    their claims
--   overdue_count         of them, loans with DPD >= 1
--   overdue_balance       their claims
--   overdue_90_count      of them, loans with DPD > 90
--   overdue_90_balance    their claims
--   project_overdue_rate  overdue_count / outstanding_count
--   amount_overdue_rate   overdue_balance / outstanding_amount
--   m3plus_rate           overdue_90_balance / outstanding_amount
-- key: one row
with

open_claims as (
    select
        dpd,
        claim
    from active_tape($month_end)
    where claim > 0.005
),

totals as (
    select
        count(*) as outstanding_count,
        coalesce(sum(claim), 0) as outstanding_amount,
        count(*) filter (where dpd >= 1) as overdue_count,
        coalesce(sum(claim) filter (where dpd >= 1), 0) as overdue_balance,
        count(*) filter (where dpd > 90) as overdue_90_count,
        coalesce(sum(claim) filter (where dpd > 90), 0) as overdue_90_balance
    from open_claims
)

select
    cast(outstanding_count as bigint) as outstanding_count,
    cast(round(outstanding_amount, 2) as double) as outstanding_amount,
    cast(overdue_count as bigint) as overdue_count,
    cast(round(overdue_balance, 2) as double) as overdue_balance,
    cast(overdue_90_count as bigint) as overdue_90_count,
    cast(round(overdue_90_balance, 2) as double) as overdue_90_balance,
    coalesce(overdue_count / nullif(outstanding_count, 0), 0) as project_overdue_rate,
    coalesce(overdue_balance / nullif(outstanding_amount, 0), 0) as amount_overdue_rate,
    coalesce(overdue_90_balance / nullif(outstanding_amount, 0), 0) as m3plus_rate
from totals
