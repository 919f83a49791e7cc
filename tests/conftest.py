"""Hypothesis profiles: derandomized (and database-free) when CI is set, so CI never flakes."""

from suite.engine import profiles

profiles.load()
