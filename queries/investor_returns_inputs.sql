-- grain: one row per month-end from the investor's first investment month through $as_of
-- Monthly inputs of LendingClub's Net Annualized Return for investor $investor_id (docs/design.md §3,
-- docs/risk-model.md): the principal outstanding at the start of each month and what it earned.
--   start_principal        LendingClub's timing: a holding's principal counts from its first
--                          payment period, the month of the loan's first due date after the
--                          investment (the month after it when no due date is left), not the month
--                          it was bought, when no payment can arrive. Σ over holdings whose first
--                          payment month is on or before the month-end, in loans not charged off
--                          before the month: share x (principal - principal paid by every source
--                          up to the previous month-end), floored at 0
--                          (carried as a running sum of each holding's balance changes: opening at
--                          the investment month, principal repaid, write-off, so a holding costs a
--                          row per repayment month rather than one per month it is held)
--   interest_received,     the investor's share of interest and fees (late fees) of repayments in
--   fees_received,         the month made before charge-off (the cash of investor_cash_flows,
--   principal_received     which already drops cash after the claim is repaid in full)
--   charged_off_principal  share x principal not yet repaid by any source, for loans whose first
--                          charged_off event falls in the month (0 after a guarantor buy-out)
--   recoveries             share x collection cash received on or after the charge-off date
-- The investor's own cash of the month (investor_cash_flows.sql, recoveries included), for the totals
-- and XIRR of risk.investor_returns without a second pass over the repayments:
--   invested               holding amounts invested in the month
--   cash_principal,        the investor's share of principal, interest and fees of every claimed
--   cash_interest,         repayment in the month
--   cash_fees
--   flow_dates,            every cash flow of the month (list of dates, list of signed amounts:
--   flow_amounts           -holding amount, or principal + interest + fee), in no particular order
-- Columns: month_end, start_principal, interest_received, fees_received, principal_received,
--   charged_off_principal, recoveries, invested, cash_principal, cash_interest, cash_fees (currency
--   units), flow_dates, flow_amounts
-- key: month_end
-- holdings_as_of, held_repayments and claimed_repayments spelled out so that the plan starts from the
-- investor's holdings with their loans' principal, loan_no, earliest due date and charge-off date
-- (holding_book, stored by investor) and reads their repayments once (held_loan_repayments: a big
-- book's stored rows, else a semi-join on the integer loan_no). A holding's first due date after the investment is its loan's earliest
-- due date when it was bought before that; only a holding bought later (none in the demo) looks it up
-- in the schedule (loan_installment): with none, DuckDB skips that scan.
with

held as materialized (
    select
        holding_id,
        loan_id,
        loan_no,
        invested_on,
        cast(amount as double) as amount,
        cast(principal as double) as principal,
        cast(amount as double) / cast(principal as double) as share,
        first_due_on,
        charged_off_on
    from holding_book
    where investor_id = $investor_id and invested_on <= $as_of
),

charge_offs as (
    select distinct
        loan_no,
        charged_off_on
    from held
    where charged_off_on <= $as_of
),

loan_repayments as materialized (
    select
        loan_no,
        paid_on,
        source,
        cast(principal_paid as double) as principal_paid,
        cast(interest_paid as double) as interest_paid,
        cast(coalesce(fee_paid, 0) as double) as fee_paid,
        principal_paid_before
    from held_loan_repayments($investor_id, $as_of)
),

claimed as materialized (
    select
        h.holding_id,
        h.loan_id,
        h.invested_on,
        h.share,
        r.paid_on,
        last_day(r.paid_on) as month_end,
        r.source,
        r.principal_paid,
        r.interest_paid,
        r.fee_paid,
        c.charged_off_on is not null and r.paid_on >= c.charged_off_on as is_recovery
    from held as h
    inner join loan_repayments as r using (loan_no)
    left join charge_offs as c using (loan_no)
    where r.paid_on >= h.invested_on and r.principal_paid_before < h.principal - 0.005
),

months as (
    select cast(last_day(unnest(generate_series(
        cast(date_trunc('month', (select min(invested_on) from held)) as timestamp),
        cast(date_trunc('month', cast($as_of as date)) as timestamp),
        interval 1 month
    ))) as date) as month_end
),

monthly_principal as (
    select
        loan_no,
        last_day(paid_on) as month_end,
        sum(principal_paid) as principal_paid
    from loan_repayments
    group by loan_no, last_day(paid_on)
),

loan_months as (
    select
        loan_no,
        month_end,
        coalesce(sum(principal_paid) over (
            partition by loan_no
            order by month_end
            rows between unbounded preceding and 1 preceding
        ), 0) as paid_before_month,
        sum(principal_paid) over (partition by loan_no order by month_end) as paid_through_month
    from monthly_principal
),

bought_late as (
    select
        holding_id,
        loan_no,
        invested_on
    from held
    where invested_on >= first_due_on
),

first_dues as (
    select
        holding_id,
        first_due_on
    from held
    where invested_on < first_due_on
    union all
    select
        h.holding_id,
        min(s.due_on) as first_due_on
    from bought_late as h
    inner join loan_installment as s on s.loan_no = h.loan_no and s.due_on > h.invested_on
    group by h.holding_id
),

holding_spans as (
    select
        h.holding_id,
        h.loan_no,
        h.share,
        h.principal,
        cast(last_day(coalesce(f.first_due_on, h.invested_on + interval 1 month)) as date) as first_month,
        last_day(c.charged_off_on) as charge_off_month
    from held as h
    left join first_dues as f using (holding_id)
    left join charge_offs as c using (loan_no)
),

opening_balances as (
    select
        s.first_month as month_end,
        s.share * greatest(s.principal - coalesce(sum(p.principal_paid), 0), 0) as change
    from holding_spans as s
    left join monthly_principal as p on p.loan_no = s.loan_no and p.month_end < s.first_month
    where s.charge_off_month is null or s.charge_off_month >= s.first_month
    group by s.holding_id, s.first_month, s.share, s.principal
),

repaid_balances as (
    select
        last_day(m.month_end + interval 1 month) as month_end,
        s.share * (
            greatest(s.principal - m.paid_through_month, 0) - greatest(s.principal - m.paid_before_month, 0)
        ) as change
    from holding_spans as s
    inner join loan_months as m
        on m.loan_no = s.loan_no
        and m.month_end >= s.first_month
        and (s.charge_off_month is null or m.month_end < s.charge_off_month)
),

written_off_balances as (
    select
        last_day(s.charge_off_month + interval 1 month) as month_end,
        -s.share * greatest(s.principal - coalesce(sum(p.principal_paid), 0), 0) as change
    from holding_spans as s
    left join monthly_principal as p on p.loan_no = s.loan_no and p.month_end < s.charge_off_month
    where s.charge_off_month >= s.first_month
    group by s.holding_id, s.charge_off_month, s.share, s.principal
),

balance_changes as (
    select month_end, sum(change) as change
    from (
        select * from opening_balances
        union all
        select * from repaid_balances
        union all
        select * from written_off_balances
    )
    group by month_end
),

starting as (
    select
        m.month_end,
        sum(coalesce(b.change, 0)) over (order by m.month_end) as start_principal
    from months as m
    left join balance_changes as b using (month_end)
),

repaid_before_charge_off as (
    select
        r.loan_no,
        sum(r.principal_paid) as principal_paid
    from loan_repayments as r
    inner join charge_offs as c using (loan_no)
    where r.paid_on < c.charged_off_on
    group by r.loan_no
),

written_off as (
    select
        last_day(c.charged_off_on) as month_end,
        sum(h.share * greatest(h.principal - coalesce(b.principal_paid, 0), 0)) as charged_off_principal
    from charge_offs as c
    inner join held as h using (loan_no)
    left join repaid_before_charge_off as b using (loan_no)
    where c.charged_off_on >= h.invested_on
    group by last_day(c.charged_off_on)
),

received as (
    select
        month_end,
        sum(share * interest_paid) filter (where not is_recovery) as interest_received,
        sum(share * fee_paid) filter (where not is_recovery) as fees_received,
        sum(share * principal_paid) filter (where not is_recovery) as principal_received,
        sum(share * (principal_paid + interest_paid + fee_paid)) filter (where is_recovery) as recoveries,
        sum(share * principal_paid) as cash_principal,
        sum(share * interest_paid) as cash_interest,
        sum(share * fee_paid) as cash_fees,
        list(paid_on) as flow_dates,
        list(share * principal_paid + share * interest_paid + share * fee_paid) as flow_amounts
    from claimed
    group by month_end
),

investments as (
    select
        last_day(invested_on) as month_end,
        sum(amount) as invested,
        list(invested_on) as flow_dates,
        list(-amount) as flow_amounts
    from held
    group by last_day(invested_on)
)

select
    m.month_end,
    cast(coalesce(s.start_principal, 0) as double) as start_principal,
    cast(coalesce(r.interest_received, 0) as double) as interest_received,
    cast(coalesce(r.fees_received, 0) as double) as fees_received,
    cast(coalesce(r.principal_received, 0) as double) as principal_received,
    cast(coalesce(w.charged_off_principal, 0) as double) as charged_off_principal,
    cast(coalesce(r.recoveries, 0) as double) as recoveries,
    cast(coalesce(i.invested, 0) as double) as invested,
    cast(coalesce(r.cash_principal, 0) as double) as cash_principal,
    cast(coalesce(r.cash_interest, 0) as double) as cash_interest,
    cast(coalesce(r.cash_fees, 0) as double) as cash_fees,
    list_concat(coalesce(i.flow_dates, []), coalesce(r.flow_dates, [])) as flow_dates,
    list_concat(coalesce(i.flow_amounts, []), coalesce(r.flow_amounts, [])) as flow_amounts
from months as m
left join starting as s using (month_end)
left join received as r using (month_end)
left join written_off as w using (month_end)
left join investments as i using (month_end)
order by m.month_end
