-- Inhabitants of every district per year, summed from its leaves; null where a leaf has no figure.
with leaf_population as (
    select district_id as leaf_id, year, sum(population) as population
    from stg_population
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
    case when summed.n_leaves_with_population = leaf_count.n_leaves then summed.population end as population
from summed
inner join leaf_count using (district_id)
