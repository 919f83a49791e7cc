"""Render one self-contained HTML report (inline CSS, SVG and a small script; nothing fetched).

By default, without input files (as in tox -e report), it first RUNS THE SUITE with this Python: a quick
verification of initlib and torch.nn.init and a quick CPU benchmark, one after the other, streaming their
progress (the commands are listed below); mutants and calibration are not run (slow). Then it renders what
they made. That takes a minute or more, not seconds. Measured on 2 cores: about 80 s in all on an
idle machine (10 s per verification, 42 s for the benchmark, 3 s for the demonstrations); on a machine
shared with other work (load average 20-30) 8-9 min.
--timeout S bounds each command (default 300 s); one that fails or runs out of time leaves its section out,
and the top of the report says why and which command completes it.

With any --*-json option it runs nothing and renders exactly those files (seconds).

Exit status: 0 the report was written; 2 a usage error or an input file that is missing or breaks its
contract (one line naming the file and the field); 3 an unexpected error (--debug shows it).
"""

from __future__ import annotations

import argparse
import shlex
import sys
import tempfile
import time
from pathlib import Path

from reports import demos as demos_mod
from reports import render
from reports.loader import AUDIT, BENCH, CALIBRATION, MUTANTS, THEORY, VERIFY, ReportInputError, load
from reports.pipeline import default_steps, log, run_all
from suite.commands.cli import OneLineParser, output_problem

SIZE_LIMIT = 8 * 1024 * 1024


def parser() -> argparse.ArgumentParser:
    # the default run's commands, from the one list that runs them (TMP: a temporary folder, removed after)
    commands = "\n".join(f"  python -m suite {shlex.join(step.args)}" for step in default_steps(Path("TMP")))
    p = OneLineParser(
        prog="python -m reports",
        description=__doc__,
        epilog=f"The default run's commands:\n{commands}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--out",
        required=True,
        type=Path,
        help="the HTML file to write (checked before any work; a missing folder is made when the page is written,"
        " and said so)",
    )
    p.add_argument(
        "--verify-json",
        nargs="+",
        action="extend",
        default=[],
        metavar="F",
        help="initcheck.verify/1 files (one per target)",
    )
    p.add_argument(
        "--bench-json",
        nargs="+",
        action="extend",
        default=[],
        metavar="F",
        help="initcheck.bench/1 files (one per device or machine)",
    )
    p.add_argument("--mutants-json", metavar="F", help="an initcheck.mutants/1 file")
    p.add_argument("--calibration-json", metavar="F", help="an initcheck.calibration/1 file")
    p.add_argument("--audit-json", nargs="+", action="extend", default=[], metavar="F", help="initcheck.audit/1 files")
    p.add_argument("--theory-json", metavar="F", help="an initcheck.theory/1 file")
    p.add_argument("--seed", type=int, default=0, help="seed of the demonstrations (default 0)")
    p.add_argument("--debug", action="store_true", help="show the traceback of an unexpected error")
    p.add_argument(
        "--timeout",
        type=float,
        default=300.0,
        metavar="S",
        help="time limit of each suite command on the no-input path (default 300 s)",
    )
    return p


def _load_given(args) -> list:
    inputs = []
    for path in args.verify_json:
        inputs.append(load(path, VERIFY))
    for path in args.bench_json:
        inputs.append(load(path, BENCH))
    if args.mutants_json:
        inputs.append(load(args.mutants_json, MUTANTS))
    if args.calibration_json:
        inputs.append(load(args.calibration_json, CALIBRATION))
    for path in args.audit_json:
        inputs.append(load(path, AUDIT))
    if args.theory_json:
        inputs.append(load(args.theory_json, THEORY))
    return inputs


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return _main(args, sys.argv[1:] if argv is None else argv)
    except KeyboardInterrupt:
        log("python -m reports: interrupted")
        return 130
    except Exception as error:
        if args.debug:
            raise
        log(
            f"python -m reports: internal error: {type(error).__name__}: {error} (rerun with --debug for the traceback)"
        )
        return 3


def _usage(message: str) -> int:
    print(f"python -m reports: error: {message}", file=sys.stderr)
    return 2


def _main(args, argv: list[str]) -> int:
    if args.seed < 0:
        return _usage(f"--seed: must be a non-negative integer, got {args.seed}")
    if not args.timeout > 0:
        return _usage(f"--timeout: must be > 0 seconds, got {args.timeout}")
    problem = output_problem("--out", args.out)
    if problem:
        return _usage(problem)
    given = any(
        (args.verify_json, args.bench_json, args.mutants_json, args.calibration_json, args.audit_json, args.theory_json)
    )
    start = time.monotonic()
    missing: list[render.Missing] = []
    if given:
        try:
            inputs = _load_given(args)
        except ReportInputError as exc:
            return _usage(str(exc))
    else:
        log("No input files given: running a quick verification and benchmark first.")
        with tempfile.TemporaryDirectory(prefix="initcheck-report-") as tmp:
            inputs, failures = run_all(default_steps(Path(tmp)), args.timeout)
        missing += [render.Missing(step.section, reason, step.schema) for step, reason in failures]
        for schema in (MUTANTS, CALIBRATION):
            missing.append(
                render.Missing(
                    render.SECTION_NAMES[schema],
                    f"not run without inputs (slow); make it with {render.SECTION_HINTS[schema]}",
                    schema,
                )
            )
    log("Computing the demonstrations ...")
    t0 = time.monotonic()
    demos = demos_mod.compute_all(args.seed)
    log(f"    -> {time.monotonic() - t0:.1f} s")
    log("Rendering ...")
    page = render.build(inputs, demos, missing, command=shlex.join(["python", "-m", "reports", *argv]))
    html = render.render(page)
    if not args.out.parent.exists():  # checked writable above; made only now that there is a page to write
        args.out.parent.mkdir(parents=True)
        log(f"python -m reports: created the folder {args.out.parent} for --out")
    args.out.write_text(html, encoding="utf-8")
    size = args.out.stat().st_size
    log(
        f"Done in {time.monotonic() - start:.1f} s: {size / 1e6:.2f} MB"
        + (f", {len(page.missing)} section(s) missing (listed at the top of the report)" if page.missing else "")
    )
    if size > SIZE_LIMIT:
        log(f"warning: the report is larger than {SIZE_LIMIT // 2**20} MiB")
    print(args.out.resolve())
    return 0
