-- Inhabitants of every district per year, summed from its leaves; null where a leaf has no figure,
-- unless the source delivers the district's own total (e.g. "Bezirk insgesamt"): that one wins.
with leaf_population as (
    select district_id as leaf_id, year, sum(population) as population
    from stg_population
    group by all
),

direct_population as (
    select stg_population.district_id, stg_population.year, sum(stg_population.population) as population
    from stg_population
    inner join stg_districts using (district_id)
    where stg_districts.level_rank < (select max(level_rank) from raw_levels)
    group by all
),

leaf_count as (
    select district_id, count(*) as n_leaves
    from int_district_leaves
    group by all
),

summed as (
    select
        int_district_leaves.district_id,
        leaf_population.year,
        sum(leaf_population.population) as population,
        count(*) as n_leaves_with_population
    from int_district_leaves
    inner join leaf_population using (leaf_id)
    group by all
)

select
    summed.district_id,
    summed.year,
    coalesce(
        direct_population.population,
        case when summed.n_leaves_with_population = leaf_count.n_leaves then summed.population end
    ) as population
from summed
inner join leaf_count using (district_id)
left join direct_population using (district_id, year)
