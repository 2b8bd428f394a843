-- The published mart: protected figures only. Every table carries the run id of its release.
create table run_info (
    run_id varchar not null,
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
    weight double not null,
    run_id varchar not null
);

create table indicator_values (
    district_id varchar not null,
    year integer not null,
    indicator_id varchar not null,
    numerator bigint,
    denominator bigint,
    rate double,
    ci_low double,
    ci_high double,
    status varchar not null,
    run_id varchar not null,
    primary key (district_id, year, indicator_id)
);
