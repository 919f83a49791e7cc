"""python -m suite verify as users run it: exit codes, JSON, replay, usage errors."""

import pytest

from .helpers import HERE, load, suite


def test_unknown_module_is_a_usage_error():
    result = suite("verify", "--target", "no_such_module_xyz")
    assert result.returncode == 2
    assert "--target" in result.stderr and "no_such_module_xyz" in result.stderr


def test_unknown_name_in_only_is_a_usage_error():
    result = suite("verify", "--target", "initlib", "--only", "xavier_uniform_,bogus_")
    assert result.returncode == 2
    assert "bogus_" in result.stderr


def test_unreadable_ledger_is_a_usage_error(tmp_path):
    bad = tmp_path / "ledger.toml"
    bad.write_text("[[deviation]]\ncheck = 3\n")
    result = suite("verify", "--target", "initlib", "--only", "eye_", "--expect", str(bad))
    assert result.returncode == 2 and "ledger.toml" in result.stderr


def test_same_seed_gives_identical_json(tmp_path):
    args = (
        "verify",
        "--target",
        "initlib",
        "--only",
        "xavier_uniform_,orthogonal_,sparse_",
        "--budget",
        "quick",
        "--seed",
        "7",
        "--quiet",
    )
    first = suite(*args, "--json", str(tmp_path / "a.json"))
    second = suite(*args, "--json", str(tmp_path / "b.json"))
    assert first.returncode == second.returncode == 0, first.stdout + first.stderr
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
    record = load(tmp_path / "a.json")
    assert record["schema"] == "initcheck.verify/1" and record["seed"] == 7
    statistical = [v for v in record["verdicts"] if v["p_value"] is not None]
    assert statistical and all(v["alpha"] and v["sample_size"] and v["power"] is not None for v in statistical)
    assert any(v["plot"] for v in record["verdicts"] if v["check"] == "shape")


def test_other_seed_draws_other_calls(tmp_path):
    for seed in ("1", "2"):
        suite(
            "verify",
            "--target",
            "initlib",
            "--only",
            "xavier_normal_",
            "--budget",
            "quick",
            "--seed",
            seed,
            "--quiet",
            "--json",
            str(tmp_path / f"{seed}.json"),
        )
    calls = [{v["call"] for v in load(tmp_path / f"{s}.json")["verdicts"]} for s in ("1", "2")]
    assert calls[0] != calls[1]


def test_broken_target_gets_verdicts_not_a_crash():
    target = str(HERE / "broken_targets.py")
    result = suite(
        "verify",
        "--target",
        target,
        "--budget",
        "quick",
        "--time-limit",
        "1",
        "--only",
        "xavier_uniform_,xavier_normal_,kaiming_uniform_,kaiming_normal_,normal_,uniform_,orthogonal_,calculate_gain",
    )
    assert result.returncode == 1, result.stderr
    out = result.stdout
    assert "raised RuntimeError: boom" in out
    assert "did not return within 1 s" in out
    assert "kaiming_uniform_/api.returns_argument" in out  # a new tensor instead of the argument
    assert "kaiming_normal_/finite" in out  # NaN everywhere
    assert "normal_/finite" in out  # one inf
    assert "uniform_/api.keeps_dtype_shape" in out  # dtype changed under the caller
    assert "orthogonal_/api.returns_argument" in out
    assert "calculate_gain/gain.table" in out
    assert "Traceback" not in result.stderr


def test_no_ledger_makes_torch_deviations_failures():
    result = suite(
        "verify",
        "--target",
        "torch.nn.init",
        "--only",
        "sparse_",
        "--budget",
        "quick",
        "--expect",
        "/dev/null",
        "--quiet",
    )
    assert result.returncode == 1
    assert "sparse_/api.generator" in result.stdout and "seed:" in result.stdout
    assert (
        "Replay: python -m suite verify --target torch.nn.init --seed 0 --budget quick --only sparse_" in result.stdout
    )


@pytest.mark.slow  # tox -e slow-tests
def test_layer_defaults_target():
    # a few entries (the whole target is tox -e verify-torch-layers): Linear, Conv2d, an LSTM, a norm
    only = "linear_weight_,conv2d_bias_,lstm_bias_hh_l0_,layer_norm_weight_"
    result = suite("verify", "--target", "torch-layers", "--only", only, "--budget", "quick", "--quiet")
    assert result.returncode == 0, result.stdout[-3000:]
    assert "linear_weight_" in result.stdout and "conv2d_bias_" in result.stdout
