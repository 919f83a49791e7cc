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


def test_no_verdicts_never_says_every_claim_holds(capsys):
    from suite.commands.summary import verdict_line
    from suite.engine.verification import Outcome

    assert "every claim holds" not in verdict_line(Outcome("t", 0, "quick", 1e-3))
