"""Every claim of the target's claims table, as pytest tests on the ``--target``: one test per
initializer (and, for initializer modules, per extra and network property).

The verdicts come from one run of the engine for the session (``conftest.outcome``), decided as
``python -m suite verify`` decides them: Holm's step-down over every statistical verdict of the run
(:func:`suite.engine.decision.holm`), so the session's false-alarm rate stays within ``--alpha`` and the
same seed and budget give the same verdicts either way. Calls are drawn by Hypothesis strategies from
the run's seed. A test fails with the verdicts that do not hold: claimed and measured values and the seed
that replays them. Ledgered deviations xfail; ledgered checks that now pass warn.
"""

from __future__ import annotations

import warnings

import pytest

from suite.engine.verdict import DEVIATION, DEVIATION_FIXED, FAIL


def test_initializer(name, outcome, verify_target):
    if name in outcome.not_provided:
        pytest.skip(f"{name} is not provided by {verify_target.name}")
    verdicts = [v for v in outcome.verdicts if v.initializer == name]
    if not verdicts:
        pytest.skip(f"{verify_target.name} provides none of the initializers {name} uses")
    for v in verdicts:
        if v.status == DEVIATION_FIXED:
            warnings.warn(f"{v.id}: {v.reason}", stacklevel=2)
    failures = [v for v in verdicts if v.status == FAIL]
    assert not failures, "claims violated:\n" + "\n".join(v.describe() for v in failures)
    deviations = sorted({v.id.split("#")[0] for v in verdicts if v.status == DEVIATION})
    if deviations:
        pytest.xfail("known deviations: " + ", ".join(deviations))
