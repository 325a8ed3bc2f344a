-- grain: one row per active bucket (current, 1-30, 31-60, 61-90, 90+), always five rows in that order
-- Overdue exposure by DPD bucket at the month-end $as_of (docs/design.md §3), for the whole platform
-- ($investor_id null) or one investor, optionally narrowed to a grade, product, channel and the
-- borrower's region (each null = no filter). State comes from the loan_month tape, which holds
-- every active loan at every month-end exactly as loan_state_as_of gives it.
--   platform:  amounts are the borrower's outstanding principal (borrower + collection payments).
--   investor:  amounts are the investor's exposure = share of the loan (holding amount / principal,
--              holdings invested on or before $as_of) x (principal - principal paid by every source,
--              guarantor included, on or before $as_of), so a guarantor buy-out ends the exposure;
--              a loan counts when the investor's exposure in it is above zero.
-- Columns:
--   bucket                 DPD bucket: current (0), 1-30 (M1), 31-60 (M2), 61-90 (M3), 90+ (M3+)
--   bucket_order           1..5, the fixed display order
--   loans                  active loans in the bucket (held loans for an investor)
--   outstanding_principal  outstanding principal (investor: exposure), currency units
--   share                  outstanding_principal / total over the five buckets (0 when the total is 0)
--   past_due_amount        unpaid part of installments already due (逾期金额), currency units;
--                          investor: share of the loan x (past due - guarantor payments so far)
-- key: bucket
with

buckets as (
    select * from (values
        (1, 'current'),
        (2, '1-30'),
        (3, '31-60'),
        (4, '61-90'),
        (5, '90+')
    ) as b (bucket_order, bucket)
),

borrowers_in_region as (
    select borrower_id
    from borrowers
    where region = $region
),

-- the platform's active book, or (an investor) the held loans from holding_book and the tape's
-- month-end slice (held_active_loans), so an investor's call costs their loans, not the whole book
in_segment as (
    select
        loan_id,
        borrower_id,
        grade,
        product,
        channel,
        state,
        principal,
        outstanding_principal,
        claim,
        past_due_amount,
        guarantor_paid_to_date,
        cast(null as double) as held_amount
    from active_loans($as_of)
    where $investor_id is null
    union all
    select
        loan_id,
        borrower_id,
        grade,
        product,
        channel,
        state,
        principal,
        outstanding_principal,
        claim,
        past_due_amount,
        guarantor_paid_to_date,
        held_amount
    from held_active_loans($investor_id, $as_of)
    where $investor_id is not null
),

filtered as (
    select *
    from in_segment
    where ($grade is null or grade = $grade)
        and ($product is null or product = $product)
        and ($channel is null or channel = $channel)
        and ($region is null or borrower_id in (select borrower_id from borrowers_in_region))
),

amounts as (
    select
        loan_id,
        state,
        case when $investor_id is null then 1.0 else held_amount / principal end as share_of_loan,
        case
            when $investor_id is null then outstanding_principal
            else claim
        end as unpaid_principal,
        case
            when $investor_id is null then past_due_amount
            else greatest(past_due_amount - guarantor_paid_to_date, 0)
        end as unpaid_past_due
    from filtered
),

scoped as (
    select
        loan_id,
        state,
        share_of_loan * unpaid_principal as amount,
        share_of_loan * unpaid_past_due as past_due_amount
    from amounts
    where unpaid_principal > 0.005
),

per_bucket as (
    select
        state as bucket,
        count(*) as loans,
        sum(amount) as outstanding_principal,
        sum(past_due_amount) as past_due_amount
    from scoped
    group by state
),

filled as (
    select
        b.bucket,
        b.bucket_order,
        coalesce(p.loans, 0) as loans,
        coalesce(p.outstanding_principal, 0) as outstanding_principal,
        coalesce(p.past_due_amount, 0) as past_due_amount
    from buckets as b
    left join per_bucket as p using (bucket)
),

with_share as (
    select
        *,
        coalesce(outstanding_principal / nullif(sum(outstanding_principal) over (), 0), 0) as share
    from filled
)

select
    bucket,
    cast(bucket_order as integer) as bucket_order,
    cast(loans as bigint) as loans,
    cast(round(outstanding_principal, 2) as double) as outstanding_principal,
    cast(share as double) as share,
    cast(round(past_due_amount, 2) as double) as past_due_amount
from with_share
order by bucket_order
