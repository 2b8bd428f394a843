"""The independent disclosure audit (blocking): re-derives every hidden cell's attacker bounds from
the published table, the private suppression log, earlier releases and extra linear facts.

Written separately from :mod:`pipelines.lib.protection` and importing nothing from it, so that a bug
in one is caught by the other.
"""

from pipelines.lib.audit.check import AuditResult, audit
from pipelines.lib.audit.linear import LinearConstraint

__all__ = ["AuditResult", "LinearConstraint", "audit"]
