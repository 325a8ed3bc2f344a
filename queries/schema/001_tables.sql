-- Canonical tables of docs/design.md §2. Amounts are DECIMAL(18,2) currency units, dates are DATE, ids are VARCHAR.
-- The import format is the store: column names here are the canonical file columns.

-- borrowers, loans and schedule keep no primary-key index: each key is unique (ingest.validate.KEYS checks
-- every import; tests/test_query_grain.py every demo table), no query is answered through the index
-- (DuckDB joins by hash; a lookup of one loan skips row groups by their min/max), and maintaining the ARTs
-- was most of the insert time of a one-million-loan build: loans 2.46 s with the key, 0.96 s without;
-- borrowers 1.20 s / 0.36 s; the 13.5 M schedule rows 15.5 s / 1.9 s (bench/README.md).
create table borrowers (
    borrower_id     varchar not null,
    region          varchar,
    birth_year      integer check (birth_year between 1900 and 2100),
    annual_income   decimal(18, 2) check (annual_income >= 0),
    income_verified boolean,
    employment      varchar,
    credit_score    integer not null check (credit_score between 300 and 900)
);

create table loans (
    loan_id          varchar not null,
    borrower_id      varchar not null,
    product          varchar not null check (product in ('personal', 'consumer', 'small_business')),
    channel          varchar not null check (channel in ('platform', 'institution')),
    grade            varchar not null check (grade in ('A', 'B', 'C', 'D', 'E', 'F', 'G')),
    purpose          varchar,
    originated_on    date not null,
    principal        decimal(18, 2) not null check (principal > 0),
    annual_rate      double not null check (annual_rate >= 0 and annual_rate < 1),
    term_months      integer not null check (term_months between 1 and 120),
    repayment_method varchar not null check (repayment_method in ('annuity', 'equal_principal', 'bullet')),
    guarantee        varchar check (guarantee in ('none', 'reserve', 'partner')),
    meets_policy     boolean default true
);

create table schedule (
    loan_id        varchar not null,
    installment_no integer not null check (installment_no >= 1),
    due_on         date not null,
    principal_due  decimal(18, 2) not null check (principal_due >= 0),
    interest_due   decimal(18, 2) not null check (interest_due >= 0)
);

create table repayments (
    loan_id        varchar not null,
    paid_on        date not null,
    principal_paid decimal(18, 2) not null check (principal_paid >= 0),
    interest_paid  decimal(18, 2) not null check (interest_paid >= 0),
    fee_paid       decimal(18, 2) check (fee_paid >= 0),
    source         varchar not null check (source in ('borrower', 'guarantor', 'collection'))
);

create table loan_events (
    loan_id  varchar not null,
    event_on date not null,
    kind     varchar not null check (kind in (
        'reminder', 'call', 'visit', 'promise_to_pay', 'restructured',
        'legal_filed', 'judgment', 'charged_off', 'transferred'
    )),
    amount   decimal(18, 2),
    note     varchar
);

create table investors (
    investor_id  varchar primary key,
    segment      varchar not null check (segment in ('retail', 'institutional')),
    risk_profile varchar,
    region       varchar,
    joined_on    date
);

-- holding_id is unique (ingest.validate.KEYS checks every import; tests/test_store.py the demo) but has
-- no index: an ART over tens of millions of unordered keys made moving the staged holdings in about 4x
-- slower (5 M rows: 63 s with the key, 16 s without; 11.5 min of a 10 M-loan build) and is never read.
create table holdings (
    holding_id  varchar not null,
    investor_id varchar not null,
    loan_id     varchar not null,
    amount      decimal(18, 2) not null check (amount > 0),
    invested_on date not null
);

create table macro (
    month_end             date primary key,
    unemployment_rate     double,
    gdp_growth            double,
    industry_overdue_rate double check (industry_overdue_rate between 0 and 1)
);

create table reserve_fund (
    month_end date primary key,
    balance   decimal(18, 2) not null
);

create table users (
    username      varchar primary key,
    password_hash varchar not null,
    role          varchar not null check (role in ('investor', 'manager', 'admin')),
    investor_id   varchar
);

create table meta (
    key   varchar primary key,
    value varchar not null
);
