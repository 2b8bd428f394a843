-- One cell per indicator, year and district at every level. Numerators and denominators of a parent
-- are the sums of its leaves' counts; a parent with any leaf lacking a value is missing (null) unless
-- the source delivers the parent's figure itself. Leaves kept secret upstream ('.' or '/') stay hidden.
-- is_derived: the numerator was not counted (derived from a share × denominator, or carried over from
-- older districts); a parent whose numerator sums leaves is derived when any of them is.
with max_rank as (
    select max(level_rank) as leaf_rank from raw_levels
),

leaf_counts as (
    select stg_counts.*, stg_districts.parent_id
    from stg_counts
    inner join stg_districts using (district_id)
    where stg_districts.level_rank = (select leaf_rank from max_rank)
),

direct_counts as (
    select stg_counts.*
    from stg_counts
    inner join stg_districts using (district_id)
    where stg_districts.level_rank < (select leaf_rank from max_rank)
),

leaf_count as (
    select district_id, count(*) as n_leaves
    from int_district_leaves
    group by all
),

-- A leaf's own figures: one row per leaf, year and indicator (ingest keeps one row per key).
leaf_sums as not materialized (
    select
        district_id,
        parent_id,
        year,
        indicator_id,
        case when numerator_flag = 'value' then 1 else 0 end as n_numerators,
        case when denominator_flag = 'value' then 1 else 0 end as n_denominators,
        numerator_flag in ('secret', 'unreliable') as any_upstream_hidden,
        numerator_flag = 'value' and is_derived as any_derived,
        case when numerator_flag = 'value' then numerator end as numerator,
        case when denominator_flag = 'value' then denominator end as denominator
    from leaf_counts
),

-- Leaves summed per parent first (a few hundred thousand rows at national scale) ...
parent_sums as (
    select
        parent_id as district_id,
        year,
        indicator_id,
        sum(n_numerators) as n_numerators,
        sum(n_denominators) as n_denominators,
        bool_or(any_upstream_hidden) as any_upstream_hidden,
        bool_or(any_derived) as any_derived,
        sum(numerator) as numerator,
        sum(denominator) as denominator
    from leaf_sums
    where parent_id is not null
    group by all
),

-- ... then carried to the parent itself and every district above it.
parents_below as (
    select distinct int_district_leaves.district_id, leaf.parent_id
    from int_district_leaves
    inner join stg_districts as leaf on leaf.district_id = int_district_leaves.leaf_id
    where int_district_leaves.district_id <> int_district_leaves.leaf_id
),

summed as (
    select
        district_id, year, indicator_id, n_numerators, n_denominators, any_upstream_hidden, any_derived, numerator,
        denominator
    from leaf_sums
    union all
    select
        parents_below.district_id,
        parent_sums.year,
        parent_sums.indicator_id,
        sum(parent_sums.n_numerators),
        sum(parent_sums.n_denominators),
        bool_or(parent_sums.any_upstream_hidden),
        bool_or(parent_sums.any_derived),
        sum(parent_sums.numerator),
        sum(parent_sums.denominator)
    from parents_below
    inner join parent_sums on parent_sums.district_id = parents_below.parent_id
    group by all
),

indicator_years as (
    select distinct indicator_id, year from stg_counts
),

grid as (
    select
        indicator_years.indicator_id,
        indicator_years.year,
        stg_districts.district_id,
        stg_districts.parent_id,
        stg_districts.level,
        stg_districts.level_rank
    from indicator_years
    cross join stg_districts
)

select
    grid.indicator_id,
    grid.year,
    grid.district_id,
    grid.parent_id,
    grid.level,
    grid.level_rank,
    coalesce(
        case when direct_counts.numerator_flag = 'value' then direct_counts.numerator end,
        case when summed.n_numerators = leaf_count.n_leaves then summed.numerator end
    ) as numerator,
    coalesce(
        case when direct_counts.denominator_flag = 'value' then direct_counts.denominator end,
        case when summed.n_denominators = leaf_count.n_leaves then summed.denominator end
    ) as denominator,
    coalesce(
        direct_counts.numerator_flag in ('secret', 'unreliable'),
        grid.level_rank = (select leaf_rank from max_rank) and coalesce(summed.any_upstream_hidden, false)
    ) as is_upstream_hidden,
    case
        when direct_counts.numerator_flag = 'value' then direct_counts.is_derived
        when summed.n_numerators = leaf_count.n_leaves then coalesce(summed.any_derived, false)
        else false
    end as is_derived,
    int_population.population
from grid
inner join leaf_count using (district_id)
left join summed using (district_id, year, indicator_id)
left join direct_counts using (district_id, year, indicator_id)
left join int_population using (district_id, year)
order by grid.indicator_id, grid.year, grid.level_rank, grid.district_id
