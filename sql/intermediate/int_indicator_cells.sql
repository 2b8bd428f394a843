-- One cell per indicator, year and district at every level. Numerators and denominators of a parent
-- are the sums of its leaves' counts; a parent with any leaf lacking a value is missing (null) unless
-- the source delivers the parent's figure itself. Leaves kept secret upstream ('.' or '/') stay hidden.
with max_rank as (
    select max(level_rank) as leaf_rank from raw_levels
),

leaf_counts as (
    select stg_counts.*
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

summed as (
    select
        int_district_leaves.district_id,
        leaf_counts.year,
        leaf_counts.indicator_id,
        count(*) filter (where leaf_counts.numerator_flag = 'value') as n_numerators,
        count(*) filter (where leaf_counts.denominator_flag = 'value') as n_denominators,
        bool_or(leaf_counts.numerator_flag in ('secret', 'unreliable')) as any_upstream_hidden,
        sum(leaf_counts.numerator) filter (where leaf_counts.numerator_flag = 'value') as numerator,
        sum(leaf_counts.denominator) filter (where leaf_counts.denominator_flag = 'value') as denominator
    from int_district_leaves
    inner join leaf_counts on leaf_counts.district_id = int_district_leaves.leaf_id
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
    int_population.population
from grid
inner join leaf_count using (district_id)
left join summed using (district_id, year, indicator_id)
left join direct_counts using (district_id, year, indicator_id)
left join int_population using (district_id, year)
order by grid.indicator_id, grid.year, grid.level_rank, grid.district_id
