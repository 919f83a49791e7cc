"""``python -m suite bench``: time every initializer against torch.nn.init and the device's roofline.

Exit status: 0 when every benchmark ran, or ran until ``--time-limit`` (missed performance targets and a
run stopped by its time limit are results, reported in the JSON and on the terminal, not errors), 1 when a
benchmark failed, 2 for a usage error. Output paths (``--json``, ``--raw``) are checked by ``python -m suite``
before any work (suite.commands.cli: a folder they need is created, and said so).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time

import pytest
import torch

from suite.bench import benchmarks, machine, memory, results
from suite.bench.impls import INITIALIZERS, jax_available
from suite.bench.plan import MAIN_SHAPE, build_plan
from suite.bench.timing import TIMER
from suite.engine.environment import SUITE_VERSION

HELP = "time every initializer against torch.nn.init (and JAX) and the device's fill_/copy_ roofline"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--device", default="cpu", help="cpu (default) or cuda")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="the 4096x4096 float32 table, a few sizes and the orthogonal_ sweep to n=1024 (the report's benchmark)",
    )
    parser.add_argument("--json", metavar="PATH", help="write the initcheck.bench/1 results to PATH")
    parser.add_argument("--passes", type=int, help="interleaved passes (default 5)")
    parser.add_argument("--only", metavar="NAMES", help="comma-separated initializers to time (default: all)")
    parser.add_argument("--max-numel", type=int, metavar="N", help="skip tensors of more than N elements")
    parser.add_argument("--raw", metavar="PATH", help="also keep pytest-benchmark's raw JSON at PATH")
    parser.add_argument(
        "--time-limit",
        type=float,
        metavar="S",
        help="start no case after S seconds; the file then holds the passes done so far and says so (stopped)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        metavar="N",
        help="torch.set_num_threads(N) for the run (default: torch's own; recorded in the JSON either way)",
    )


class UsageError(Exception):
    """Bad input: the message names the argument."""


def _validate(args) -> tuple[str, ...] | None:
    if args.device not in ("cpu", "cuda"):
        raise UsageError(f"--device: expected cpu or cuda, got {args.device!r}")
    if args.device == "cuda" and not torch.cuda.is_available():
        raise UsageError(
            f"--device: cuda requested but CUDA is not available (torch {torch.__version__}"
            f"{', built without CUDA' if torch.version.cuda is None else ', no GPU found'})"
        )
    if args.passes is not None and args.passes < 1:
        raise UsageError(f"--passes: must be >= 1, got {args.passes}")
    if args.max_numel is not None and args.max_numel < 1:
        raise UsageError(f"--max-numel: must be >= 1, got {args.max_numel}")
    if args.threads is not None and args.threads < 1:
        raise UsageError(f"--threads: must be >= 1, got {args.threads}")
    if args.time_limit is not None and not args.time_limit > 0:
        raise UsageError(f"--time-limit: must be > 0 seconds, got {args.time_limit}")
    only = None
    if args.only is not None:
        only = tuple(name.strip() for name in args.only.split(",") if name.strip())
        unknown = [name for name in only if name not in INITIALIZERS]
        if unknown or not only:
            raise UsageError(f"--only: unknown initializer(s) {unknown}; expected names from {list(INITIALIZERS)}")
    return only


def run(args) -> int:
    try:
        only = _validate(args)
    except UsageError as error:
        print(f"python -m suite bench: error: {error}", file=sys.stderr)
        return 2
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    started, clock = time.perf_counter(), time.monotonic()
    with_jax = not args.quick and jax_available()  # the quick run leaves JAX (and its import) out
    plan = build_plan(args.device, args.quick, args.passes, only=only, max_numel=args.max_numel, jax=with_jax)
    if not plan.groups:
        print("python -m suite bench: error: --only/--max-numel: nothing left to time", file=sys.stderr)
        return 2
    load_before = machine.load_average()
    with tempfile.TemporaryDirectory() as scratch:
        raw_path = args.raw or os.path.join(scratch, "raw.json")
        deadline = None if args.time_limit is None else clock + args.time_limit
        status = _run_pytest(plan, raw_path, deadline)
        raw = _read_raw(raw_path)
        if not raw or not raw.get("benchmarks"):
            why = f"--time-limit {args.time_limit:g} s ran out before the first case" if benchmarks.STOPPED else ""
            print(f"python -m suite bench: no benchmark ran ({why or f'pytest exit status {status}'})", file=sys.stderr)
            return 1
    info = machine.describe(args.device)
    info["load_average"] = {"start": load_before, "end": info["load_average"]}
    peaks = _memory(plan, args.device)
    document = results.build(
        raw,
        machine=info,
        quick=args.quick,
        passes=plan.passes,
        memory=peaks,
        suite_version=SUITE_VERSION,
    )
    document["skipped"] = list(benchmarks.SKIPPED)
    document["wall_s"] = time.perf_counter() - started
    document["stopped"] = _stopped(plan, args.time_limit)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(document, out, indent=1, allow_nan=False)
            out.write("\n")
    print(summary(document))
    if args.json:
        print(f"wrote {args.json} ({document['wall_s']:.0f} s)")
    return 0 if status == pytest.ExitCode.OK else 1


def _read_raw(path: str) -> dict | None:
    """pytest-benchmark's JSON, or ``None`` where it wrote none (or an empty file: nothing was timed)."""
    try:
        with open(path, encoding="utf-8") as raw_file:
            return json.load(raw_file)
    except (OSError, json.JSONDecodeError):
        return None


