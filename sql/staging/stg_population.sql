-- Inhabitants by age band of the smallest districts.
with source as (
    select * from raw_population
)

select
    cast(district_id as varchar) as district_id,
    cast(year as integer) as year,
    cast(age_band as varchar) as age_band,
    cast(population as bigint) as population
from source
