"""Where a run's time goes, counted in the process that runs the checks: wall-clock seconds inside the
target's calls (:func:`suite.engine.invoke.invoke`) and seconds drawing the calls from their Hypothesis
strategies (:func:`suite.engine.verification.run_spec`); the rest of a part's time is the suite's own
checks and statistics. Taken (and reset) per part of a unit by :func:`suite.engine.workers.execute`, and
summed over the run in :class:`suite.engine.verification.Outcome`."""

from __future__ import annotations

#: Seconds inside the target's calls since the last :func:`take`.
calls = 0.0
#: Seconds drawing calls from the specs' strategies since the last :func:`take`.
drawing = 0.0


def take() -> tuple[float, float]:
    """(calls, drawing) seconds since the last take; both start again from zero."""
    global calls, drawing
    taken = calls, drawing
    calls = drawing = 0.0
    return taken
