"""One module per pipeline stage, each combining library pieces into what Dagster (or a test) calls.

ingest → warehouse → protection → analysis → exports / dashboards → audit → switch
"""
