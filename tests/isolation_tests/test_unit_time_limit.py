"""A unit of work (one initializer's checks) has a time limit of its own: a target whose every call is
well within the per-call limit but whose checks as a whole would take minutes gets one failing verdict
naming the unit limit, in a worker and in-process alike, while its other functions pass in the same run."""

import pytest

from suite.commands.cli import main
from tests.suite_tests.helpers import HERE, load, suite

SLOW = HERE.parent / "isolation_tests" / "slow_target.py"
UNIT_LIMIT = 30  # seconds: ample for ones_ on a busy machine; uniform_ makes hundreds of 0.3 s calls


@pytest.mark.slow  # tox -e slow-tests: UNIT_LIMIT seconds per mode
@pytest.mark.parametrize("mode", [("--jobs", "1"), ("--isolation", "none")])
def test_a_slow_unit_fails_naming_the_limit_and_the_run_goes_on(mode, tmp_path):
    path = tmp_path / "verify.json"
    args = ("--target", str(SLOW), "--only", "uniform_,ones_", "--budget", "quick", "--unit-time-limit")
    result = suite("verify", *args, str(UNIT_LIMIT), *mode, "--quiet", "--json", str(path), timeout=600)
    assert result.returncode == 1, result.stdout + result.stderr
    verdicts = load(path)["verdicts"]
    slow = [v for v in verdicts if v["initializer"] == "uniform_"]
    assert [v["check"] for v in slow] == ["unit.time_limit"]
    assert slow[0]["status"] == "fail" and f"within {UNIT_LIMIT} s" in slow[0]["reason"]
    assert "--unit-time-limit" in slow[0]["reason"]
    ones = [v for v in verdicts if v["initializer"] == "ones_"]
    assert ones and all(v["status"] == "pass" for v in ones)


@pytest.mark.slow  # tox -e slow-tests
def test_a_worker_stuck_inside_c_past_the_unit_limit_is_killed(tmp_path):
    """normal_ sleeps 60 s inside C; the per-call limit (120 s) would wait for it, the unit limit does not."""
    path = tmp_path / "verify.json"
    args = ("--target", str(SLOW), "--only", "normal_,ones_", "--budget", "quick", "--time-limit", "120")
    result = suite(
        "verify", *args, "--unit-time-limit", str(UNIT_LIMIT), "--jobs", "1", "--json", str(path), timeout=600
    )
    assert result.returncode == 1, result.stdout + result.stderr
    verdicts = load(path)["verdicts"]
    stuck = [v for v in verdicts if v["initializer"] == "normal_"]
    assert [v["check"] for v in stuck] == ["unit.time_limit"] and f"within {UNIT_LIMIT} s" in stuck[0]["reason"]
    assert [v["status"] for v in verdicts if v["initializer"] == "ones_"] == ["pass"] * (len(verdicts) - 1)


@pytest.mark.parametrize("value", ["0", "-1"])
def test_a_unit_time_limit_that_is_not_positive_is_a_usage_error(value, capsys):
    assert main(["verify", "--target", "initlib", "--unit-time-limit", value]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--unit-time-limit" in err[0] and "> 0" in err[0]
