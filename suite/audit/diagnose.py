"""The model audit's diagnosis of a parameter: the shared one, :mod:`suite.engine.diagnosis` (verify uses it
too), re-exported under the name the audit has always imported."""

from suite.engine.diagnosis import NEAR, conventions, describe

__all__ = ["NEAR", "conventions", "describe"]
