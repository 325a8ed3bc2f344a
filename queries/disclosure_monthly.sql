-- grain: one row: the platform's monthly disclosure at the month-end $month_end
-- The operating items of the 2017 disclosure guideline for online lending intermediaries
-- (网络借贷信息中介机构业务活动信息披露指引, art. 10) and the industry standard's derived items, as of
-- the end of day $month_end. "Active" = state current..90+ on the loan_month tape at $month_end;
-- outstanding principal and DPD follow docs/design.md §3 (guarantor payments do not cure a borrower).
-- Amounts in currency units, counts in loans or people, shares and rates as fractions 0..1 (0 when
-- the denominator is 0). Related-party loans (关联关系借款余额及笔数) are not in the canonical tables.
-- Every rate and average is a disclosed item over a disclosed item (the guideline's definitions,
-- docs/definitions.md "Disclosure"): 逾期金额 and 借贷余额 are both principal balances, so
-- 金额逾期率 = 逾期金额 / 借贷余额 can be checked from the report itself. The shares' parts that are
-- not items themselves are returned as base columns (*_outstanding, *_claims) shown beside them.
-- Read from the marts: the cumulative items from disclosure_month (month by month), the active book
-- from loan_month with loan_contract (borrower, the borrower's number of loans, principal, contract
-- interest); the lenders' exposures from lender_exposure at the end of observation, else from the
-- holdings meeting the month-end's claims.
-- Columns:
--   month_end                       披露月末 the month-end reported
--   cumulative_lending_amount       累计借贷金额 principal of every loan originated on or before it
--   cumulative_lending_count        累计借贷笔数 number of those loans
--   outstanding_amount              借贷余额 outstanding principal of active loans
--   outstanding_count               借贷余额笔数 number of active loans
--   interest_outstanding            利息余额 contractual interest not yet paid on active loans
--                                   (Σ interest_due of the whole schedule - interest paid by the
--                                   borrower and collection so far, per loan, not below 0)
--   cumulative_lenders              累计出借人数量 investors with a holding invested on or before it
--   current_lenders                 当前出借人数量 investors with exposure above 0 in an active loan
--                                   (exposure = share x (principal - principal paid by every source))
--   cumulative_borrowers            累计借款人数量 borrowers with a loan originated on or before it
--   current_borrowers               当前借款人数量 borrowers with an active loan
--   avg_borrowing_per_borrower      人均累计借款金额 cumulative_lending_amount / cumulative_borrowers
--   avg_lending_per_lender          人均累计出借金额 cumulative_lending_amount / cumulative_lenders
--   top10_borrower_share            前十大借款人待还金额占比 ten largest borrowers' outstanding / outstanding_amount
--   largest_borrower_share          最大单一借款人待还金额占比 largest borrower's outstanding / outstanding_amount
--   top10_lender_share              前十大出借人待收金额占比 ten largest investors' exposure / all exposure
--   largest_lender_share            最大单一出借人待收金额占比 largest investor's exposure / all exposure
--   overdue_amount                  逾期金额 outstanding principal of active loans with DPD >= 1 (the
--                                   whole unpaid principal of an overdue loan, as 借贷余额 counts it;
--                                   not only the missed installments)
--   overdue_count                   逾期笔数 active loans with DPD >= 1
--   overdue_90_amount               逾期90天(不含)以上金额 outstanding principal of active loans with DPD > 90
--   overdue_90_count                逾期90天(不含)以上笔数 active loans with DPD > 90
--   cumulative_compensation_amount  累计代偿金额 guarantor payments (principal + interest) on or before it
--   cumulative_compensation_count   累计代偿笔数 loans with a guarantor payment on or before it
--   project_overdue_rate            项目逾期率 overdue_count / outstanding_count
--   amount_overdue_rate             金额逾期率 overdue_amount / outstanding_amount
-- Bases of the shares (not items of the guideline, shown with them):
--   top10_borrower_outstanding      outstanding principal of the ten largest borrowers
--   largest_borrower_outstanding    outstanding principal of the largest borrower
--   lender_claims                   出借人待收本金 all investors' exposure in active loans
--   top10_lender_claims             the ten largest investors' exposure
--   largest_lender_claims           the largest investor's exposure
-- key: one row
with

