-- grain: one row per month-end D in [$from, $to] with a loan active then (current .. 90+)
-- What the back-test compares predictions with: of the loans active on the loan_month tape at D,
-- those charged off in (D, D + $horizon_months months] (first charged_off event), the principal
-- written off and the collection recoveries on them received on or after the charge-off and on or
-- before D + $horizon_months months.
--   charged-off principal = the event's amount, else the principal not yet repaid by borrower and
--   collection cash before the charge-off date (the loan_write_off view, as the LGD uses).
-- Columns:
--   month_end              the prediction date D
--   active_loans           loans active at D
--   outstanding_principal  their outstanding principal at D, currency units
--   charged_off_loans      of them, loans charged off within the horizon
--   charged_off_principal  principal written off, currency units
--   recoveries             collection cash on those loans within the horizon, currency units
--   realised_loss          charged_off_principal - recoveries
-- key: month_end
with

active as (
    select
        loan_id,
        month_end,
        cast(outstanding_principal as double) as outstanding_principal,
        last_day(month_end + to_months(cast($horizon_months as integer))) as horizon_end
    from loan_month
    where month_end >= $from
        and month_end <= $to
        and is_active_state(state)
),

book as (
    select
        month_end,
        count(*) as active_loans,
        sum(outstanding_principal) as outstanding_principal
    from active
    group by month_end
),

defaulted as (
    select
        a.month_end,
        a.horizon_end,
        w.loan_id,
        w.charged_off_on,
        w.principal_written_off as principal
    from active as a
    inner join loan_write_off as w using (loan_id)
    where w.charged_off_on > a.month_end and w.charged_off_on <= a.horizon_end
),

recovered as (
    select
        d.month_end,
        d.loan_id,
        sum(cast(r.principal_paid + r.interest_paid as double)) as recoveries
    from defaulted as d
    inner join recovery as r using (loan_id)
    where r.paid_on <= d.horizon_end
    group by d.month_end, d.loan_id
),

losses as (
    select
        d.month_end,
        count(*) as charged_off_loans,
        sum(d.principal) as charged_off_principal,
        sum(coalesce(r.recoveries, 0)) as recoveries
    from defaulted as d
    left join recovered as r using (month_end, loan_id)
    group by d.month_end
)

select
    b.month_end,
    cast(b.active_loans as bigint) as active_loans,
    cast(b.outstanding_principal as double) as outstanding_principal,
    cast(coalesce(l.charged_off_loans, 0) as bigint) as charged_off_loans,
    cast(coalesce(l.charged_off_principal, 0) as double) as charged_off_principal,
    cast(coalesce(l.recoveries, 0) as double) as recoveries,
    cast(coalesce(l.charged_off_principal, 0) - coalesce(l.recoveries, 0) as double) as realised_loss
from book as b
left join losses as l using (month_end)
order by b.month_end
