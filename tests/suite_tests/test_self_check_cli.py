"""python -m suite mutants and calibrate as users run them: exit codes and JSON records."""

from .helpers import ROOT, load, suite


def test_mutants_killed_or_documented(tmp_path):
    out = tmp_path / "mutants.json"
    result = suite(
        "mutants",
        "--seeds",
        "2",
        "--budget",
        "quick",
        "--jobs",
        "1",
        "--only",
        "xavier_fan_in_only,normal_std_0p2pct,orthogonal_not_haar,kaiming_not_in_place",
        "--json",
        str(out),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    record = load(out)
    assert record["schema"] == "initcheck.mutants/1" and record["seeds"] == [0, 1]
    status = {m["name"]: m for m in record["mutants"]}
    assert (
        status["xavier_fan_in_only"]["status"] == "killed" and "scale" in status["xavier_fan_in_only"]["killing_checks"]
    )
    assert status["orthogonal_not_haar"]["killing_checks"][0].startswith("haar.")
    assert status["normal_std_0p2pct"]["status"] == "equivalent"
    assert status["normal_std_0p2pct"]["equivalent"]["detect_n"] > 1_000_000
    assert "killed at every one of 2 seeds" in result.stdout


def test_unknown_mutant_is_a_usage_error():
    result = suite("mutants", "--only", "no_such_mutant")
    assert result.returncode == 2 and "no_such_mutant" in result.stderr


def test_calibration_of_a_correct_target_passes(tmp_path):
    out = tmp_path / "calibration.json"
    result = suite(
        "calibrate",
        "--target",
        "initlib",
        "--seeds",
        "2",
        "--budget",
        "quick",
        "--only",
        "xavier_uniform_,normal_",
        "--simulate",
        "20",
        "--jobs",
        "1",
        "--json",
        str(out),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    record = load(out)
    assert record["schema"] == "initcheck.calibration/1" and record["summary"]["calibrated"]
    assert {row["check"] for row in record["checks"]} >= {"scale", "shape", "location", "independence.serial"}
    default_mde = [row["mde_rel_std"] for row in record["mde"] if row["budget"] == "default"]
    assert default_mde and max(default_mde) <= 0.01
    assert any("simulated" in row for row in record["mde"])


def test_calibration_rejects_a_wrong_target():
    result = suite(
        "calibrate",
        "--target",
        str(ROOT / "examples" / "my_initializers.py"),
        "--seeds",
        "2",
        "--budget",
        "quick",
        "--only",
        "kaiming_normal_",
        "--simulate",
        "0",
        "--jobs",
        "1",
    )
    assert result.returncode == 1
    assert "NOT calibrated" in result.stdout
