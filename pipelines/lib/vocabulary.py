"""The published vocabulary: the status of every cell, as the mart, the exports, the pages and the audit
say it. One definition: a module that names a status imports it from here (``tests/test_vocabulary.py`` fails
on a module-level constant holding a status anywhere else, and on a status in a release that is not one of
these)."""

from __future__ import annotations

PUBLISHED = "veröffentlicht"  # count (and where public its denominator and rate) shown
SECRET = "geheimgehalten"  # hidden by the protection (P1, P2, secondary, …) or kept secret by the source
TOO_FEW = "zu wenige Einwohner"  # P3: the district's population or the group is too small to show
NO_DATA = "keine Daten"  # nothing delivered or nothing computable: not a protection

STATUSES = (PUBLISHED, SECRET, TOO_FEW, NO_DATA)
HIDDEN = (SECRET, TOO_FEW)  # the statuses that withhold a value for protection
