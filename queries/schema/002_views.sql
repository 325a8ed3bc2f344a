-- Views over the canonical tables (dbt-style staging and intermediate models): the steps that many
-- query files share, with no as-of date and no parameter. Query files put their own as-of filters on
-- top; DuckDB inlines a view into the query, so those filters push down as they did in a CTE.
-- store.create_schema runs this file before the marts are built: a view here reads canonical tables
-- only (DuckDB binds a view when it is created).

-- is_active_state(state): the loan is active (docs/design.md §3): current or one of the four overdue
-- buckets, lendrisk.vocab.ACTIVE_STATES; paid_off and charged_off are closed.
create macro is_active_state(state) as state in ('current', '1-30', '31-60', '61-90', '90+');

-- state_order(state): the position of a state in lendrisk.vocab.STATES (1 = current .. 7 = charged_off).
create macro state_order(state) as
    list_position(['current', '1-30', '31-60', '61-90', '90+', 'paid_off', 'charged_off'], state);

-- grain: one row per holding
-- An investor's holding with its share of the loan (docs/design.md §2: share = amount / principal).
-- Columns:
--   holding_id, investor_id, loan_id, invested_on
--   amount     the holding amount, currency units (double)
--   principal  the loan's principal, currency units (double)
--   share      amount / principal (0..1)
create view holding_share as
select
    h.holding_id,
    h.investor_id,
    h.loan_id,
    h.invested_on,
    cast(h.amount as double) as amount,
    cast(l.principal as double) as principal,
    cast(h.amount as double) / cast(l.principal as double) as share
from holdings as h
inner join loans as l using (loan_id);

-- grain: one row per loan with a charged_off event
-- Columns:
--   loan_id
--   charged_off_on  date of the loan's first charged_off event (the charge-off, docs/design.md §3)
--   amount          principal written off: the amount of the earliest charged_off event that has one
--                   (arg_min skips null amounts; null when none has), DECIMAL(18,2) currency units
--   total_amount    Σ amount of all the loan's charged_off events (null counted as 0), DECIMAL(18,2)
create view loan_charge_off as
select
    loan_id,
    min(event_on) as charged_off_on,
    arg_min(amount, event_on) as amount,
    sum(coalesce(amount, 0)) as total_amount
from loan_events
where kind = 'charged_off'
group by loan_id;

-- grain: one row per loan with a charged_off event
-- The principal written off at the charge-off: loan_charge_off.amount, else the principal not yet
-- repaid by borrower and collection cash before the charge-off date.
-- Columns: loan_id, product (LGD is per product), charged_off_on, principal_written_off (currency
--   units, double)
create view loan_write_off as
with

charge_offs as materialized (
    select
        loan_id,
        charged_off_on,
        amount
    from loan_charge_off
),

repaid_before as (
    select
        r.loan_id,
        sum(cast(r.principal_paid as double)) as principal_paid
    from repayments as r
    inner join charge_offs as c using (loan_id)
    where r.source in ('borrower', 'collection') and r.paid_on < c.charged_off_on and c.amount is null
    group by r.loan_id
)

select
    c.loan_id,
    l.product,
    c.charged_off_on,
    coalesce(cast(c.amount as double), cast(l.principal as double) - coalesce(b.principal_paid, 0))
        as principal_written_off
from charge_offs as c
inner join loans as l using (loan_id)
left join repaid_before as b using (loan_id);

