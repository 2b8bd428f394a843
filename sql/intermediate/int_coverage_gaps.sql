-- Smallest districts without any row for an indicator and year that other districts have.
-- Only indicator-years with fewer leaf rows than leaves are crossed with the leaves (at national scale
-- the full cross product has ten million rows); ingest keeps one row per district, year and indicator.
with leaves as (
    select district_id
    from stg_districts
    where level_rank = (select max(level_rank) from raw_levels)
),

indicator_years as (
    select stg_counts.indicator_id, stg_counts.year, count(leaves.district_id) as n_leaves
    from stg_counts
    left join leaves using (district_id)
    group by all
),

incomplete as (
    select indicator_id, year
    from indicator_years
    where n_leaves < (select count(*) from leaves)
)

select incomplete.indicator_id, incomplete.year, leaves.district_id
from incomplete
cross join leaves
anti join stg_counts using (indicator_id, year, district_id)
order by all
