"""The command line's start and end: the libraries' lean imports (suite.engine.lean_imports), a parent that
plans and decides without statsmodels, the exit without finalization (suite.commands.process_end), and a
reader that closes standard output."""

import os
import subprocess
import sys
import textwrap

from tests.suite_tests.helpers import ROOT


def python(code: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, capture_output=True, text=True, timeout=120, **kwargs
    )


def test_scipy_stats_imported_lean_keeps_each_docstring_without_the_backend_table():
    result = python(
        """
        import math
        from suite.engine import lean_imports
        lean_imports.import_scipy_stats()
        import scipy.stats
        from scipy._lib import _array_api
        doc = scipy.stats.skew.__doc__
        print("table" if "Array API Standard Support" in doc else "no table")
        print("summary" if doc.startswith("Compute the sample skewness") else repr(doc[:80]))
        print("restored" if _array_api.FunctionDoc.__name__ == "FunctionDoc" else "stand-in left")
        # the functions are SciPy's own: P(Z > 1) = erfc(1 / sqrt 2) / 2
        print(scipy.stats.norm.sf(1.0) == math.erfc(1 / math.sqrt(2)) / 2, scipy.stats.skew([1, 2, 3, 4, 5]))
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:4] == ["no table", "summary", "restored", "True 0.0"]


def test_scipy_stats_imported_as_it_comes_when_the_stand_in_does_not_suit():
    result = python(
        """
        from suite.engine import lean_imports
        def refuse(self, function):
            raise TypeError("not this SciPy")
        lean_imports._DocstringKept.__init__ = refuse
        lean_imports.import_scipy_stats()
        import scipy.stats
        print("table" if "Array API Standard Support" in scipy.stats.skew.__doc__ else "no table")
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "table"


def test_prepare_turns_hypothesis_plugins_off_unless_the_environment_says():
    code = """
        import os
        from suite.engine import lean_imports
        lean_imports.prepare()
        print(os.environ["HYPOTHESIS_NO_PLUGINS"])
        """
    env = {k: v for k, v in os.environ.items() if k != "HYPOTHESIS_NO_PLUGINS"}
    assert python(code, env=env).stdout.strip() == "1"
    assert python(code, env={**env, "HYPOTHESIS_NO_PLUGINS": ""}).stdout.strip() == ""


def test_the_parent_plans_and_the_workers_check_without_statsmodels_the_decision_imports_it():
    result = python(
        """
        import sys
        from suite.commands import summary
        from suite.engine import verification, workers
        from suite.engine.targets import load
        target = load("initlib")
        plan = verification.make_plan(target.claims, verification.budgets.get("quick"), 0.001, True)
        normal = target.claims["normal_"]
        verdicts = verification.run_spec(target, normal, target.function("normal_"), plan, 0, part=(0, 2))
        print(len(verdicts) > 10, all(v.power is not None for v in verdicts if v.statistical))
        print("statsmodels" in sys.modules, "pandas" in sys.modules)
        from suite.engine.decision import holm
        print(holm([0.01, 0.02, 0.5], 0.05), "statsmodels" in sys.modules)
        """
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.split("\n")
    assert lines[:2] == ["True True", "False False"]
    # Holm (1979) by hand: sorted p 0.01, 0.02, 0.5 times 3, 2, 1 -> 0.03, 0.04, 0.5 (monotone already)
    assert lines[2] == "([True, True, False], [0.03, 0.04, 0.5]) True"


def test_end_runs_the_exit_handlers_flushes_keeps_the_status_and_skips_the_teardown(tmp_path):
    marker = tmp_path / "handler-ran"
    result = python(
        f"""
        import atexit, sys
        from suite.commands.process_end import end
        atexit.register(lambda: open({str(marker)!r}, "w").write("yes"))
        class TornDown:
            def __del__(self):
                sys.stdout.write(" and torn down")
        kept = TornDown()  # a module global: a normal exit's finalization deletes it
        sys.stdout.write("buffered, no newline")
        end(5)
        """
    )
    assert result.returncode == 5
    assert result.stdout == "buffered, no newline"  # not finalized: no module teardown
    assert marker.read_text() == "yes"


def test_end_waits_for_a_running_non_daemon_thread():
    result = python(
        """
        import threading, time
        from suite.commands.process_end import end
        threading.Thread(target=lambda: (time.sleep(0.3), print("thread done", flush=True))).start()
        end(4)
        """
    )
    assert result.returncode == 4
    assert result.stdout == "thread done\n"


def test_standard_output_closed_by_its_reader_is_one_line_and_status_141():
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first line: every write meets a broken pipe
    try:
        result = subprocess.run(
            [sys.executable, "-m", "suite", "verify", "--target", "initlib", "--budget", "quick", "--only", "zeros_"],
            cwd=ROOT,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    finally:
        os.close(write_end)
    assert result.returncode == 141
    assert result.stderr.strip().splitlines() == [
        "python -m suite verify: standard output was closed by its reader (a pipe); stopped"
    ]


def test_a_command_run_by_a_profiler_returns_to_it_with_a_normal_exit(tmp_path):
    """Under ``python -m cProfile -m suite`` the profile is written after the command returns: the quick
    end must leave that to a normal exit."""
    profile = tmp_path / "verify.prof"
    command = ["-m", "suite", "verify", "--target", "initlib", "--budget", "quick", "--only", "zeros_", "--quiet"]
    result = subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", str(profile), *command],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert profile.stat().st_size > 0


def test_started_as_reads_the_interpreters_own_arguments(monkeypatch):
    from suite.commands import process_end

    cases = {
        ("python", "-m", "suite", "verify"): True,
        ("python", "-u", "-X", "importtime", "-W", "error", "-m", "suite"): True,
        ("python", "-m", "cProfile", "-o", "out.prof", "-m", "suite"): False,
        ("python", "/usr/bin/coverage", "run", "-m", "suite"): False,
        ("python", "-c", "import suite"): False,
        ("python", "-m", "suite_other"): False,
    }
    monkeypatch.setattr(sys, "gettrace", lambda: None)  # pytest's own tracer (coverage, a debugger) aside
    monkeypatch.setattr(sys, "getprofile", lambda: None)
    for argv, expected in cases.items():
        monkeypatch.setattr(sys, "orig_argv", list(argv))
        assert process_end.started_as("suite") is expected, argv
    monkeypatch.setattr(sys, "orig_argv", ["python", "-m", "suite"])
    monkeypatch.setattr(sys, "getprofile", lambda: object())  # a profiler set in the process itself
    assert process_end.started_as("suite") is False
