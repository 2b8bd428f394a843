-- Public inputs the protection stage passes into the candidate mart beside the protected values.
-- offers: locations of services (public by nature).
create table offers (
    offer_id varchar primary key,
    name varchar not null,
    category varchar not null,
    age_band varchar not null,          -- target ages "a-b" = a to under b
    geometry geometry not null,         -- point, workspace CRS
    run_id varchar not null
);

-- population: inhabitants by age band of the smallest districts. A district-year is published only when
-- the district has at least min_population inhabitants and no age band holds 1 to k-1 persons
-- (all bands or none); no band is published for larger districts (no differences can be taken).
create table population (
    district_id varchar not null,
    year integer not null,
    age_band varchar not null,          -- ages "a-b" = a to b inclusive, "65+"
    population bigint not null,
    run_id varchar not null,
    primary key (district_id, year, age_band)
);
