"""A target that segfaults, calls os._exit, hangs inside C, blows up its memory, changes process-wide
state and returns a tensor on another device (examples/hostile_initializers.py): each of those functions
gets a failing verdict that says what happened, the correct functions pass, and the run, its JSON and its
summary complete."""

import pytest

from tests.suite_tests.helpers import ROOT, load, suite

HOSTILE = ROOT / "examples" / "hostile_initializers.py"
TIME_LIMIT = 2  # seconds, passed as --time-limit
MEMORY_LIMIT = "2G"
JOBS = 2  # --memory-limit; the blow-up asks for 6 GiB
CORRECT = ["xavier_uniform_", "ones_"]
MISBEHAVING = ["xavier_normal_", "kaiming_normal_", "normal_", "orthogonal_", "uniform_", "trunc_normal_", "zeros_"]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    path = tmp_path_factory.mktemp("hostile") / "verify.json"
    result = suite(
        "verify",
        "--target",
        str(HOSTILE),
        "--budget",
        "quick",
        "--only",
        ",".join(CORRECT + MISBEHAVING),
        "--time-limit",
        str(TIME_LIMIT),
        "--memory-limit",
        MEMORY_LIMIT,
        "--jobs",
        str(JOBS),
        "--quiet",
        "--json",
        str(path),
        timeout=600,
    )
    return result, load(path)


def verdicts_of(record: dict, name: str) -> list[dict]:
    return [v for v in record["verdicts"] if v["initializer"] == name]


def first_call(record: dict, name: str) -> dict:
    """The verdict of the function's first call (the API check's call)."""
    return next(v for v in verdicts_of(record, name) if v["check"] == "api.call")


def test_the_run_completes_with_a_verdict_for_every_function(run):
    result, record = run
    assert result.returncode == 1, result.stdout + result.stderr  # claims violated, not a crash
    assert "Traceback" not in result.stderr
    assert {v["initializer"] for v in record["verdicts"]} == set(CORRECT + MISBEHAVING)
    assert record["summary"]["failed"] > 0 and "interrupted" not in record


def test_correct_functions_pass_in_the_same_run(run):
    _, record = run
    for name in CORRECT:
        statuses = {v["check"]: v["status"] for v in verdicts_of(record, name)}
        assert statuses and set(statuses.values()) == {"pass"}, (name, statuses)


def test_a_segfault_fails_the_call_naming_the_signal(run):
    verdict = first_call(run[1], "xavier_normal_")
    assert verdict["status"] == "fail" and "SIGSEGV" in verdict["reason"]
    assert verdict["call"].startswith("xavier_normal_(") and verdict["seed"] is not None


def test_os_exit_fails_the_call_naming_the_exit_status(run):
    verdict = first_call(run[1], "kaiming_normal_")
    assert verdict["status"] == "fail" and "exit status 3" in verdict["reason"]


def test_a_hang_inside_c_is_killed_from_outside(run):
    verdict = first_call(run[1], "normal_")
    assert verdict["status"] == "fail"
    assert f"did not return within {TIME_LIMIT} s" in verdict["reason"] and "killed" in verdict["reason"]


def test_an_interruptible_c_sleep_ends_at_the_time_limit(run):
    verdict = first_call(run[1], "orthogonal_")
    assert verdict["status"] == "fail" and f"did not return within {TIME_LIMIT} s" in verdict["reason"]


def test_later_calls_of_a_killed_function_are_not_made(run):
    """Its checks are split into parts (one per case) that workers share: a part that started before the
    first crash was known may crash its own worker (at most one per other worker); every later call
    and every part started later is refused."""
    calls = [v for v in verdicts_of(run[1], "xavier_normal_") if v["check"] in ("call", "api.call")]
    refused = [v for v in calls if "not called: an earlier call killed its worker process with SIGSEGV" in v["reason"]]
    crashed = [v for v in calls if v not in refused]
    assert all(v["status"] == "fail" for v in calls)
    assert all("SIGSEGV" in v["reason"] for v in crashed) and 1 <= len(crashed) <= JOBS
    assert len(refused) >= len(calls) - JOBS >= 1


def test_a_memory_blow_up_fails_the_call_naming_the_limit(run):
    verdict = first_call(run[1], "uniform_")
    assert verdict["status"] == "fail" and "memory limit is 2 GiB" in verdict["reason"]


def test_a_global_state_changer_fails_its_own_global_rng_check(run):
    statuses = {v["check"]: v["status"] for v in verdicts_of(run[1], "trunc_normal_")}
    assert statuses["api.global_rng"] == "fail"


def test_a_tensor_on_another_device_is_not_the_argument(run):
    statuses = {v["check"]: v["status"] for v in verdicts_of(run[1], "zeros_")}
    assert statuses["api.returns_argument"] == "fail" and statuses["api.in_place"] == "fail"
