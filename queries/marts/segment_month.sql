-- grain: one row per segment dimension x segment value x month-end with a loan originated, defaulted
-- or active in it
-- What the segments page adds up (queries/segment_loan_outcomes.sql): each loan counts once in every
-- dimension (grade, product, channel, region, score_band, income_verification), in the month it was
-- originated, the month it defaulted (first month-end at 90+ or charged_off on the loan_month tape, the
-- loan_default view's rule) and every month-end it was active (current .. 90+). Summing the first two
-- over month-ends <= $as_of and reading the third at $as_of gives the page's figures at any month-end
-- without joining the tape to the loans and borrowers.
-- Columns:
--   dimension, segment                        e.g. 'grade', 'C'; region null counted as 'unknown'
--   month_end                                 the month-end (date)
--   originated_loans, originated_principal    loans originated in the month and their principal
--   defaulted_loans, defaulted_principal      loans defaulting in the month; outstanding principal then
--   active_loans, outstanding_principal       loans active at the month-end; their outstanding principal
--   overdue_loans, overdue_balance            of them, DPD >= 1; their outstanding principal
-- Amounts DECIMAL(18, 2) currency units, summed exactly; counts bigint.
create table segment_month as
with

described as (
    select
        k.loan_no,
        last_day(l.originated_on) as origination_month,
        l.principal,
        l.grade,
        l.product,
        l.channel,
        coalesce(b.region, 'unknown') as region,
        score_band(b.credit_score) as score_band,
        income_verification(b.income_verified) as income_verification
    from loans as l
    inner join loan_key as k using (loan_id)
    inner join borrowers as b using (borrower_id)
),

-- one small integer per combination of the six segments, so the tape joins the loans by two integers
combos as (
    select
        grade,
        product,
        channel,
        region,
        score_band,
        income_verification,
        row_number() over (
            order by grade, product, channel, region, score_band, income_verification
        ) as combo
    from (select distinct grade, product, channel, region, score_band, income_verification from described)
),

loan_combo as (
    select
        d.loan_no,
        d.origination_month,
        d.principal,
        c.combo
    from described as d
    inner join combos as c using (grade, product, channel, region, score_band, income_verification)
),

defaults as (
    select
        loan_no,
        min(month_end) as default_month,
        min_by(outstanding_principal, month_end) as principal_at_default
    from loan_month
    where state in ('90+', 'charged_off')
    group by loan_no
),

flows as (
    select
        loan_no,
        origination_month as month_end,
        1 as originated,
        principal as originated_principal,
        0 as defaulted,
        cast(0 as decimal(18, 2)) as defaulted_principal,
        0 as active,
        cast(0 as decimal(18, 2)) as outstanding_principal,
        0 as overdue,
        cast(0 as decimal(18, 2)) as overdue_balance
    from loan_combo
    union all
    select
        loan_no,
        default_month,
        0,
        cast(0 as decimal(18, 2)),
        1,
        principal_at_default,
        0,
        cast(0 as decimal(18, 2)),
        0,
        cast(0 as decimal(18, 2))
    from defaults
    union all
    select
        loan_no,
        month_end,
        0,
        cast(0 as decimal(18, 2)),
        0,
        cast(0 as decimal(18, 2)),
        1,
        outstanding_principal,
        case when dpd >= 1 then 1 else 0 end,
        case when dpd >= 1 then outstanding_principal else cast(0 as decimal(18, 2)) end
    from loan_month
    where is_active_state(state)
),

by_combo as (
    select
        f.month_end,
        c.combo,
        sum(f.originated) as originated_loans,
        sum(f.originated_principal) as originated_principal,
        sum(f.defaulted) as defaulted_loans,
        sum(f.defaulted_principal) as defaulted_principal,
        sum(f.active) as active_loans,
        sum(f.outstanding_principal) as outstanding_principal,
        sum(f.overdue) as overdue_loans,
        sum(f.overdue_balance) as overdue_balance
    from flows as f
    inner join loan_combo as c using (loan_no)
    group by f.month_end, c.combo
),

-- each combination once per dimension: the segment it counts in
combo_segments as (
    select combo, 'grade' as dimension, grade as segment from combos
    union all
    select combo, 'product', product from combos
    union all
    select combo, 'channel', channel from combos
    union all
    select combo, 'region', region from combos
    union all
    select combo, 'score_band', score_band from combos
    union all
    select combo, 'income_verification', income_verification from combos
)

select
    s.dimension,
    s.segment,
    b.month_end,
    cast(sum(b.originated_loans) as bigint) as originated_loans,
    cast(sum(b.originated_principal) as decimal(18, 2)) as originated_principal,
    cast(sum(b.defaulted_loans) as bigint) as defaulted_loans,
    cast(sum(b.defaulted_principal) as decimal(18, 2)) as defaulted_principal,
    cast(sum(b.active_loans) as bigint) as active_loans,
    cast(sum(b.outstanding_principal) as decimal(18, 2)) as outstanding_principal,
    cast(sum(b.overdue_loans) as bigint) as overdue_loans,
    cast(sum(b.overdue_balance) as decimal(18, 2)) as overdue_balance
from by_combo as b
inner join combo_segments as s using (combo)
group by s.dimension, s.segment, b.month_end
order by dimension, segment, month_end
