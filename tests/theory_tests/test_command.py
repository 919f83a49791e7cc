"""python -m suite theory: usage errors, a check that fails when the theory is wrong, and (slow) the whole
quick run against the JSON Schema."""

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from suite.theory import registry, seeds
from suite.theory.families import products

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "suite" / "schemas" / "theory.schema.json").read_text())


def run_cli(*args, timeout=600):
    return subprocess.run(
        [sys.executable, "-m", "suite", "theory", *args], capture_output=True, text=True, cwd=ROOT, timeout=timeout
    )


def run_in_process(capsys, *args):
    from suite.commands import cli

    code = cli.main(["theory", *args])
    return code, capsys.readouterr()


@pytest.mark.parametrize(
    ("args", "needle"),
    [(["--alpha", "2"], "--alpha"), (["--only", "nope"], "--only"), (["--seed", "-1"], "--seed")],
)
def test_bad_input_is_one_line_and_exit_2(capsys, args, needle):
    code, out = run_in_process(capsys, *args)
    assert code == 2
    assert out.err.count("\n") == 1 and needle in out.err and out.out == ""


def test_a_wrong_theory_value_is_caught(monkeypatch):
    """Shift the closed-form mean by 5 % and the products family must reject it (it can fail)."""
    true_mean = products.theory.lognorm_mean
    monkeypatch.setattr(products.theory, "lognorm_mean", lambda L, n: 1.05 * true_mean(L, n))
    result = products.run(products.SIZES["quick"], seeds.generator(0, products.NAME))
    means = [c for c in result.checks if c.params["moment"] == "mean"]
    assert all(c.p_value < 1e-4 for c in means)


def test_seeds_replay_and_differ_by_family():
    a = seeds.generator(5, "products").initial_seed()
    assert a == seeds.generator(5, "products").initial_seed()
    assert a != seeds.generator(5, "meanfield").initial_seed() != seeds.generator(6, "products").initial_seed()


@pytest.mark.slow
def test_quick_run_holds_and_matches_the_schema(tmp_path):
    out = tmp_path / "theory.json"
    done = run_cli("--budget", "quick", "--quiet", "--json", str(out))
    assert done.returncode == 0, done.stdout + done.stderr
    doc = json.loads(out.read_text())
    jsonschema.Draft202012Validator(SCHEMA).validate(doc)
    assert {c["id"] for c in doc["checks"]} >= set(registry.REQUIRED_IDS)
    assert doc["summary"]["missing_ids"] == []
    again = tmp_path / "again.json"
    run_cli("--budget", "quick", "--quiet", "--only", "products,selu", "--json", str(again))
    replay = {
        (c["id"], json.dumps(c["params"], sort_keys=True)): c["measured"]
        for c in json.loads(again.read_text())["checks"]
    }
    first = {(c["id"], json.dumps(c["params"], sort_keys=True)): c["measured"] for c in doc["checks"]}
    assert all(first[k] == v for k, v in replay.items())
