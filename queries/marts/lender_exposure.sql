-- grain: one row per investor with exposure in a loan still active at the end of observation
-- What the monthly disclosure (disclosure_monthly) reads of the lenders at the last month-end, built
-- once per store: there every active loan's final tape row is its row at $observed_to (holding_book's
-- final_* columns), so each investor's exposure is a sum over the holdings alone, and at ten million
-- loans the query would otherwise add up some 13 M holdings of 55 M on each call. Earlier month-ends
-- read the tape (the loans' claims at that month-end) instead.
-- exposure of a holding = amount / principal x claim, claim = outstanding principal - guarantor
-- principal paid (not below 0), as disclosure_monthly has it; holdings with no claim are left out.
-- The exposures are added up in holding_id order (a fold over the sorted list, not sum(): the order
-- of a sum of doubles is the engine's), so the Spark variant (queries/spark/marts/) gets the same bits.
-- Columns:
--   month_end    the month-end of the loans' final tape rows: the end of observation ($observed_to)
--   investor_id  the investor
--   exposure     Σ the exposures of the investor's holdings invested on or before it in loans active
--                there (currency units, double)
-- key: month_end, investor_id
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
    where final_month_end = $observed_to
        and invested_on <= final_month_end
        and is_active_state(final_state)
        and final_outstanding_principal > final_guarantor_principal_to_date
)

select
    month_end,
    investor_id,
    list_reduce(list(exposure order by holding_id), lambda total, x: total + x) as exposure
from held
group by month_end, investor_id
order by month_end, investor_id
