"""Where a run's time goes (the summary's time line): the seconds inside the target's calls and drawing the
calls are counted where the checks run, per part, and summed over the run; they are part of the checks'
time, never more."""

import time
import types

import initlib
from suite.commands import summary
from suite.engine import targets, verification, workers


def _timed_uniform(spent: list):
    def uniform_(tensor, a=0.0, b=1.0, generator=None):
        started = time.perf_counter()
        try:
            return initlib.uniform_(tensor, a, b, generator=generator)
        finally:
            spent.append(time.perf_counter() - started)

    return uniform_


def test_the_target_calls_and_the_drawing_are_counted_and_part_of_the_checks_time():
    spent: list[float] = []
    target = targets.Target("timed", types.SimpleNamespace(uniform_=_timed_uniform(spent)))
    outcome = verification.verify(target, ["uniform_"], 7321, "quick")  # a seed no other test draws: not cached
    split = outcome.spent
    assert spent and split.calls >= sum(spent)  # every call the target made, and the suite's wrapping of it
    assert split.drawing > 0  # the calls were drawn in this run
    assert split.seconds >= split.calls + split.drawing
    line = summary.time_line(outcome)
    assert f"{split.seconds:.1f} s; {split.calls:.1f} s in timed's calls, {split.drawing:.1f} s drawing" in line


def test_a_unit_sums_its_parts_time():
    unit = workers._Unit("uniform_", 2, None)
    unit.finish(1, workers._Piece([], {}, calls=0.5, drawing=0.25), 1.0)
    unit.finish(0, workers._Piece([], {}, calls=1.5, drawing=0.0), 2.0)
    assert unit.spent == workers.Spent(3.0, 2.0, 0.25)
