"""The no-input path: run the suite's own commands to make the report's inputs.

``python -m reports --out PATH`` with no ``--*-json`` option runs, one after the other, with the same
interpreter (``sys.executable``):

    python -m suite verify --target initlib --budget quick --json TMP/verify-initlib.json
    python -m suite verify --target torch.nn.init --budget quick --json TMP/verify-torch.nn.init.json
    python -m suite bench --quick --json TMP/bench.json

Their output is streamed to the terminal (stderr, each line prefixed) as it comes. Exit statuses:

- ``verify``: 0 every claim holds, 1 some claim is violated. Both are results: the file is rendered
  (failures in red). Anything else (2 is a usage error, e.g. a suite without that command) means the
  command failed.
- ``bench``: 0 is a result; anything else is a failure. It is told to start no case after
  :data:`BENCH_TIME_SHARE` of the time limit (``--time-limit``), so that it ends on its own with the passes
  done so far, which the report renders saying so (``stopped``), rather than being stopped with nothing.

A command that is missing, fails, runs past its time limit or writes no valid file does not stop the
report: the section it would have filled is listed under "Not in this report" with the reason (the exit
status and the command's last line of output), and everything else is rendered.
"""

from __future__ import annotations

import collections
import dataclasses
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from reports.loader import BENCH, VERIFY, Input, ReportInputError, load

DEFAULT_TARGETS = ("initlib", "torch.nn.init")
#: The share of a command's time limit after which the benchmark starts no more cases (the rest: the case
#: then running, at most a few seconds on a CPU, and writing the file).
BENCH_TIME_SHARE = 0.8


@dataclass
class Step:
    """One suite command to run: its arguments after ``python -m suite``, the file it writes."""

    section: str
    args: list[str]
    json_path: Path
    schema: str
    ok_codes: tuple[int, ...]


def default_steps(tmp: Path, targets=DEFAULT_TARGETS) -> list[Step]:
    steps = [
        Step(
            f"Verification of {target}",
            ["verify", "--target", target, "--budget", "quick", "--json", str(tmp / f"verify-{target}.json")],
            tmp / f"verify-{target}.json",
            VERIFY,
            (0, 1),
        )
        for target in targets
    ]
    steps.append(
        Step(
            "Benchmarks",
            ["bench", "--quick", "--json", str(tmp / "bench.json")],
            tmp / "bench.json",
            BENCH,
            (0,),
        )
    )
    return steps


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _last_line(lines) -> str:
    for line in reversed(lines):
        if line.strip():
            return line.strip()
    return "no output"


def run_step(step: Step, timeout: float, cwd: Path | None = None) -> tuple[Input | None, str | None]:
    """Run one command, streaming its output; return its loaded file, or None and why not."""
    command = [sys.executable, "-m", "suite", *step.args]
    if step.schema == BENCH:
        command += ["--time-limit", f"{BENCH_TIME_SHARE * timeout:g}"]
    # the report names the command that made its input, not the temporary file it went through
    json_at = step.args.index("--json")
    shown = " ".join(["python", "-m", "suite", *step.args[:json_at], *step.args[json_at + 2 :]])
    completes = f"; complete it with {shown} --json F, then python -m reports --out F ... with its --*-json option"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    start = time.monotonic()
    tail: collections.deque[str] = collections.deque(maxlen=20)
    try:
        proc = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            errors="replace",
            bufsize=1,
            cwd=cwd,
            env=env,
        )
    except OSError as exc:
        return None, f"{shown} could not start ({exc})"
    timed_out = threading.Event()

    def kill():
        timed_out.set()
        proc.kill()

    timer = threading.Timer(timeout, kill)
    timer.start()
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            tail.append(line.rstrip("\n"))
            print(f"    | {line}", end="" if line.endswith("\n") else "\n", file=sys.stderr, flush=True)
        code = proc.wait()
    finally:
        timer.cancel()
    elapsed = time.monotonic() - start
    log(f"    -> exit status {code} after {elapsed:.1f} s")
    if timed_out.is_set():
        return None, f"{shown} was stopped after {timeout:.0f} s (the --timeout limit){completes}"
    if code not in step.ok_codes:
        return None, f"{shown} failed with exit status {code}: {_last_line(tail)}"
    if not step.json_path.exists():
        return None, f"{shown} exited {code} but wrote no {step.json_path.name}"
    try:
        made = load(step.json_path, step.schema)
        return dataclasses.replace(made, path=f"{shown} (made for this report, not kept)"), None
    except ReportInputError as exc:
        return None, f"{shown} wrote a file the report cannot use: {exc}"


def run_all(steps: list[Step], timeout: float, cwd: Path | None = None) -> tuple[list[Input], list[tuple[Step, str]]]:
    """Run every step in order; returns the inputs made and (step, reason) for each one that failed."""
    inputs, failures = [], []
    for i, step in enumerate(steps, 1):
        log(f"[{i}/{len(steps)}] python -m suite {' '.join(step.args)}")  # the real path, for the terminal
        made, reason = run_step(step, timeout, cwd)
        if made is not None:
            inputs.append(made)
        else:
            log(f"    -> not in the report: {reason}")
            failures.append((step, reason))
    return inputs, failures