-- grain: one row per collection repayment of a charged-off loan paid on or after its charge-off date
-- Recoveries (docs/design.md §3, LGD): collection cash received on or after the first charged_off event.
-- Columns:
--   loan_id, charged_off_on (the loan's first charged_off event), paid_on
--   principal_paid, interest_paid   DECIMAL(18,2) currency units, as in repayments
create view recovery as
select
    r.loan_id,
    c.charged_off_on,
    r.paid_on,
    r.principal_paid,
    r.interest_paid
from repayments as r
inner join loan_charge_off as c using (loan_id)
where r.source = 'collection' and r.paid_on >= c.charged_off_on;

-- grain: one row per loan x viewer who may read its story: the platform (investor_id null) and every
-- investor holding the loan
-- Columns:
--   loan_id
--   investor_id   the investor, null for the platform (managers)
--   visible_from  the first day the viewer sees the loan: its origination date and, for an investor,
--                 also the day of their first investment in it
create view loan_visibility as
select
    loan_id,
    cast(null as varchar) as investor_id,
    originated_on as visible_from
from loans
union all
select
    h.loan_id,
    h.investor_id,
    greatest(any_value(l.originated_on), min(h.invested_on)) as visible_from
from holdings as h
inner join loans as l using (loan_id)
group by h.loan_id, h.investor_id;

-- grain: one row per holding of investor inv invested on or before the date day (a table macro:
-- holdings_as_of($investor_id, $as_of); no rows for a null investor)
-- Columns: holding_id, loan_id, invested_on, amount, principal, share (as holding_share)
create macro holdings_as_of(inv, day) as table
select
    holding_id,
    loan_id,
    invested_on,
    amount,
    principal,
    share
from holding_share
where investor_id = inv and invested_on <= day;

-- grain: one row per loan investor inv holds on the date day (holdings invested on or before it)
-- Columns: loan_id, held_amount (Σ holding amounts, currency units, double)
create macro held_loans(inv, day) as table
select
    loan_id,
    sum(amount) as held_amount
from holding_share
where investor_id = inv and invested_on <= day
group by loan_id;

-- grain: one row per repayment of a loan investor inv holds on the date day, paid on or before day
-- Columns: loan_id, paid_on, source, principal_paid, interest_paid, fee_paid (currency units, double),
--   principal_paid_before (Σ principal of the loan's earlier repayments: by date, then borrower,
--   guarantor, collection on the same day; what an investor who bought in later has no claim on)
create macro held_repayments(inv, day) as table
select
    r.loan_id,
    r.paid_on,
    r.source,
    cast(r.principal_paid as double) as principal_paid,
    cast(r.interest_paid as double) as interest_paid,
    cast(coalesce(r.fee_paid, 0) as double) as fee_paid,
    coalesce(sum(cast(r.principal_paid as double)) over (
        partition by r.loan_id
        order by r.paid_on, list_position(['borrower', 'guarantor', 'collection'], r.source)
        rows between unbounded preceding and 1 preceding
    ), 0) as principal_paid_before
from repayments as r
inner join held_loans(inv, day) as h using (loan_id)
where r.paid_on <= day;

-- grain: one row per loan with a guarantor payment (代偿) on or before the date day (guarantor_cash_by($as_of))
-- Columns: loan_id, principal_paid (guarantor principal), paid (principal + interest), currency
--   units, double
create macro guarantor_cash_by(day) as table
select
    loan_id,
    sum(cast(principal_paid as double)) as principal_paid,
    sum(cast(principal_paid + interest_paid as double)) as paid
from repayments
where source = 'guarantor' and paid_on <= day
group by loan_id;

-- grain: one row per claimed repayment of a holding of investor inv on the date day: a repayment of
-- the holding's loan paid on or after invested_on and on or before day, while the investors still
-- have a claim (the loan's principal is not yet repaid in full by all sources together: a repayment
-- after that, e.g. a collection recovery after a guarantor buy-out, belongs to the guarantor)
-- Columns: holding_id, loan_id, invested_on, share, paid_on, source, principal_paid, interest_paid,
--   fee_paid (the loan's, currency units, double; the investor's part is share x them)
create macro claimed_repayments(inv, day) as table
select
    h.holding_id,
    h.loan_id,
    h.invested_on,
    h.share,
    r.paid_on,
    r.source,
    r.principal_paid,
    r.interest_paid,
    r.fee_paid
from holdings_as_of(inv, day) as h
inner join held_repayments(inv, day) as r using (loan_id)
where r.paid_on >= h.invested_on and r.principal_paid_before < h.principal - 0.005;

-- grain: one row when loan lid is visible on the date day to investor inv (null = the platform),
-- none otherwise (visible_loan($loan_id, $investor_id, $as_of)); see loan_visibility
-- Columns: loan_id
create macro visible_loan(lid, inv, day) as table
select loan_id
from loan_visibility
where loan_id = lid
    and investor_id is not distinct from inv
    and visible_from <= day;

-- score_band(credit_score): the borrower's credit-score band: lt600, 600-649, 650-699, 700-749, ge750
create macro score_band(score) as
    case
        when score < 600 then 'lt600'
        when score < 650 then '600-649'
        when score < 700 then '650-699'
        when score < 750 then '700-749'
        else 'ge750'
    end;

-- income_verification(income_verified): verified, not_verified, unknown (null)
create macro income_verification(verified) as
    case
        when verified then 'verified'
        when not verified then 'not_verified'
        else 'unknown'
    end;

-- loan_state(is_charged_off, outstanding, dpd): a loan's state from its charge-off flag, outstanding
-- principal and days past due (docs/design.md §3; the loan_month mart spells the same rule out in
-- plain SQL, as every mart does): charged_off, paid_off (outstanding 0.005 or less), current (DPD
-- 0), 1-30, 31-60, 61-90, 90+
create macro loan_state(is_charged_off, outstanding, dpd) as
    case
        when is_charged_off then 'charged_off'
        when outstanding <= 0.005 then 'paid_off'
        when dpd = 0 then 'current'
        when dpd <= 30 then '1-30'
        when dpd <= 60 then '31-60'
        when dpd <= 90 then '61-90'
        else '90+'
    end;

-- grain: one row per installment
-- Columns: loan_id, installment_no, due_on, running_due (Σ principal_due + interest_due of this and
--   earlier installments of the loan, DECIMAL currency units): the oldest unpaid installment is the
--   first whose running_due exceeds what the borrower has paid (docs/design.md §3)
create view schedule_running_due as
select
    loan_id,
    installment_no,
    due_on,
    sum(principal_due + interest_due) over (partition by loan_id order by installment_no) as running_due
from schedule;

-- grain: one row per dashboard account
-- Columns: username, password_hash (argon2), role (investor / manager / admin), investor_id (investors only)
create view account as
select
    username,
    password_hash,
    role,
    investor_id
from users;

-- grain: one row per loan with a charged_off event on or before the date day (charged_off_by($as_of))
-- Columns: loan_id, charged_off_on (its first charged_off event), charge_off_month (its month-end),
--   charged_off_principal (Σ amounts of its charged_off events on or before day, currency units,
--   double; null when none has one)
create macro charged_off_by(day) as table
select
    loan_id,
    min(event_on) as charged_off_on,
    last_day(min(event_on)) as charge_off_month,
    sum(cast(amount as double)) as charged_off_principal
from loan_events
where kind = 'charged_off' and event_on <= day
group by loan_id;
