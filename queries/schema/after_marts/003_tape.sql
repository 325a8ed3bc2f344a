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
