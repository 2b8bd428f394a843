"""Dagster assets, checks, schedule and sensor: thin wrappers around ``pipelines.lib.stages``."""
