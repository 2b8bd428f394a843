-- The published mart (protected figures only). Every table carries the run id of its release.
-- GENERATED from pipelines/lib/release/schema (the data dictionary); do not edit by hand:
--   python -m pipelines.lib.release.schema --ddl > sql/release/mart_schema.sql
-- v_district_wide (one column per indicator) is created by write_mart from the release's catalogue.

create table run_info (
    run_id varchar primary key,
    created_at timestamp with time zone not null,
    software_version varchar not null,
    schema_version integer not null,
    city_name varchar not null,
    data_date varchar,
    crs varchar not null
);

create table districts (
    district_id varchar primary key,
    name varchar not null,
    level varchar not null,
    level_label varchar not null,
    level_rank integer not null,
    parent_id varchar,
    population bigint,
    area_km2 double not null,
    geometry geometry not null,
    run_id varchar not null
);

create table indicators (
    indicator_id varchar primary key,
    label varchar not null,
    denominator_label varchar not null,
    domain varchar not null,
    life_phase varchar not null,
    direction varchar not null,
    unit varchar not null,
    unit_label varchar not null,
    denominator_public boolean not null,
    source varchar not null,
    data_owner varchar,
    weight double not null,
    run_id varchar not null
);

create table indicator_values (
    district_id varchar,
    year integer,
    indicator_id varchar,
    numerator bigint,
    denominator bigint,
    rate double,
    ci_low double,
    ci_high double,
    status varchar not null,
    is_derived boolean not null,
    run_id varchar not null,
    primary key (district_id, year, indicator_id)
);

create table data_dictionary (
    table_name varchar,
    table_kind varchar not null,
    table_description varchar not null,
    column_position integer not null,
    column_name varchar,
    data_type varchar not null,
    is_key boolean not null,
    nullable boolean not null,
    unit varchar,
    allowed_values varchar,
    description varchar not null,
    run_id varchar not null,
    primary key (table_name, column_name)
);

create view v_latest_values as
with latest as (select indicator_id, max(year) as year from indicator_values group by indicator_id)
select v.indicator_id, i.label as indicator_label, i.unit_label, v.district_id,
       d.name as district_name, d.level, d.level_rank, v.year, v.numerator, v.denominator, v.rate,
       v.ci_low, v.ci_high, v.status, v.is_derived,
       case when p.status = 'veröffentlicht' then p.rate end as rate_previous_year,
       v.run_id
from indicator_values v
join latest l on l.indicator_id = v.indicator_id and l.year = v.year
join indicators i on i.indicator_id = v.indicator_id
join districts d on d.district_id = v.district_id
left join indicator_values p
       on p.indicator_id = v.indicator_id and p.district_id = v.district_id and p.year = v.year - 1;

create view v_time_series as
select v.indicator_id, i.label as indicator_label, i.unit_label, v.district_id,
       d.name as district_name, d.level, d.level_rank, v.year, v.numerator, v.denominator, v.rate,
       v.ci_low, v.ci_high, v.status, v.is_derived,
       v.run_id
from indicator_values v
join indicators i on i.indicator_id = v.indicator_id
join districts d on d.district_id = v.district_id;
