-- Macros and views over the marts (the loan_month tape, loan_transition): the steps many query files
-- share, as 002_views.sql has them for the canonical tables. store.build_marts runs this file once
-- the marts are built (DuckDB binds a macro or a view when it is created); a table macro is inlined
-- into the query that calls it, so the query's own filters push down as they did in a CTE.

-- grain: one row per loan x month-end on or before day at which the loan is active (current .. 90+)
-- on the loan_month tape (a table macro: active_tape_until($as_of))
-- Columns:
--   month_end, loan_id, loan_no, state, dpd, months_on_book   as on the tape
--   outstanding_principal   principal - borrower and collection principal paid (currency units, double)
--   past_due_amount         unpaid part of installments due (double)
--   interest_paid_to_date, guarantor_paid_to_date   (double)
--   guarantor_principal     guarantor principal paid so far (double)
--   claim                   the investors' claim: outstanding_principal - guarantor_principal, not
--                           below 0 (a guarantor buy-out takes it to 0)
create or replace macro active_tape_until(day) as table
select
    month_end,
    loan_id,
    loan_no,
    state,
    dpd,
    months_on_book,
    cast(outstanding_principal as double) as outstanding_principal,
    cast(past_due_amount as double) as past_due_amount,
    cast(interest_paid_to_date as double) as interest_paid_to_date,
    cast(guarantor_paid_to_date as double) as guarantor_paid_to_date,
    cast(guarantor_principal_to_date as double) as guarantor_principal,
    greatest(
        cast(outstanding_principal as double) - cast(guarantor_principal_to_date as double), 0
    ) as claim
from loan_month
where month_end <= day and is_active_state(state);

-- grain: one row per loan active at the month-end day (active_tape($as_of))
-- Columns: those of active_tape_until but month_end
create or replace macro active_tape(day) as table
select * exclude (month_end)
from active_tape_until(day)
where month_end = day;

-- grain: one row per loan active at the month-end day (active_loans($as_of)): active_tape with the
-- loan's descriptors
-- Columns: those of active_tape, and borrower_id, grade, product, channel,
--   guarantee (none / reserve / partner), principal (double), term_months,
--   remaining_months (installments not yet due: term_months - months on book, floored at 0)
create or replace macro active_loans(day) as table
select
    a.*,
    l.borrower_id,
    l.grade,
    l.product,
    l.channel,
    coalesce(l.guarantee, 'none') as guarantee,
    cast(l.principal as double) as principal,
    l.term_months,
    cast(greatest(l.term_months - a.months_on_book, 0) as integer) as remaining_months
from active_tape(day) as a
inner join loans as l using (loan_id);

-- grain: one row per loan active at the month-end day (loan_risk_profile($as_of))
-- What expected loss needs per loan (lendrisk.risk): loan_id, grade, product, guarantee, state, dpd,
--   remaining_months, outstanding_principal (the platform's EAD), claim (the investors'), as in
--   active_loans
create or replace macro loan_risk_profile(day) as table
select
    loan_id,
    grade,
    product,
    guarantee,
    state,
    dpd,
    remaining_months,
    outstanding_principal,
    claim
from active_loans(day);

-- grain: one row per holding of investor inv (invested on or before day) in a loan active at the
-- month-end day with a claim above 0.005 (held_exposures($investor_id, $as_of))
-- Columns: holding_id, loan_risk_profile's columns with share (holding amount / principal) before
--   outstanding_principal, and exposure (share x claim, currency units, double)
create or replace macro held_exposures(inv, day) as table
select
    h.holding_id,
    p.* exclude (outstanding_principal, claim),
    h.share,
    p.outstanding_principal,
    p.claim,
    h.share * p.claim as exposure
from holdings_as_of(inv, day) as h
inner join loan_risk_profile(day) as p using (loan_id)
where p.claim > 0.005;

-- grain: one row per loan that was 90+ or charged_off at some month-end on the tape
-- A loan defaults at the first month-end at which it is 90+ or charged_off (docs/design.md §3).
-- Columns: loan_id, default_month (that month-end), default_months_on_book (its months on book),
--   principal_at_default (outstanding principal there, DECIMAL(18,2) currency units)
create or replace view loan_default as
select
    loan_id,
    min(month_end) as default_month,
    arg_min(months_on_book, month_end) as default_months_on_book,
    arg_min(outstanding_principal, month_end) as principal_at_default
from loan_month
where state in ('90+', 'charged_off')
group by loan_id;

-- grain: one row per loan_transition row whose later month-end m + 1 is in (last_day(day - lookback
-- months), day] (transitions_to($as_of, $lookback_months)): the window roll and cure rates read
-- Columns: those of loan_transition (month_end, grade, from_state, to_state, balance, loans)
create or replace macro transitions_to(day, lookback) as table
select *
from loan_transition
where month_end > last_day(cast(day as date) - to_months(cast(lookback as integer)))
    and month_end <= cast(day as date);

