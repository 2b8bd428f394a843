"""Pure library code of sozialmonitor: no Dagster imports below this package."""
