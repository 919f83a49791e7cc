"""The command line as a new user meets it (issue 18): every bad input one line, exit 2, before any work; a
target that provides nothing is a usage error naming the rule and the nearest module; no folder made silently."""

from __future__ import annotations

import pytest

from suite.commands import cli


def _run(capsys, *argv):
    try:
        code = cli.main(list(argv))
    except SystemExit as exit_:  # argparse's own errors (one line: suite.commands.cli.OneLineParser)
        code = exit_.code
    captured = capsys.readouterr()
    return code, captured.err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["verify", "--target", "initlib", "--seed", "-1"], "--seed: must be a non-negative integer"),
        (["verify", "--target", "initlib", "--seed", "x"], "argument --seed: invalid int value"),
        (["verify", "--target", "initlib", "--json", "/etc/passwd/out.json"], "/etc/passwd is a file, not a folder"),
        (["verify", "--target", "initlib", "--json", "/"], "is a folder; give a file name"),
        (["verify", "--target", "torch.nn"], "nearest module that does: torch.nn.init"),
        (["verify", "--target", "math"], "provides none of the initializers a target must provide"),
        (["verify", "--target", "initlib", "--only", " , "], "--only: give at least one name"),
        (["calibrate", "--target", "initlib", "--simulate", "-1"], "--simulate: must be a non-negative integer"),
        (["bench", "--raw", "/etc/passwd/raw.json"], "--raw: cannot write /etc/passwd/raw.json"),
        (["mutants", "--json", "/etc/passwd/m.json"], "--json: cannot write /etc/passwd/m.json"),
    ],
)
def test_usage_errors_are_one_line_exit_2(capsys, argv, message):
    code, err = _run(capsys, *argv)
    assert code == 2
    assert err.count("\n") == 1 and message in err, err


def test_a_folder_for_json_is_made_and_said(tmp_path, capsys):
    out = tmp_path / "new" / "deeper" / "verify.json"
    code, err = _run(capsys, "verify", "--target", "initlib", "--only", "zeros_", "--quiet", "--json", str(out))
    assert code == 0 and out.exists()
    assert f"created the folder {out.parent} for --json" in err


def test_a_usage_error_after_the_output_check_leaves_no_folder_behind(tmp_path, capsys):
    """The output path is fine, the run stops at a later usage error: the folder made for it is removed."""
    out = tmp_path / "new" / "deeper" / "verify.json"
    code, err = _run(capsys, "verify", "--target", "initlib", "--only", "no_such_", "--json", str(out))
    assert code == 2 and err.count("\n") == 1 and "--only: unknown name(s) no_such_" in err
    assert list(tmp_path.iterdir()) == [], "no folder the user did not get a file in"


def test_a_folder_made_for_the_output_keeps_what_was_there_before(tmp_path, capsys):
    """Only the folders the command made are removed, never one that existed."""
    (tmp_path / "kept").mkdir()
    out = tmp_path / "kept" / "new" / "verify.json"
    code, _ = _run(capsys, "verify", "--target", "initlib", "--only", "no_such_", "--json", str(out))
    assert code == 2 and [p.name for p in tmp_path.iterdir()] == ["kept"]
    assert list((tmp_path / "kept").iterdir()) == []


def test_no_verdicts_never_says_every_claim_holds(capsys):
    from suite.commands.summary import verdict_line
    from suite.engine.verification import Outcome

    assert "every claim holds" not in verdict_line(Outcome("t", 0, "quick", 1e-3))
