"""``python -m reports``: inputs given, bad inputs, and the no-input path against a stand-in suite."""

import shutil
import textwrap
from pathlib import Path

import pytest

from reports import cli, pipeline
from reports.loader import VERIFY

from .helpers import FIXTURES

# A stand-in for `python -m suite`, found first because the commands run in its folder: verify copies a
# fixture (torch.nn.init with exit status 1: claims violated, still a result), bench fails loudly.
FAKE_SUITE = """
import shutil, sys, time
args = sys.argv[1:]
out = args[args.index("--json") + 1]
if args[0] == "verify":
    target = args[args.index("--target") + 1]
    print(f"verifying {target} ...", flush=True)
    name = {"initlib": "verify-initlib.json", "torch.nn.init": "verify-torch.json"}[target]
    shutil.copy(r"FIXTURES/" + name, out)
    raise SystemExit(1 if target == "torch.nn.init" else 0)
if args[0] == "bench":
    print("bench args:", *args, flush=True)
    print("bench: no roofline on this machine", flush=True)
    raise SystemExit(3)
if args[0] == "sleep":
    time.sleep(30)
if args[0] == "garbage":
    open(out, "w").write("{not json")
"""


@pytest.fixture
def fake_suite(tmp_path, monkeypatch):
    pkg = tmp_path / "suite"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "__main__.py").write_text(textwrap.dedent(FAKE_SUITE).replace("FIXTURES", str(FIXTURES)))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_renders_the_given_files(tmp_path, capsys):
    out = tmp_path / "deep" / "report.html"
    code = cli.main(["--out", str(out), "--verify-json", str(FIXTURES / "verify-example.json")])
    assert code == 0
    captured = capsys.readouterr()
    assert captured.out.strip() == str(out.resolve())
    assert f"created the folder {out.parent} for --out" in captured.err, "a folder made is said so"
    html = out.read_text()
    assert "examples/my_initializers.py" in html and "Not in this report" in html


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--seed", "-1"], "--seed: must be a non-negative integer"),
        (["--out", "/etc/passwd/report.html"], "--out: cannot write /etc/passwd/report.html"),
        (["--timeout", "0"], "--timeout: must be > 0"),
    ],
)
def test_bad_arguments_are_one_line_before_any_work(tmp_path, capsys, monkeypatch, args, message):
    """Checked before anything runs: the suite's commands are never started."""
    monkeypatch.setattr(cli, "run_all", lambda *a: pytest.fail("ran the suite before checking the arguments"))
    out = ["--out", str(tmp_path / "r.html")] if "--out" not in args else []
    assert cli.main([*out, *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err


def test_an_out_path_that_is_a_folder(tmp_path, capsys):
    assert cli.main(["--out", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err


def test_help_says_what_runs_by_default_and_how_long(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "without input files" in text and "RUNS THE SUITE" in text
    assert "quick verification of initlib and torch.nn.init" in text and "quick CPU benchmark" in text
    assert "takes a minute or more" in text and "--timeout S bounds each command (default 300 s)" in text
    # the commands themselves, from the list the default run uses
    for step in pipeline.default_steps(Path("TMP")):
        assert "python -m suite " + " ".join(step.args) in text


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "no such file"), ("{", "not valid JSON"), ('{"schema": "initcheck.other/9"}', "unknown schema")],
)
def test_a_bad_input_is_a_clear_error_naming_the_file(tmp_path, capsys, content, message):
    bad = tmp_path / "bad.json"
    if content is not None:
        bad.write_text(content)
    out = tmp_path / "report.html"
    code = cli.main(["--out", str(out), "--verify-json", str(FIXTURES / "verify-initlib.json"), str(bad)])
    assert code == 2
    err = capsys.readouterr().err
    assert f"error: {bad}: " in err and message in err and err.count("\n") == 1
    assert not out.exists()


@pytest.mark.parametrize("bad", ["missing.json", "folder"])
def test_a_bad_input_leaves_no_folder_for_the_out_path(tmp_path, capsys, bad):
    """--out in a folder that does not exist yet, a bad input: exit 2, one line, and no folder made."""
    (tmp_path / "folder").mkdir()
    out = tmp_path / "new" / "deeper" / "report.html"
    assert cli.main(["--out", str(out), "--verify-json", str(tmp_path / bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(tmp_path / bad) in err
    assert not (tmp_path / "new").exists()


def test_an_out_path_under_a_file_is_refused_before_any_work(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(cli, "run_all", lambda *a: pytest.fail("ran the suite before checking --out"))
    (tmp_path / "plain").write_text("")
    assert cli.main(["--out", str(tmp_path / "plain" / "sub" / "r.html")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is a file, not a folder" in err
    assert not (tmp_path / "plain").is_dir()


def test_no_input_runs_the_suite_and_renders_what_it_made(fake_suite, capsys):
    out = fake_suite / "out" / "report.html"
    assert cli.main(["--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "[1/3] python -m suite verify --target initlib --budget quick --json" in err
    assert "    | verifying torch.nn.init ..." in err, "progress is streamed"
    assert "    | bench: no roofline on this machine" in err
    # the benchmark stops itself (keeping what it timed) before the report's time limit (default 300 s) stops it
    assert f"--time-limit {pipeline.BENCH_TIME_SHARE * 300:g}" in err
    html = out.read_text()
    # both verifications rendered, the violated one included
    assert 'id="t-initlib"' in html and 'id="t-torch-nn-init"' in html
    missing = html[html.index('id="missing"') : html.index('id="summary"')]
    assert "Benchmarks" in missing and "exit status 3: bench: no roofline on this machine" in missing
    assert "python -m suite bench --quick failed" in missing, "no temporary path"
    assert "$TMP" not in html and "initcheck-report-" not in html
    assert "Mutant kill matrix" in missing and "Calibration" in missing
    assert "Verification" not in missing


def test_a_command_that_hangs_or_writes_garbage(fake_suite, capsys):
    json_path = fake_suite / "x.json"
    step = pipeline.Step("Verification of x", ["sleep", "--json", str(json_path)], json_path, VERIFY, (0, 1))
    made, reason = pipeline.run_step(step, timeout=1.0)
    assert made is None and "stopped after 1 s" in reason and "complete it with python -m suite sleep" in reason
    step = pipeline.Step("Verification of x", ["garbage", "--json", str(json_path)], json_path, VERIFY, (0, 1))
    made, reason = pipeline.run_step(step, timeout=30)
    assert made is None and "wrote a file the report cannot use" in reason and "not valid JSON" in reason
    step = pipeline.Step("Verification of x", ["nothing", "--json", str(json_path)], json_path, VERIFY, (0,))
    json_path.unlink()
    made, reason = pipeline.run_step(step, timeout=30)
    assert made is None and "wrote no x.json" in reason


def test_a_missing_suite_command(tmp_path, monkeypatch):
    """A suite without the command (argparse's exit status 2) is a reason, not a crash."""
    pkg = tmp_path / "suite"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "__main__.py").write_text("import sys\nprint('error: invalid choice', file=sys.stderr)\nsys.exit(2)\n")
    monkeypatch.chdir(tmp_path)
    steps = pipeline.default_steps(Path(tmp_path))
    inputs, failures = pipeline.run_all(steps, timeout=30)
    assert inputs == []
    assert [s.section for s, _ in failures] == [s.section for s in steps]
    assert all("exit status 2: error: invalid choice" in reason for _, reason in failures)
    shutil.rmtree(pkg)