def _stopped(plan, limit: float | None) -> dict | None:
    """``None`` for a complete run; else what ``--time-limit`` left out: the passes every case completed, and
    the cases (case x pass) not run."""
    if not benchmarks.STOPPED:
        return None
    first_left = min(pass_index for pass_index, _ in benchmarks.STOPPED)
    return {
        "reason": f"--time-limit {limit:g} s ran out",
        "time_limit_s": limit,
        "passes_complete": first_left,
        "passes_planned": plan.passes,
        "cases_not_run": len(benchmarks.STOPPED),
        "cases_planned": len(plan.all_cases()),
    }


def _run_pytest(plan, raw_path: str, deadline: float | None = None) -> int:
    class PlanPlugin:
        @staticmethod
        def pytest_configure(config):
            config.stash[benchmarks.PLAN_KEY] = plan
            if deadline is not None:
                config.stash[benchmarks.DEADLINE_KEY] = deadline

    benchmarks.SKIPPED.clear()
    benchmarks.STOPPED.clear()
    # Run from inside an xdist worker (the project's tests), pytest-benchmark would read the worker's
    # identity from the environment and disable itself: the benchmark session is never a worker.
    for name in [n for n in os.environ if n.startswith("PYTEST_XDIST_")]:
        del os.environ[name]
    argv = [
        benchmarks.__file__,
        "-q",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:xdist",  # pytest-benchmark disables itself where xdist is loaded; timings must not run in parallel
        "-o",
        "addopts=",
        "--benchmark-json",
        raw_path,
        "--benchmark-timer",
        TIMER,
        "--benchmark-disable-gc",
        "--benchmark-quiet",
    ]
    return pytest.main(argv, plugins=[PlanPlugin()])


def _memory(plan, device: str) -> list[dict]:
    """Peak memory of orthogonal_ on the main shape, initlib and torch, when the plan times it."""
    timed = any(
        "orthogonal_" in names and shape == MAIN_SHAPE and dtype == "float32" for (dtype, shape), names in plan.groups
    )
    if not timed:
        return []
    runs = 1 if plan.quick else 3
    return [memory.measure(impl, "orthogonal_", "float32", MAIN_SHAPE, device, runs) for impl in ("torch", "initlib")]


def summary(document: dict) -> str:
    """The terminal table: the 4096 x 4096 results, then the targets."""
    lines = [f"{'initializer':20} {'impl':8} {'dtype':9} {'median':>10} {'vs torch':>9} {'GB/s':>8} {'of fill_':>9}"]
    for row in document["results"]:
        if row["numel"] != 4096**2:
            continue
        ratio = f"{row['ratio_to_torch']:.3f}" if row["ratio_to_torch"] is not None else "-"
        fraction = f"{row['fill_fraction']:.3f}" if row["fill_fraction"] is not None else "-"
        lines.append(
            f"{row['initializer']:20} {row['impl']:8} {row['dtype']:9} {row['median_s'] * 1e3:8.2f}ms "
            f"{ratio:>9} {row['gbps']:8.3f} {fraction:>9}"
        )
    for entry in document["scaling"]:
        if entry["x"] == "side" and entry["fit"]:
            lines.append(f"{entry['initializer']} {entry['impl']}: time ~ n^{entry['fit']['exponent']:.2f}")
    for entry in document["memory"]:
        lines.append(f"peak memory {entry['initializer']} {entry['impl']}: {entry['peak_bytes'] / 2**20:.1f} MiB")
    stopped = document.get("stopped")
    if stopped:
        lines.append(
            f"STOPPED: {stopped['reason']}: {stopped['cases_not_run']} of {stopped['cases_planned']} timed cases not "
            f"run, {stopped['passes_complete']} of {stopped['passes_planned']} passes complete"
        )
    for target in document["targets"]:
        verdict = target["verdict"].upper() if target["verdict"] == "missed" else target["verdict"]
        value = "-" if target["value"] is None else f"{target['value']:.3f}"
        spread = ""
        if target["interval"]:
            low, high = target["interval"]
            spread = f" (passes {low:.3f}-{high:.3f}, {target['interval_coverage']:.0%} interval)"
        lines.append(
            f"target {target['initializer']} {target['target']} {target['comparison']} "
            f"{target['threshold']}: {value}{spread} {verdict}"
        )
    return "\n".join(lines)
