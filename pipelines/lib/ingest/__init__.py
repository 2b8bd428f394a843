"""Ingestion: readers for German CSV, Excel, Parquet and geometry files, table symbols, validation.

Entry point: :func:`load_inputs` (and :func:`validate_inputs`). Error codes: :mod:`.codes`.
"""

from pipelines.lib.ingest.files import InputFile
from pipelines.lib.ingest.load import Inputs, load_inputs, validate_inputs

__all__ = ["InputFile", "Inputs", "load_inputs", "validate_inputs"]
