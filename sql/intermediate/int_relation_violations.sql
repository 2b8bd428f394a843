-- Input rows that contradict a declared relation between indicators (subset, sum, shared denominator).
-- Such inputs would publish inconsistent figures and break the protection of linked tables.
with relations as (
    select * from raw_relations
),

subset_pairs as (
    select part.relation_id, part.indicator_id as part_id, whole.indicator_id as whole_id
    from relations as part
    inner join relations as whole
        on whole.relation_id = part.relation_id and part.position = 0 and whole.position = 1
    where part.kind = 'subset'
),

subset_violations as (
    select 'subset' as kind, pairs.part_id as indicator_id, pairs.whole_id as related_id,
        part.year, part.district_id
    from subset_pairs as pairs
    inner join stg_counts as part on part.indicator_id = pairs.part_id
    inner join stg_counts as whole
        on whole.indicator_id = pairs.whole_id and whole.year = part.year and whole.district_id = part.district_id
    where part.numerator > whole.numerator
),

shared as (
    select relation_id, indicator_id from relations where kind = 'shared_denominator'
),

shared_violations as (
    select 'shared_denominator' as kind, a.indicator_id, b.indicator_id as related_id, a.year, a.district_id
    from shared as s1
    inner join shared as s2 on s2.relation_id = s1.relation_id and s1.indicator_id < s2.indicator_id
    inner join stg_counts as a on a.indicator_id = s1.indicator_id
    inner join stg_counts as b
        on b.indicator_id = s2.indicator_id and b.year = a.year and b.district_id = a.district_id
    where a.denominator <> b.denominator
),

sum_members as (
    select relation_id, indicator_id, position,
        position = max(position) over (partition by relation_id) as is_total
    from relations
    where kind = 'sum'
),

sum_totals as (
    select members.relation_id, counts.year, counts.district_id,
        sum(counts.numerator) filter (where not members.is_total) as parts,
        count(counts.numerator) filter (where not members.is_total) as n_parts,
        max(counts.numerator) filter (where members.is_total) as total,
        max(case when members.is_total then members.indicator_id end) as total_id
    from sum_members as members
    inner join stg_counts as counts on counts.indicator_id = members.indicator_id
    group by all
),

sum_violations as (
    select 'sum' as kind, total_id as indicator_id, null as related_id, year, district_id
    from sum_totals
    where n_parts = (select count(*) - 1 from sum_members where sum_members.relation_id = sum_totals.relation_id)
        and parts <> total
)

select * from subset_violations
union all
select * from shared_violations
union all
select * from sum_violations
order by all
