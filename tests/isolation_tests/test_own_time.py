"""In a worker, the per-call and unit time limits are on the worker's own time: wall-clock time less
the time the machine withheld from it (waiting for a core, or stopped). A call stopped for longer than
its limit passes; a call that hangs still fails at its limit (tests/isolation_tests/test_hostile_targets.py)."""

import time

import pytest

from suite.engine import workers
from tests.isolation_tests import stopped_target
from tests.suite_tests.helpers import HERE, load, suite

STOPPED = HERE.parent / "isolation_tests" / "stopped_target.py"
TIME_LIMIT = 1  # seconds: shorter than the stop


@pytest.mark.slow  # tox -e slow-tests: a few seconds stopped
def test_a_call_stopped_longer_than_its_limit_passes(tmp_path):
    path = tmp_path / "verify.json"
    args = ("--target", str(STOPPED), "--only", "uniform_,ones_", "--budget", "quick", "--jobs", "1")
    started = time.monotonic()
    result = suite("verify", *args, "--time-limit", str(TIME_LIMIT), "--quiet", "--json", str(path), timeout=600)
    assert time.monotonic() - started > stopped_target.STOP_SECONDS  # the worker was stopped
    assert result.returncode == 0, result.stdout + result.stderr
    verdicts = load(path)["verdicts"]
    assert {v["initializer"] for v in verdicts} == {"uniform_", "ones_"}
    assert all(v["status"] == "pass" for v in verdicts)


class _FakeProc:
    """Readings of /proc/PID/schedstat's run_delay (seconds) and the stopped state, in turn."""

    def __init__(self, readings):
        self.readings = iter(readings)

    def __call__(self):
        return next(self.readings)


def _clock(monkeypatch, readings, times):
    fake_times = iter(times)
    monkeypatch.setattr(workers.time, "monotonic", lambda: next(fake_times))
    clock = workers._Clock.__new__(workers._Clock)
    clock._read = _FakeProc(readings)
    clock.withheld, clock.last = 0.0, next(fake_times)
    clock.delay, clock.stopped = clock._read()
    return clock


def test_the_clock_withholds_the_time_waiting_for_a_core(monkeypatch):
    # 10 s of wall time, of which 7 s runnable but waiting (run_delay 1 -> 8)
    clock = _clock(monkeypatch, [(1.0, False), (8.0, False)], [100.0, 110.0])
    clock.tick()
    assert clock.withheld == pytest.approx(7.0)
    assert clock.since(100.0, 0.0) == pytest.approx(3.0)


def test_the_clock_withholds_the_time_stopped(monkeypatch):
    # stopped at the second poll: the interval counts as withheld; running again at the third
    clock = _clock(monkeypatch, [(1.0, False), (1.0, True), (1.5, False)], [0.0, 5.0, 6.0])
    clock.tick()
    assert clock.withheld == pytest.approx(5.0)
    clock.tick()  # the interval it was continued in counts as stopped too (it was stopped at its start)
    assert clock.withheld == pytest.approx(6.0)


def test_a_hang_is_not_withheld(monkeypatch):
    # asleep (not runnable, not stopped): run_delay does not grow, every second counts
    clock = _clock(monkeypatch, [(2.0, False), (2.0, False)], [0.0, 30.0])
    clock.tick()
    assert clock.since(0.0, 0.0) == pytest.approx(30.0)


def test_without_proc_files_the_clock_is_wall_clock(monkeypatch):
    clock = _clock(monkeypatch, [(None, False), (None, False)], [0.0, 12.0])
    clock.tick()
    assert clock.since(0.0, 0.0) == pytest.approx(12.0)


def test_the_clock_reads_a_real_process():
    import os

    clock = workers._Clock(os.getpid())
    assert clock.delay is not None or not os.path.exists(f"/proc/{os.getpid()}/schedstat")
    clock.tick()
    assert clock.withheld >= 0.0 and not clock.stopped
