"""Hypothesis settings profiles shared by the project's tests and the conformance tests.

``ci`` (loaded when the CI variable is set): derandomized, no example database, so CI never flakes;
``dev``: Hypothesis's own randomness and database. ``HYPOTHESIS_PROFILE`` chooses explicitly.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_COMMON = {
    "deadline": None,
    "print_blob": True,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
}


def load() -> str:
    settings.register_profile("ci", derandomize=True, database=None, **_COMMON)
    settings.register_profile("dev", **_COMMON)
    name = os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
    settings.load_profile(name)
    return name
