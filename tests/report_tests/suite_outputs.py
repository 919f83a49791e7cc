"""The report's test inputs, made by the suite itself: each of its commands at a tiny budget.

``python -m tests.report_tests.suite_outputs [FOLDER]`` (run from the repository root) rewrites the committed
files in ``tests/report_tests/fixtures/`` (default FOLDER), each validated against its JSON Schema in
``suite/schemas/`` on the way. The report's tests read those files; ``test_contract.py`` runs the same
commands live (marked slow) so that a writer that drifts from its schema, or from what the report reads,
fails there. Nothing here is written by hand: change a command below and rerun the script.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"

#: file name -> the ``python -m suite`` arguments that make it (``--json FILE`` is added).
COMMANDS: dict[str, list[str]] = {
    "verify-initlib.json": [
        "verify",
        "--target",
        "initlib",
        "--budget",
        "quick",
        "--quiet",
        "--only",
        "normal_,kaiming_normal_,orthogonal_,zeros_,calculate_gain",
    ],
    "verify-torch.json": [
        "verify",
        "--target",
        "torch.nn.init",
        "--budget",
        "quick",
        "--quiet",
        "--only",
        "uniform_,xavier_normal_,sparse_,dirac_",
    ],
    "verify-example.json": ["verify", "--target", "examples/my_initializers.py", "--budget", "quick", "--quiet"],
    "bench-cpu.json": ["bench", "--only", "normal_,uniform_,orthogonal_", "--max-numel", "70000", "--passes", "2"],
    "mutants.json": [
        "mutants",
        "--only",
        "kaiming_fans_swapped,xavier_gain_squared",
        "--seeds",
        "2",
        "--budget",
        "quick",
        "--jobs",
        "1",
    ],
    "calibration.json": [
        "calibrate",
        "--target",
        "initlib",
        "--only",
        "zeros_,normal_",
        "--seeds",
        "2",
        "--budget",
        "quick",
        "--simulate",
        "0",
        "--jobs",
        "1",
    ],
    "audit.json": [
        "audit",
        "--model",
        "examples/models/tiny_gpt.py:bug_std_15_percent",
        "--spec",
        "examples/specs/tiny_gpt.toml",
        "--budget",
        "quick",
        "--builds",
        "1",
        "--quiet",
    ],
    "theory.json": ["theory", "--only", "products", "--budget", "quick", "--quiet"],
}
#: Exit statuses that are results (1: a claim is violated, which the example and the audit's bug are for).
RESULTS = (0, 1)


def make(name: str, folder: Path) -> Path:
    """Run the command that makes ``name`` into ``folder``; the file's path."""
    out = folder / name
    # relative to the repository where it can be: a replay line in the file then names no machine's folder
    shown = out.resolve().relative_to(ROOT) if out.resolve().is_relative_to(ROOT) else out
    command = [sys.executable, "-m", "suite", *COMMANDS[name], "--json", str(shown)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    if done.returncode not in RESULTS or not out.exists():
        raise RuntimeError(f"{' '.join(command[1:])} exited {done.returncode}: {done.stderr.strip()[-400:]}")
    return out


def validate(path: Path) -> None:
    """Raise unless ``path`` holds a document valid against its JSON Schema (the report's loader's check)."""
    from reports.loader import load

    load(path)


def main(folder: Path = FIXTURES) -> None:
    folder.mkdir(exist_ok=True)
    for name in COMMANDS:
        path = make(name, folder)
        validate(path)
        # committed files: the environment of whoever regenerated them would only make diffs noisy
        data = json.loads(path.read_text())
        print(f"{path}: {data['schema']}, {path.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else FIXTURES)
