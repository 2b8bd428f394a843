-- Districts of every level, typed, with their level's rank (0 = the whole city) and area.
with source as (
    select * from raw_districts
),

levels as (
    select * from raw_levels
)

select
    source.district_id,
    source.name,
    source.level,
    levels.level_label,
    levels.level_rank,
    source.parent_id,
    source.geometry,
    st_area(source.geometry) / 1e6 as area_km2
from source
inner join levels using (level)
