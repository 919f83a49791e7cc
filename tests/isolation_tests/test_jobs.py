"""--jobs spreads the units over workers without changing the result: the JSON of --jobs 1, --jobs 2
and --isolation none is the same (ids, measured values, p-values, statuses); the options are checked
before any work; Ctrl-C keeps the verdicts reached so far."""

import json
import signal
import subprocess
import sys

import pytest

from reports import loader as reports_loader
from suite.commands.cli import main
from tests.suite_tests.helpers import ROOT, load, suite

#: torch.nn.init.sparse_ draws from the global RNG; xavier_uniform_ is the common kind of unit;
#: orthogonal_'s QR rounds differently with another torch thread count (the guard fixes the count).
ONLY = "sparse_,xavier_uniform_,orthogonal_"


def without_environment(record: dict) -> dict:
    return {key: value for key, value in record.items() if key != "environment"}


@pytest.mark.slow  # tox -e slow-tests
def test_the_json_is_the_same_for_every_number_of_jobs(tmp_path):
    records = {}
    for mode in (("--jobs", "1"), ("--jobs", "2"), ("--isolation", "none")):
        path = tmp_path / f"{mode[1]}.json"
        args = ("verify", "--target", "torch.nn.init", "--only", ONLY, "--budget", "quick", "--seed", "11")
        result = suite(*args, *mode, "--quiet", "--json", str(path))
        assert result.returncode in (0, 1), result.stdout + result.stderr
        records[mode] = without_environment(load(path))
    first, *others = records.values()
    assert len(first["verdicts"]) > 50
    for other in others:
        assert json.dumps(other, sort_keys=True) == json.dumps(first, sort_keys=True)


@pytest.mark.parametrize(
    ("options", "named"),
    [
        (["--jobs", "0"], "--jobs"),
        (["--memory-limit", "lots"], "--memory-limit"),
        (["--memory-limit", "100M"], "--memory-limit"),
        (["--isolation", "none", "--jobs", "2"], "--isolation none"),
    ],
)
def test_bad_worker_options_are_one_line_usage_errors(options, named, capsys):
    assert main(["verify", "--target", "initlib", *options]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and named in err[0]


@pytest.mark.slow  # tox -e slow-tests
def test_ctrl_c_keeps_the_verdicts_so_far(tmp_path):
    path = tmp_path / "interrupted.json"
    command = [sys.executable, "-m", "suite", "verify", "--target", "initlib", "--budget", "quick", "--jobs", "1"]
    process = subprocess.Popen(
        [*command, "--json", str(path)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    for line in process.stdout:  # wait for the first finished unit
        if "checks (" in line:
            break
    process.send_signal(signal.SIGINT)
    process.communicate(timeout=120)
    assert process.returncode == 130
    record = load(path)
    assert record["interrupted"] is True and record["verdicts"]
    assert reports_loader.load(path).data == record  # a document the report reads, valid against its schema
    assert record["summary"]["exit_code"] == 130
    names = {v["initializer"] for v in record["verdicts"]}
    assert "uniform_" in names and "zeros_" not in names  # the first unit in, the last one not reached


def test_the_parts_of_an_initializers_checks_are_its_cases():
    """Workers share an initializer's checks part by part, one part per case: every case has verdicts,
    and there are as many parts as cases (no case dropped, none run twice)."""
    from suite.engine import verification
    from suite.engine.targets import load as load_target
    from suite.stats import budget as budgets

    target = load_target("initlib")
    names = ["xavier_uniform_", "orthogonal_", "eye_"]
    plan = verification.make_plan(target.claims, budgets.get("quick"), budgets.DEFAULT_ALPHA, True)
    outcome = verification.verify(target, names, 0, "quick")
    for name in names:
        spec = target.claims[name]
        cases = {v.case for v in outcome.verdicts if v.initializer == name}
        assert cases == set(range(spec.case_count(plan.budget.cases))), name
        assert verification.parts(spec, plan) == (len(cases) if spec.random else 1)