-- grain: one row per holding of investor inv invested on or before the month-end day whose loan has
-- a row on the loan_month tape on or before day, with the loan's latest such row
-- (holding_tape_until($investor_id, $as_of)): its final row (holding_book) when that is on or before
-- day, else its row at day, so a call reads the investor's row groups of holding_book and at most the
-- tape's month-end slice at day.
-- Columns: holding_id, loan_id, loan_no, invested_on, amount, borrower_id, grade, product, channel,
--   guarantee, repayment_method, annual_rate, term_months, principal (as in holding_book), and the tape
--   row's month_end, state, dpd, months_on_book, outstanding_principal, past_due_amount,
--   guarantor_paid_to_date, guarantor_principal_to_date (as on the tape)
create or replace macro holding_tape_until(inv, day) as table
select
    * exclude (investor_id, final_month_end, final_state, final_dpd, final_months_on_book,
        final_outstanding_principal, final_past_due_amount, final_guarantor_paid_to_date,
        final_guarantor_principal_to_date, first_due_on, charged_off_on),
    final_month_end as month_end,
    final_state as state,
    final_dpd as dpd,
    final_months_on_book as months_on_book,
    final_outstanding_principal as outstanding_principal,
    final_past_due_amount as past_due_amount,
    final_guarantor_paid_to_date as guarantor_paid_to_date,
    final_guarantor_principal_to_date as guarantor_principal_to_date
from holding_book
where investor_id = inv and invested_on <= day and final_month_end <= day
union all
select
    b.* exclude (investor_id, final_month_end, final_state, final_dpd, final_months_on_book,
        final_outstanding_principal, final_past_due_amount, final_guarantor_paid_to_date,
        final_guarantor_principal_to_date, first_due_on, charged_off_on),
    t.month_end,
    t.state,
    t.dpd,
    t.months_on_book,
    t.outstanding_principal,
    t.past_due_amount,
    t.guarantor_paid_to_date,
    t.guarantor_principal_to_date
from holding_book as b
inner join loan_month as t on t.loan_no = b.loan_no
where b.investor_id = inv and b.invested_on <= day and b.final_month_end > day and t.month_end = day;

-- grain: one row per loan investor inv holds (holdings invested on or before day) that is active at
-- the month-end day (held_active_loans($investor_id, $as_of)), from holding_tape_until
-- Columns: loan_id, held_amount (Σ holding amounts, double), borrower_id, grade, product, channel,
--   principal, state, outstanding_principal, past_due_amount, guarantor_paid_to_date, claim (as in
--   active_tape; amounts double, currency units)
create or replace macro held_active_loans(inv, day) as table
select
    loan_id,
    sum(cast(amount as double)) as held_amount,
    any_value(borrower_id) as borrower_id,
    any_value(grade) as grade,
    any_value(product) as product,
    any_value(channel) as channel,
    any_value(cast(principal as double)) as principal,
    any_value(state) as state,
    any_value(cast(outstanding_principal as double)) as outstanding_principal,
    any_value(cast(past_due_amount as double)) as past_due_amount,
    any_value(cast(guarantor_paid_to_date as double)) as guarantor_paid_to_date,
    any_value(greatest(
        cast(outstanding_principal as double) - cast(guarantor_principal_to_date as double), 0
    )) as claim
from holding_tape_until(inv, day)
where month_end = day and is_active_state(state)
group by loan_id;

-- grain: one row per grade (by_term_year false) and per grade x term x issue year (by_term_year
-- true) with loans: lifetime outcomes of every loan in the store, read from the outcome_segment mart;
-- meets_policy_only keeps only loans that met the credit policy (lifetime_outcomes($meets_policy_only))
-- Columns: grade, term_months, issue_year (null on grade rows), by_term_year, loans,
--   charged_off_loans, chargeoff_rate_count (charged_off_loans / loans), originated_principal,
--   charged_off_principal, chargeoff_rate_amount (charged_off_principal / originated_principal),
--   recoveries, principal_received (currency units, double; summed exactly in decimal)
create or replace macro lifetime_outcomes(meets_policy_only) as table
select
    grade,
    cast(term_months as integer) as term_months,
    cast(issue_year as integer) as issue_year,
    grouping(term_months, issue_year) = 0 as by_term_year,
    cast(sum(loans) as bigint) as loans,
    cast(sum(charged_off_loans) as bigint) as charged_off_loans,
    sum(charged_off_loans) / sum(loans) as chargeoff_rate_count,
    cast(sum(originated_principal) as double) as originated_principal,
    cast(sum(charged_off_principal) as double) as charged_off_principal,
    cast(sum(charged_off_principal) as double) / cast(sum(originated_principal) as double)
        as chargeoff_rate_amount,
    cast(sum(recoveries) as double) as recoveries,
    cast(sum(principal_received) as double) as principal_received
from outcome_segment
where not meets_policy_only or meets_policy
group by grouping sets ((grade), (grade, term_months, issue_year));
