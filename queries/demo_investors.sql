-- grain: one row per demo login (investor1, investor2, investor3): the showcase investor it signs in as
-- investor1: a cautious retail saver holding 30-80 loans (nearest that range), fewest risky (D-G) loans;
-- investor2: an aggressive retail investor with at least 30 loans (if any), most risky loans;
-- investor3: the institution with the largest amount invested. Ties go to the lowest investor_id.
-- Same picks as lendrisk.simulate.demo_investors on the canonical frames.
-- key: login
with

per_investor as (
    select
        h.investor_id,
        count(*) as n,
        avg((l.grade >= 'D')::double) as risky,
        sum(h.amount) as amount
    from holdings as h
    inner join loans as l on l.loan_id = h.loan_id
    group by h.investor_id
),

ranked as (
    select
        p.*,
        i.segment,
        i.risk_profile,
        greatest(30 - p.n, 0) + greatest(p.n - 80, 0) as off_range
    from per_investor as p
    inner join investors as i on i.investor_id = p.investor_id
),

cautious as (
    select 'investor1' as login, investor_id
    from ranked
    where risk_profile = 'cautious' and segment = 'retail'
    order by off_range, risky, investor_id
    limit 1
),

aggressive as (
    select 'investor2' as login, investor_id
    from ranked
    where risk_profile = 'aggressive' and segment = 'retail'
    order by n < 30, risky desc, investor_id
    limit 1
),

institution as (
    select 'investor3' as login, investor_id
    from ranked
    where segment = 'institutional'
    order by amount desc, investor_id
    limit 1
)

select * from cautious
union all
select * from aggressive
union all
select * from institution
order by login
