"""python -m suite audit: exit statuses, one-line usage errors, JSON valid against its schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from suite.commands.cli import main

from .helpers import ROOT, TINY_GPT, TINY_SPEC

SCHEMA = json.loads((ROOT / "suite" / "schemas" / "audit.schema.json").read_text())


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--model", "no_such_module_xyz:f"], "--model: cannot import 'no_such_module_xyz'"),
        (["--model", f"{TINY_GPT}"], "--model: expected MODULE:FACTORY"),
        (["--model", f"{TINY_GPT}:missing"], "has no attribute 'missing'"),
        (["--model", f"{TINY_GPT}:STD"], "is not callable"),
        (["--model", f"{TINY_GPT}:correct", "--builds", "0"], "--builds: must be >= 1"),
        (["--model", f"{TINY_GPT}:correct", "--widths", "64,x"], "--widths: comma-separated integers"),
        (["--model", f"{TINY_GPT}:correct", "--input-shape", "0,3"], "--input-shape: every value must be"),
        (["--model", f"{TINY_GPT}:correct", "--widths", "32,64"], "--widths: needs an input"),
        (["--model", f"{TINY_GPT}:correct", "--spec", "missing.toml"], "--spec: cannot read 'missing.toml'"),
        (["--model", f"{TINY_GPT}:correct", "--alpha", "2"], "--alpha: must lie in (0, 1)"),
        (["--model", f"{TINY_GPT}:TinyGPT", "--spec", "BAD"], "line 2 ('nothing.*'): pattern"),
    ],
)
def test_usage_errors_exit_2_with_one_line(argv, message, capsys, tmp_path):
    if "BAD" in argv:
        bad = tmp_path / "bad.toml"
        bad.write_text('[params]\n"nothing.*" = "ones_()"\n')
        argv = [str(bad) if a == "BAD" else a for a in argv]
        message = "line 2: pattern 'nothing.*' matches no parameter"
    assert main(["audit", *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("python -m suite audit: error: ")
    assert message in err


def test_violation_exits_1_and_json_follows_the_schema(tmp_path, capsys):
    out = tmp_path / "audit.json"
    argv = ["audit", "--model", f"{TINY_GPT}:bug_std_15_percent", "--spec", str(TINY_SPEC), "--budget", "quick"]
    argv += ["--input", f"{TINY_GPT}:tokens", "--json", str(out), "--quiet", "--builds", "1"]
    assert main(argv) == 1
    text = capsys.readouterr().out
    assert "FAIL h.0.mlp.c_fc.weight (256, 64): law normal_(std=initializer_range)" in text
    record = json.loads(out.read_text())
    jsonschema.validate(record, SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    failing = [p["name"] for p in record["params"] if p["status"] == "fail"]
    assert failing == ["h.0.mlp.c_fc.weight"]
    assert record["propagation"]["blocks"] == ["h.0", "h.1", "h.2", "h.3"]


@pytest.mark.slow
def test_width_sweep_and_growth_bound(tmp_path, capsys):
    out = tmp_path / "audit.json"
    argv = ["audit", "--model", f"{TINY_GPT}:correct", "--spec", str(TINY_SPEC), "--budget", "quick", "--quiet"]
    argv += ["--input", f"{TINY_GPT}:tokens", "--widths", "32,64", "--json", str(out), "--builds", "1"]
    code = main(argv)
    record = json.loads(out.read_text())
    jsonschema.validate(record, SCHEMA)
    assert record["widths"]["widths"] == [32, 64]
    assert len(record["widths"]["mean_square"]) == 4
    growth = [v for v in record["model_verdicts"] if v["check"].startswith("propagation.")]
    assert [v["check"] for v in growth] == ["propagation.forward", "propagation.backward"]
    assert code == (1 if any(v["status"] == "fail" for v in growth) else 0)


def test_schema_is_draft_2020_12():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert Path(ROOT / "suite" / "schemas" / "audit.schema.json").is_file()