-- the cumulative items: the disclosure_month mart's rows up to $month_end (a month-end)
so_far as (
    select
        cast(coalesce(sum(loans_originated), 0) as bigint) as cumulative_lending_count,
        coalesce(sum(principal_originated), 0) as cumulative_lending_amount,
        cast(coalesce(sum(new_borrowers), 0) as bigint) as cumulative_borrowers,
        cast(coalesce(sum(new_lenders), 0) as bigint) as cumulative_lenders,
        cast(coalesce(sum(new_compensated_loans), 0) as bigint) as cumulative_compensation_count,
        coalesce(sum(compensation_paid), 0) as cumulative_compensation_amount
    from disclosure_month
    where month_end <= $month_end
),

lending as (
    select
        cumulative_lending_count,
        cumulative_lending_amount,
        cumulative_borrowers
    from so_far
),

-- the active book at $month_end with each loan's borrower, principal and contract interest
-- (loan_contract, matched by the integer loan_no)
active as (
    select
        m.loan_id,
        m.loan_no,
        c.borrower_id,
        c.borrower_loans,
        cast(c.principal as double) as principal,
        m.dpd,
        cast(m.outstanding_principal as double) as outstanding_principal,
        cast(m.past_due_amount as double) as past_due_amount,
        cast(m.interest_paid_to_date as double) as interest_paid_to_date,
        cast(m.guarantor_principal_to_date as double) as guarantor_principal,
        cast(c.contract_interest as double) as interest_due
    from loan_month as m
    inner join loan_contract as c using (loan_no)
    where m.month_end = $month_end
        and is_active_state(m.state)
),

book as (
    select
        count(*) as outstanding_count,
        coalesce(sum(outstanding_principal), 0) as outstanding_amount,
        coalesce(sum(greatest(interest_due - interest_paid_to_date, 0)), 0) as interest_outstanding,
        count(*) filter (where dpd >= 1) as overdue_count,
        coalesce(sum(outstanding_principal) filter (where dpd >= 1), 0) as overdue_amount,
        count(*) filter (where dpd > 90) as overdue_90_count,
        coalesce(sum(outstanding_principal) filter (where dpd > 90), 0) as overdue_90_amount
    from active
),

-- each borrower's outstanding: a borrower with one loan (nine in ten) owes that loan's, so only the
-- loans of borrowers with more than one are added up by borrower (a hash table of 2.5 M borrowers at
-- ten million loans becomes one of about 0.3 M)
borrower_outstanding as (
    select
        borrower_id,
        sum(outstanding_principal) as outstanding
    from active
    where borrower_loans > 1
    group by borrower_id
    union all
    select
        borrower_id,
        outstanding_principal as outstanding
    from active
    where borrower_loans = 1
),

-- the ten largest by a top-n (not a window over every borrower); ties have equal amounts, so which
-- of them is taken does not change the sum
top_borrowers as (
    select outstanding
    from borrower_outstanding
    order by outstanding desc
    limit 10
),

borrower_concentration as (
    select
        count(borrower_id) as current_borrowers,
        (select coalesce(sum(outstanding), 0) from top_borrowers) as top10_borrower_outstanding,
        coalesce(max(outstanding), 0) as largest_borrower_outstanding
    from borrower_outstanding
),

lenders as (
    select cumulative_lenders
    from so_far
),

compensation as (
    select
        cumulative_compensation_count,
        cumulative_compensation_amount
    from so_far
),

-- each active loan's claim (outstanding principal less guarantor principal paid by $month_end, as
-- on the tape; not below 0), worked out once per loan; loans with no claim are left out. Only before
-- the end of observation (the tape has the next month-end): there an active loan's final row is later
-- than $month_end (the tape holds every month-end from origination to the final row, which is closed
-- or at the end of observation). At the end of observation lender_exposure has the exposures.
later_claims as (
    select
        loan_no,
        principal,
        greatest(outstanding_principal - guarantor_principal, 0) as claim
    from active
    where greatest(outstanding_principal - guarantor_principal, 0) > 0
        and exists (
            select 1
            from loan_month
            where month_end = last_day(cast($month_end as date) + interval 1 day)
        )
),

