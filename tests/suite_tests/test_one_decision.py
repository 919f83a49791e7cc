"""The pytest driver and ``python -m suite verify`` reach the same verdicts for the same target, seed,
budget and selection: both call the engine's one run and its one decision (Holm over the run)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NAMES = ("normal_", "orthogonal_", "sparse_", "eye_")
FIELDS = ("id", "measured", "p_value", "p_adjusted", "alpha", "sample_size", "passed", "status")


def _run(args: list[str]) -> None:
    done = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode in (0, 1), done.stdout[-2000:] + done.stderr[-2000:]


def _verdicts(path: Path) -> list[dict]:
    return [{k: v.get(k) for k in FIELDS} for v in json.loads(path.read_text())["verdicts"]]


def test_pytest_driver_and_verify_reach_the_same_verdicts(tmp_path):
    common = ["--target", "initlib", "--budget", "quick", "--seed", "11"]
    driver, command = tmp_path / "driver.json", tmp_path / "verify.json"
    nodes = [f"suite/conformance/test_claims.py::test_initializer[{name}]" for name in NAMES]
    _run(["-m", "pytest", *nodes, *common, "--verdicts-json", str(driver), "-q", "-p", "no:cacheprovider"])
    _run(["-m", "suite", "verify", *common, "--only", ",".join(NAMES), "--json", str(command), "--quiet"])
    from_driver, from_command = _verdicts(driver), _verdicts(command)
    assert len(from_command) > 50
    assert {v["id"].split("/")[0] for v in from_command} == set(NAMES)
    assert from_driver == from_command


@pytest.mark.slow
def test_the_driver_under_xdist_reaches_the_same_verdicts_from_one_shared_run(tmp_path):
    """``-n 2``: both xdist workers take the one run's outcome (the first runs it, the other reads it)."""
    common = ["--target", "initlib", "--budget", "quick", "--seed", "11"]
    driver, command = tmp_path / "driver.json", tmp_path / "verify.json"
    nodes = [f"suite/conformance/test_claims.py::test_initializer[{name}]" for name in NAMES]
    base = tmp_path / "base"
    _run(
        [
            "-m",
            "pytest",
            *nodes,
            *common,
            "-n",
            "2",
            "--basetemp",
            str(base),
            "--verdicts-json",
            str(driver),
            "-q",
            "-p",
            "no:cacheprovider",
        ]
    )
    _run(["-m", "suite", "verify", *common, "--only", ",".join(NAMES), "--json", str(command), "--quiet"])
    assert _verdicts(driver) == _verdicts(command)
    assert [p.name for p in (base / "initcheck-outcome").iterdir() if p.name.startswith("outcome")] == [
        "outcome.pickle"
    ]


def test_a_p_value_that_is_not_a_number_fails_its_check():
    """statsmodels leaves a NaN p-value unrejected; the decision counts it as 0, so an undefined statistic
    (a variance ratio on constant values) fails instead of passing by default."""
    from suite.engine.decision import holm

    rejected, adjusted = holm([0.5, float("nan"), 0.2], 1e-3)
    assert rejected == [False, True, False] and adjusted[1] == 0.0


def test_constant_rows_fail_the_row_means_check_with_the_reason():
    """Clamping N(0, 1) to [-8, -4] (a wrong truncated normal) puts nearly every value on -4: the row and
    column means of an all-constant matrix leave the dispersion statistic undefined, and the check fails."""
    import torch

    from suite.engine import verification
    from suite.engine.targets import load

    def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
        with torch.no_grad():
            return tensor.normal_(mean, std, generator=generator).clamp_(a, b)

    target = load("initlib")
    target.obj = type("Clamped", (), {"trunc_normal_": staticmethod(trunc_normal_)})
    outcome = verification.verify(target, ["trunc_normal_"], 0, "quick")
    undefined = [v for v in outcome.verdicts if v.statistical and v.p_value != v.p_value]
    assert undefined and all(not v.passed and verification.UNDEFINED_P in v.reason for v in undefined)
