-- grain: one row per month-end with a charge-off event, a collection or guarantor repayment or an origination
-- The platform's flows month by month, built once per store (canonical tables only): the platform
-- trend (overdue_trend) and the reserve history (reserve_history) read a row per month instead of
-- scanning every loan event, repayment and loan. Sums are exact (decimal).
-- Columns:
--   month_end              the month-end (last day of the month of the event, payment or origination)
--   charged_off_principal  Σ amount of charged_off events dated in the month (null when every amount is
--                          null; null too when there is none), DECIMAL currency units
--   recoveries             Σ principal + interest paid by collection in the month (null when none)
--   guarantor_paid         Σ principal + interest paid by the guarantor in the month (null when none)
--   originated_loans       loans originated in the month (null when none)
--   originated_principal   Σ their principal (null when none)
create table month_flow as
with

charge_offs as (
    select
        last_day(event_on) as month_end,
        sum(amount) as charged_off_principal
    from loan_events
    where kind = 'charged_off'
    group by last_day(event_on)
),

cash as (
    select
        last_day(paid_on) as month_end,
        sum(principal_paid + interest_paid) filter (where source = 'collection') as recoveries,
        sum(principal_paid + interest_paid) filter (where source = 'guarantor') as guarantor_paid
    from repayments
    where source in ('collection', 'guarantor')
    group by last_day(paid_on)
),

originations as (
    select
        last_day(originated_on) as month_end,
        cast(count(*) as bigint) as originated_loans,
        sum(principal) as originated_principal
    from loans
    group by last_day(originated_on)
),

months as (
    select month_end from charge_offs
    union
    select month_end from cash
    union
    select month_end from originations
)

select
    month_end,
    c.charged_off_principal,
    r.recoveries,
    r.guarantor_paid,
    o.originated_loans,
    o.originated_principal
from months
left join charge_offs as c using (month_end)
left join cash as r using (month_end)
left join originations as o using (month_end)
order by month_end
