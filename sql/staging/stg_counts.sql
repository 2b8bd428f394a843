-- Indicator counts as ingested: one row per district, year and indicator, with German table symbols
-- already decoded into flags (value, secret, unreliable, not_meaningful, not_yet, missing). is_derived: the
-- numerator was not counted but derived (share × denominator, or carried over from older districts).
-- materialise: view
with source as (
    select * from raw_counts
)

select
    cast(district_id as varchar) as district_id,
    cast(year as integer) as year,
    cast(indicator_id as varchar) as indicator_id,
    cast(numerator as bigint) as numerator,
    cast(denominator as bigint) as denominator,
    numerator_flag,
    denominator_flag,
    source_id,
    coalesce(derived, false) as is_derived
from source
