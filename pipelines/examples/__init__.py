"""Examples that are not part of the main asset graph (load them with ``dagster dev -m``)."""
