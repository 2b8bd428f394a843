-- Smallest districts without any row for an indicator and year that other districts have.
with leaves as (
    select district_id
    from stg_districts
    where level_rank = (select max(level_rank) from raw_levels)
),

indicator_years as (
    select distinct indicator_id, year from stg_counts
)

select indicator_years.indicator_id, indicator_years.year, leaves.district_id
from indicator_years
cross join leaves
anti join stg_counts using (indicator_id, year, district_id)
order by all
