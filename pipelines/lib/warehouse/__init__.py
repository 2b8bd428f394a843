"""The private DuckDB warehouse: raw counts in, indicator cells along the hierarchy out."""
