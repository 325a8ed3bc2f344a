-- grain: one row per holding
-- Each holding with what the investor-scoped queries read of its loan: the loan's terms (loans), its
-- integer key (loan_key) and its FINAL row on the loan_month tape (the row of the month-end at which
-- it was paid off or charged off, else its row at $observed_to), stored by investor. An investor's
-- few thousand loans lie all over loans, loan_key and the tape, so reaching them by semi-join scans
-- those tables whole at ten million loans; here they sit in the investor's few row groups. The state
-- of a loan at a month-end m is its final row when final_month_end <= m, else its tape row at m (the
-- tape holds every month-end from origination to the final row), so a query reads at most one month
-- of the tape (holding_tape_until, queries/schema/after_marts/003_tape.sql).
-- Columns:
--   holding_id, investor_id, loan_id, invested_on, amount   as in holdings (amount DECIMAL(18,2))
--   loan_no                                                  the loan's integer key (loan_key)
--   borrower_id, grade, product, channel, repayment_method, annual_rate, term_months, principal
--                                                            as in loans
--   guarantee                                                loans.guarantee, null as 'none'
--   final_month_end, final_state, final_dpd, final_months_on_book, final_outstanding_principal,
--   final_past_due_amount, final_guarantor_paid_to_date, final_guarantor_principal_to_date
--                                                            the loan's final tape row (null when
--                                                            the loan is not on the tape)
--   first_due_on                                             the loan's earliest due date
--                                                            (loan_installment; null: no schedule)
--   charged_off_on                                           the date of the loan's first
--                                                            charged_off event (charge_off; null:
--                                                            never charged off)
-- The last two spare investor_returns_inputs.sql a pass over the 134 M schedule rows (a holding's
-- first payment month is that of its loan's first due date after the investment: first_due_on
-- whenever the holding was bought before it) and a join of the charge-offs by loan_id text.
-- key: holding_id
create table holding_book as
with

final_rows as (
    select
        loan_no,
        month_end,
        state,
        dpd,
        months_on_book,
        outstanding_principal,
        past_due_amount,
        guarantor_paid_to_date,
        guarantor_principal_to_date
    from loan_month
    where month_end = $observed_to or state in ('paid_off', 'charged_off')
),

first_dues as (
    select
        loan_no,
        min(due_on) as first_due_on
    from loan_installment
    group by loan_no
),

loan_terms as (
    select
        l.loan_id,
        k.loan_no,
        l.borrower_id,
        l.grade,
        l.product,
        l.channel,
        coalesce(l.guarantee, 'none') as guarantee,
        l.repayment_method,
        l.annual_rate,
        l.term_months,
        l.principal,
        f.month_end as final_month_end,
        f.state as final_state,
        f.dpd as final_dpd,
        f.months_on_book as final_months_on_book,
        f.outstanding_principal as final_outstanding_principal,
        f.past_due_amount as final_past_due_amount,
        f.guarantor_paid_to_date as final_guarantor_paid_to_date,
        f.guarantor_principal_to_date as final_guarantor_principal_to_date,
        d.first_due_on,
        c.charged_off_on
    from loans as l
    inner join loan_key as k using (loan_id)
    left join final_rows as f using (loan_no)
    left join first_dues as d using (loan_no)
    left join charge_off as c using (loan_id)
)

select
    h.holding_id,
    h.investor_id,
    h.loan_id,
    h.invested_on,
    h.amount,
    t.loan_no,
    t.borrower_id,
    t.grade,
    t.product,
    t.channel,
    t.guarantee,
    t.repayment_method,
    t.annual_rate,
    t.term_months,
    t.principal,
    t.final_month_end,
    t.final_state,
    t.final_dpd,
    t.final_months_on_book,
    t.final_outstanding_principal,
    t.final_past_due_amount,
    t.final_guarantor_paid_to_date,
    t.final_guarantor_principal_to_date,
    t.first_due_on,
    t.charged_off_on
from holdings as h
inner join loan_terms as t using (loan_id)
order by investor_id, holding_id
