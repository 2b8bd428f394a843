"""Candidate releases: built in their own folder, audited, then switched on atomically."""
