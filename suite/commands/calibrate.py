"""python -m suite calibrate: the battery's false-alarm calibration on a correct target over K seeds,
and the minimum-detectable-effect table (exit 1 when calibration is rejected)."""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ProcessPoolExecutor

from suite.engine.environment import SUITE_VERSION, write_json
from suite.stats.budget import BUDGETS

HELP = "run the battery on a correct target over K seeds: failure proportions, p-value uniformity, MDE table"
SCHEMA = "initcheck.calibration/1"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--target", required=True, help="a target believed correct (initlib, torch.nn.init, ...)")
    parser.add_argument("--seeds", type=int, default=20, help="independent runs with seeds 1000..1000+K-1 (default 20)")
    parser.add_argument("--budget", choices=tuple(BUDGETS), default="default")
    parser.add_argument("--only", help="comma-separated initializer names")
    parser.add_argument(
        "--simulate",
        type=int,
        default=200,
        metavar="RUNS",
        help="simulation runs confirming a few MDE entries (0: none; default 200)",
    )
    parser.add_argument("--jobs", type=int, default=None, help="worker processes (default: the CPU count)")
    parser.add_argument("--json", metavar="PATH", help="write the calibration record (initcheck.calibration/1)")


#: Calibration seeds are disjoint from the seeds people use for verification (0, 1, 2, ...).
FIRST_SEED = 1000


def one_run(target_spec: str, seed: int, budget: str, only: list[str] | None):
    from suite.engine import verification
    from suite.engine.ledger import Ledger
    from suite.engine.targets import load

    target = load(target_spec)
    return verification.verify(target, only, seed, budget, ledger=Ledger.for_target(target.name))


def run(args: argparse.Namespace) -> int:
    from suite.engine import verification
    from suite.engine.targets import UsageError, load
    from suite.selfcheck import calibration
    from suite.stats import budget as budgets

    try:
        target = load(args.target)
    except UsageError as error:
        print(f"python -m suite calibrate: error: {error}", file=sys.stderr)
        return 2
    only = [n.strip() for n in args.only.split(",")] if args.only else None
    unknown = [n for n in only or [] if n not in verification.known_names(target)]
    if unknown or args.seeds < 1:
        message = f"--only: unknown name(s) {', '.join(unknown)}" if unknown else "--seeds: must be >= 1"
        print(f"python -m suite calibrate: error: {message}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    seeds = list(range(FIRST_SEED, FIRST_SEED + args.seeds))
    print(f"Calibrating on {target.name}: {len(seeds)} runs at the {args.budget} budget", flush=True)
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        outcomes = list(
            pool.map(one_run, [args.target] * len(seeds), seeds, [args.budget] * len(seeds), [only] * len(seeds))
        )
    summary = calibration.summarise(outcomes, budgets.DEFAULT_ALPHA)
    ok = calibration.calibrated(summary)
    print(f"\n{'check':<32}{'runs':>7}{'fails':>7}{'threshold':>11}{'band upper':>12}  within")
    for row in summary["checks"]:
        print(
            f"{row['check']:<32}{row['runs']:>7}{row['failures']:>7}{row['alpha']:>11.2g}{row['band'][1]:>12.2g}  "
            f"{'yes' if row['within_band'] else 'NO'}"
        )
    p = summary["p_values"]
    print(
        f"\np-values of the exact tests ({p['n']}), 10 bins: {p['counts']}  chi-square {p['chi2']:.1f}, "
        f"p = {p['p_value']:.3g} -> {'uniform' if p['uniform'] else 'NOT uniform'}"
    )
    r = summary["runs"]
    print(
        f"runs with an unexpected failure: {r['false_alarm_runs']} of {r['runs']} "
        f"(expected {r['expected']:.3g}; binomial p = {r['p_value']:.3g})"
    )
    mde = calibration.mde_table()
    print_mde(mde)
    if args.simulate:
        for budget_name, family in [
            ("default", "normal"),
            ("default", "uniform"),
            ("default", "truncated_normal"),
            ("quick", "normal"),
        ]:
            row = next(x for x in mde if x["budget"] == budget_name and x["family"] == family)
            row["simulated"] = calibration.simulate_power(row, args.simulate, seed=len(mde))
            s = row["simulated"]
            print(
                f"  simulated: {row['initializer']} #{row['case']} at {budget_name}: power {s['power']:.3f} "
                f"(95% CI {s['ci'][0]:.3f}-{s['ci'][1]:.3f}) at the MDE {row['mde_rel_std']:.3%}, "
                f"n = {row['sample_size']}"
            )
    exit_code = 0 if ok else 1
    if args.json:
        record = {
            "schema": SCHEMA,
            "suite_version": SUITE_VERSION,
            "target": target.name,
            "budget": args.budget,
            "alpha": budgets.DEFAULT_ALPHA,
            "seeds": len(seeds),
            "first_seed": FIRST_SEED,
            **summary,
            "mde": mde,
            "summary": {"calibrated": ok, "exit_code": exit_code},
        }
        write_json(args.json, record)
    print(
        f"calibration of {target.name} at {args.budget} over {len(seeds)} seeds: "
        f"{'NOT ' if not ok else ''}calibrated ({sum(not x['within_band'] for x in summary['checks'])} checks "
        f"outside their band, p-value uniformity p = {p['p_value']:.3g}, {r['false_alarm_runs']} false-alarm runs); "
        f"{time.perf_counter() - started:.0f} s"
    )
    return exit_code


def print_mde(rows: list[dict]) -> None:
    """The worst (largest) minimum detectable std error per initializer and budget."""
    worst: dict[tuple[str, str], dict] = {}
    for row in rows:
        key = (row["initializer"], row["budget"])
        if key not in worst or row["mde_rel_std"] > worst[key]["mde_rel_std"]:
            worst[key] = row
    budgets_seen = list(dict.fromkeys(r["budget"] for r in rows))
    names = list(dict.fromkeys(r["initializer"] for r in rows))
    print("\nMinimum detectable relative std error (power 0.99, worst case of each initializer's scale checks):")
    print(f"{'initializer':<22}" + "".join(f"{b:>12}" for b in budgets_seen))
    for name in names:
        print(f"{name:<22}" + "".join(f"{worst[(name, b)]['mde_rel_std']:>12.3%}" for b in budgets_seen))
