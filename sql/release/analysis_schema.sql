-- Analysis tables of the published mart, computed by the analysis stage from published figures only.
-- Every table carries the run id; analysis_parameters holds the settings each table was computed with.
create table analysis_parameters (
    analysis varchar not null,          -- table name
    parameter varchar not null,
    value varchar not null,             -- JSON
    run_id varchar not null,
    primary key (analysis, parameter)
);

create table indicator_benchmarks (
    district_id varchar not null,
    year integer not null,
    indicator_id varchar not null,
    level varchar not null,
    rate double not null,               -- in the indicator's unit
    ci_low double,
    ci_high double,
    city_rate double,
    vs_city varchar,                    -- besser | ähnlich | schlechter (höher | niedriger | ähnlich without direction)
    parent_rate double,
    vs_parent varchar,
    base_year integer,                  -- year - years_back, where that year's value is published
    base_rate double,
    change double,                      -- percentage points (shares) or per 1,000
    change_ci_low double,               -- Newcombe hybrid score (shares) / MOVER with exact or Byar limits
    change_ci_high double,
    change_label varchar,               -- verbessert | verschlechtert | gestiegen | gesunken | keine klare Veränderung
    run_id varchar not null,
    primary key (district_id, year, indicator_id)
);

create table need_index (
    district_id varchar not null,
    level varchar not null,
    year integer not null,
    base_year integer not null,
    status_score double,                -- weighted mean of aligned z-scores (higher = more need)
    status_z double,                    -- status_score standardised within the level
    status_class integer,               -- 1..4
    status_label varchar,               -- niedrig | mittel | hoch | sehr hoch
    components_used integer not null,
    weight_share double not null,       -- share of the total weight available
    dynamics_z double,
    dynamics_label varchar,             -- verbessert | stabil | verschlechtert
    special_need boolean not null,      -- Gebiet mit besonderem Handlungsbedarf
    special_need_rule varchar,
    run_id varchar not null,
    primary key (district_id, year)
);

create table need_index_sensitivity (
    level varchar not null,
    year integer not null,
    component_type varchar not null,    -- Bereich | Indikator
    component varchar not null,
    weight_change_percent integer not null,
    districts_changed integer not null,
    districts_classified integer not null,
    run_id varchar not null
);

create table hotspots (
    district_id varchar not null,
    level varchar not null,
    year integer not null,
    indicator_id varchar not null,      -- or 'need_index' for the status score
    method varchar not null,
    value double,                       -- EB-standardised rate or status score
    local_i double,
    p_value double,                     -- pseudo p-value (permutations)
    q_value double,                     -- Benjamini-Hochberg
    label varchar not null,             -- hoch-hoch | niedrig-niedrig | hoch-niedrig | niedrig-hoch | nicht signifikant | kein Wert | keine Nachbarn | zu wenige Gebiete
    run_id varchar not null,
    primary key (district_id, indicator_id)
);

create table offer_coverage (
    district_id varchar not null,
    level varchar not null,
    year integer,                       -- population year
    category varchar not null,
    age_band varchar not null,
    offers integer not null,
    children bigint,
    children_complete boolean not null,
    offers_per_1000 double,
    reference_per_1000 double,          -- the whole level's coverage (districts with a coverage)
    distance_m double,                  -- district centroid to the nearest offer of the category
    need_class integer,
    supply_gap boolean not null,        -- Versorgungslücke
    gap_rank integer,
    run_id varchar not null,
    primary key (district_id, category, age_band)
);

create table allocation (
    district_id varchar not null,
    level varchar not null,
    year integer not null,
    method varchar not null,
    input_source varchar not null,      -- veröffentlicht | geschätzt aus übergeordneten Gebieten
    share double not null,
    amount bigint not null,             -- whole euros, sums to the budget
    reference_population double not null,
    amount_per_child double,
    per_capita_amount bigint not null,
    difference bigint not null,
    run_id varchar not null,
    primary key (district_id)
);

create table allocation_terms (
    district_id varchar not null,
    indicator_id varchar not null,
    year integer not null,
    source_district_id varchar not null,
    coefficient double not null,        -- euros per count: exact quota = sum(coefficient * numerator)
    run_id varchar not null
);
