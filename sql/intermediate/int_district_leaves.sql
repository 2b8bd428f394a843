-- Every district with each of the smallest districts (leaves) below it; a leaf is its own leaf.
-- Aggregation along the hierarchy always sums leaves, so no level is ever averaged from another.
with recursive leaves (district_id, leaf_id) as (
    select district_id, district_id
    from stg_districts
    where level_rank = (select max(level_rank) from raw_levels)

    union all

    select parent.parent_id, leaves.leaf_id
    from leaves
    inner join stg_districts as parent on parent.district_id = leaves.district_id
    where parent.parent_id is not null
)

select district_id, leaf_id
from leaves
