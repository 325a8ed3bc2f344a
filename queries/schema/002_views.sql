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

-- grain: one row per loan
-- A loan's lifetime outcome, closed or open (the lifetime_outcomes_* queries add it up by segment).
-- Columns:
--   loan_id, grade, term_months
--   issue_year             calendar year of originated_on
--   meets_policy           loans.meets_policy, null counted as true
--   principal              principal originated, DECIMAL(18,2) currency units
--   is_charged_off         the loan has a charged_off event
--   charged_off_principal  Σ its charged_off event amounts (principal written off; 0 when none)
--   principal_received     principal paid by the borrower and by collection (guarantor excluded)
--   recoveries             collection payments (principal + interest) on or after the charge-off
--                          (the recovery view, as LGD counts them)
create view loan_outcome as
with

received as (
    select
        loan_id,
        sum(principal_paid) as principal_received
    from repayments
    where source in ('borrower', 'collection')
    group by loan_id
),

recovered as (
    select
        loan_id,
        sum(principal_paid + interest_paid) as recoveries
    from recovery
    group by loan_id
)

select
    l.loan_id,
    l.grade,
    l.term_months,
    year(l.originated_on) as issue_year,
    coalesce(l.meets_policy, true) as meets_policy,
    l.principal,
    c.loan_id is not null as is_charged_off,
    coalesce(c.total_amount, 0) as charged_off_principal,
    coalesce(p.principal_received, 0) as principal_received,
    coalesce(r.recoveries, 0) as recoveries
from loans as l
left join loan_charge_off as c using (loan_id)
left join received as p using (loan_id)
left join recovered as r using (loan_id);

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