-- every holding invested by $month_end in a loan active at $month_end, with its exposure = amount /
-- principal x claim, summed by investor. holding_book carries each loan's final tape row: a loan
-- whose final row is at $month_end is active there when that row's state is, which happens only at
-- the end of observation, where lender_exposure holds each investor's sum of them; a loan whose final
-- row is earlier is closed; the holdings of loans whose final row is later meet the month-end's claims
-- (later_claims, empty at the end of observation, so the two parts never hold the same investor).
-- Exposures of 0 (no claim left) add nothing to an investor's sum and an investor with no more is
-- left out below (exposure > 0.005).
tape_exposures as (
    select
        h.investor_id,
        cast(h.amount as double) / c.principal * c.claim as exposure
    from holding_book as h
    inner join later_claims as c using (loan_no)
    where h.final_month_end > $month_end and h.invested_on <= $month_end
),

investor_exposures as (
    select
        investor_id,
        exposure
    from lender_exposure
    where month_end = $month_end
    union all
    select
        investor_id,
        sum(exposure) as exposure
    from tape_exposures
    group by investor_id
),

investor_claims as (
    select
        investor_id,
        exposure
    from investor_exposures
    where exposure > 0.005
),

top_investors as (
    select exposure
    from investor_claims
    order by exposure desc, investor_id
    limit 10
),

lender_concentration as (
    select
        count(*) as current_lenders,
        coalesce(sum(exposure), 0) as total_exposure,
        (select coalesce(sum(exposure), 0) from top_investors) as top10_lender_exposure,
        coalesce(max(exposure), 0) as largest_lender_exposure
    from investor_claims
)

select
    cast($month_end as date) as month_end,
    cast(g.cumulative_lending_amount as double) as cumulative_lending_amount,
    cast(g.cumulative_lending_count as bigint) as cumulative_lending_count,
    cast(round(b.outstanding_amount, 2) as double) as outstanding_amount,
    cast(b.outstanding_count as bigint) as outstanding_count,
    cast(round(b.interest_outstanding, 2) as double) as interest_outstanding,
    cast(n.cumulative_lenders as bigint) as cumulative_lenders,
    cast(c.current_lenders as bigint) as current_lenders,
    cast(g.cumulative_borrowers as bigint) as cumulative_borrowers,
    cast(bc.current_borrowers as bigint) as current_borrowers,
    coalesce(cast(g.cumulative_lending_amount as double) / nullif(g.cumulative_borrowers, 0), 0)
        as avg_borrowing_per_borrower,
    coalesce(cast(g.cumulative_lending_amount as double) / nullif(n.cumulative_lenders, 0), 0)
        as avg_lending_per_lender,
    coalesce(round(bc.top10_borrower_outstanding, 2) / nullif(round(b.outstanding_amount, 2), 0), 0)
        as top10_borrower_share,
    coalesce(round(bc.largest_borrower_outstanding, 2) / nullif(round(b.outstanding_amount, 2), 0), 0)
        as largest_borrower_share,
    coalesce(round(c.top10_lender_exposure, 2) / nullif(round(c.total_exposure, 2), 0), 0) as top10_lender_share,
    coalesce(round(c.largest_lender_exposure, 2) / nullif(round(c.total_exposure, 2), 0), 0)
        as largest_lender_share,
    cast(round(b.overdue_amount, 2) as double) as overdue_amount,
    cast(b.overdue_count as bigint) as overdue_count,
    cast(round(b.overdue_90_amount, 2) as double) as overdue_90_amount,
    cast(b.overdue_90_count as bigint) as overdue_90_count,
    cast(round(p.cumulative_compensation_amount, 2) as double) as cumulative_compensation_amount,
    cast(p.cumulative_compensation_count as bigint) as cumulative_compensation_count,
    coalesce(b.overdue_count / nullif(b.outstanding_count, 0), 0) as project_overdue_rate,
    coalesce(round(b.overdue_amount, 2) / nullif(round(b.outstanding_amount, 2), 0), 0) as amount_overdue_rate,
    cast(round(bc.top10_borrower_outstanding, 2) as double) as top10_borrower_outstanding,
    cast(round(bc.largest_borrower_outstanding, 2) as double) as largest_borrower_outstanding,
    cast(round(c.total_exposure, 2) as double) as lender_claims,
    cast(round(c.top10_lender_exposure, 2) as double) as top10_lender_claims,
    cast(round(c.largest_lender_exposure, 2) as double) as largest_lender_claims
from lending as g, book as b, borrower_concentration as bc, lenders as n, compensation as p,
    lender_concentration as c
