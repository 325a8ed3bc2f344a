-- grain: one row per collection repayment of a charged-off loan paid on or after its charge-off date
-- The Spark SQL variant of queries/marts/recovery_payment.sql: the same columns and rows
-- (tests/test_spark_marts.py compares them). Spark has no rowid: a payment's place in the repayments
-- table is its place in the exported Parquet file (lendrisk.spark.export_canonical writes the table in
-- its stored order), read by monotonically_increasing_id(), which rises with the file offset.
create table recovery_payment as
with

charge_offs as (
    select
        loan_id,
        min(event_on) as charged_off_on
    from loan_events
    where kind = 'charged_off'
    group by loan_id
),

stored as (
    select
        monotonically_increasing_id() as stored_at,
        loan_id,
        paid_on,
        principal_paid,
        interest_paid,
        source
    from repayments
)

select
    r.loan_id,
    r.paid_on,
    cast(row_number() over (partition by r.loan_id order by r.stored_at) as int) as payment_no,
    cast(r.principal_paid + r.interest_paid as double) as amount
from stored as r
inner join charge_offs as c on r.loan_id = c.loan_id
where r.source = 'collection' and r.paid_on >= c.charged_off_on
