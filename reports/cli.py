"""``python -m reports --out PATH [--verify-json F ...] [--bench-json F ...] [--mutants-json F]
[--calibration-json F]``: renders one self-contained HTML report (inline CSS and SVG, no scripts, nothing
fetched).

With any ``--*-json`` option it renders exactly those files (a section without input says so). With none,
it runs a quick verification of initlib and torch.nn.init and a quick CPU benchmark itself (see
:mod:`reports.pipeline`), showing their progress, and renders what they produced. The demonstrations are
always computed (a few seconds). Exit status: 0 the report was written, 2 an input file is missing or
unusable (the message names it) or the arguments are wrong.
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
from reports.loader import BENCH, CALIBRATION, MUTANTS, VERIFY, ReportInputError, load
from reports.pipeline import default_steps, log, run_all

SIZE_LIMIT = 8 * 1024 * 1024


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m reports", description=__doc__.splitlines()[0])
    p.add_argument("--out", required=True, type=Path, help="the HTML file to write (folders are created)")
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
    p.add_argument("--seed", type=int, default=0, help="seed of the demonstrations (default 0)")
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
    return inputs


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    argv = sys.argv[1:] if argv is None else argv
    given = args.verify_json or args.bench_json or args.mutants_json or args.calibration_json
    start = time.monotonic()
    missing: list[render.Missing] = []
    if given:
        try:
            inputs = _load_given(args)
        except ReportInputError as exc:
            print(f"python -m reports: error: {exc}", file=sys.stderr)
            return 2
    else:
        log("No input files given: running a quick verification and benchmark first.")
        with tempfile.TemporaryDirectory(prefix="initcheck-report-") as tmp:
            inputs, failures = run_all(default_steps(Path(tmp)), args.timeout)
        missing += [render.Missing(step.section, reason, step.schema) for step, reason in failures]
        for schema, name in ((MUTANTS, "mutants"), (CALIBRATION, "calibrate")):
            missing.append(
                render.Missing(
                    render.SECTION_NAMES[schema],
                    f"not run without inputs (slow); make it with python -m suite {name} --json F, pass it",
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
    args.out.parent.mkdir(parents=True, exist_ok=True)
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
