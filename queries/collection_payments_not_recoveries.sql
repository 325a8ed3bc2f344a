-- grain: one row: how many collection repayments the recovery_payment mart does not hold
-- recovery_payment holds every collection repayment paid on or after its loan's first charged_off
-- event, one row each; the others (collection cash before a charge-off, or of a loan never charged
-- off) are the difference of the two counts. When it is 0 the mart holds every collection payment,
-- and the collection queries read them there instead of scanning all repayments
-- (lendrisk.collection.recoveries_complete).
-- Columns:
--   payments   collection repayments not in recovery_payment (bigint, >= 0)
-- key: one row
select
    cast(
        (select count(*) from repayments where source = 'collection')
        - (select count(*) from recovery_payment)
        as bigint
    ) as payments
