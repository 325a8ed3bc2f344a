-- grain: one row per investor with exposure in a loan still active at the end of observation
-- The Spark SQL variant of queries/marts/lender_exposure.sql: the same columns and rows
-- (tests/test_spark_marts.py compares them). Each investor's exposures are added up in holding_id
-- order as DuckDB's list_reduce does: the sorted list folded from 0 (0 + the first exposure is it).
create table lender_exposure as
with

held as (
    select
        final_month_end as month_end,
        investor_id,
        holding_id,
        cast(amount as double) / cast(principal as double) * greatest(
            cast(final_outstanding_principal as double) - cast(final_guarantor_principal_to_date as double), 0
        ) as exposure
    from holding_book
    where final_month_end = cast(:observed_to as date)
        and invested_on <= final_month_end
        and is_active_state(final_state)
        and final_outstanding_principal > final_guarantor_principal_to_date
)

select
    month_end,
    investor_id,
    aggregate(
        transform(array_sort(collect_list(struct(holding_id, exposure))), h -> h.exposure),
        cast(0 as double),
        (total, x) -> total + x
    ) as exposure
from held
group by month_end, investor_id
