"""Disclosure control: primary rules (P1–P4, upstream secrecy), secondary suppression on the
hierarchy of every indicator-year and the private suppression log.

Method (details in the module docstrings):

* :mod:`.primary` — which cells must be hidden and what "protected" means for each of them;
* :mod:`.bounds` — the attacker's exact integer bounds of every cell on a hierarchy (two-pass
  interval propagation, exact because the tree constraint matrix is totally unimodular);
* :mod:`.secondary` — choosing complementary cells until every requirement holds, then dropping the
  redundant ones;
* :mod:`.protect` — the stage entry point and its output tables.

The independent check lives in :mod:`pipelines.lib.audit`, which shares no code with this package.
"""

from pipelines.lib.protection.primary import (
    STATUS_HIDDEN,
    STATUS_MISSING,
    STATUS_PUBLISHED,
    STATUS_SMALL,
)
from pipelines.lib.protection.protect import LOG_COLUMNS, ProtectionResult, protect

__all__ = [
    "LOG_COLUMNS",
    "STATUS_HIDDEN",
    "STATUS_MISSING",
    "STATUS_PUBLISHED",
    "STATUS_SMALL",
    "ProtectionResult",
    "protect",
]
