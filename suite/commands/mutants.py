"""python -m suite mutants: the kill rate of the mutant catalogue (exit 1 when a mutant survives that is
not documented as equivalent within the budget's minimum effect)."""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ProcessPoolExecutor

from suite.engine.environment import SUITE_VERSION, write_json
from suite.stats.budget import BUDGETS

HELP = "verify every catalogue mutant at K seeds and report kill rates (exit 1: an undocumented survivor)"
SCHEMA = "initcheck.mutants/1"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seeds", type=int, default=10, help="base seeds 0..K-1 (default 10)")
    parser.add_argument("--budget", choices=tuple(BUDGETS), default="default")
    parser.add_argument("--only", help="comma-separated mutant names")
    parser.add_argument("--jobs", type=int, default=None, help="worker processes (default: the CPU count)")
    parser.add_argument("--json", metavar="PATH", help="write the kill matrix (initcheck.mutants/1)")


def kill(name: str, seed: int, budget: str) -> dict:
    """One verification of one mutant restricted to the function it breaks."""
    from suite.engine import verification
    from suite.engine.targets import Target
    from suite.selfcheck import mutants

    mutant = mutants.by_name()[name]
    target = Target(f"mutant:{name}", mutant.module())
    outcome = verification.verify(target, [mutant.function], seed, budget)
    failed = sorted({v.check for v in outcome.failed})
    return {"killed": bool(failed), "checks": failed}


def run(args: argparse.Namespace) -> int:
    from statsmodels.stats.proportion import proportion_confint

    from suite.engine import verification
    from suite.selfcheck import mutants
    from suite.spec.claims import TABLE
    from suite.stats import budget as budgets

    catalogue = mutants.by_name()
    names = [n.strip() for n in args.only.split(",")] if args.only else list(catalogue)
    unknown = [n for n in names if n not in catalogue]
    if unknown or args.seeds < 1:
        message = f"--only: unknown mutant(s) {', '.join(unknown)}" if unknown else "--seeds: must be >= 1"
        print(f"python -m suite mutants: error: {message}", file=sys.stderr)
        return 2
    budget = budgets.get(args.budget)
    check_alpha = verification.make_plan(TABLE, budget, budgets.DEFAULT_ALPHA, True).check_alpha
    seeds = list(range(args.seeds))
    started = time.perf_counter()
    print(f"{len(names)} mutants x {len(seeds)} seeds at the {args.budget} budget", flush=True)
    jobs = [(n, s) for n in names for s in seeds]
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        outcomes = pool.map(kill, [n for n, _ in jobs], [s for _, s in jobs], [args.budget] * len(jobs))
        results = dict(zip(jobs, outcomes, strict=True))
    rows = []
    for name in names:
        mutant = catalogue[name]
        kills = [results[(name, s)]["killed"] for s in seeds]
        killed = sum(kills)
        low, high = proportion_confint(killed, len(seeds), alpha=0.05, method="beta")
        equivalent = mutant.equivalent_at(budget, check_alpha)
        status = "killed" if killed == len(seeds) else ("equivalent" if equivalent else "survived")
        checks = sorted({c for s in seeds for c in results[(name, s)]["checks"]})
        rows.append(
            {
                "name": name,
                "function": mutant.function,
                "bug": mutant.bug,
                "kills": kills,
                "killed": killed,
                "runs": len(seeds),
                "kill_rate": killed / len(seeds),
                "ci_low": float(low),
                "ci_high": float(high),
                "killing_checks": checks,
                "equivalent": equivalent,
                "status": status,
            }
        )
        print(f"  {status:<10} {killed:>3}/{len(seeds)}  {name:<36} {', '.join(checks[:4])}", flush=True)
    survivors = [r["name"] for r in rows if r["status"] == "survived"]
    exit_code = 1 if survivors else 0
    for r in rows:
        if r["status"] == "equivalent":
            e = r["equivalent"]
            print(f"  documented equivalent: {r['name']}: {e['reason']}; detected with n = {e['detect_n']} values")
    summary = {
        "mutants": len(rows),
        "killed_every_seed": sum(r["status"] == "killed" for r in rows),
        "survivors": survivors,
        "equivalent": [r["name"] for r in rows if r["status"] == "equivalent"],
        "exit_code": exit_code,
    }
    if args.json:
        record = {
            "schema": SCHEMA,
            "suite_version": SUITE_VERSION,
            "budget": args.budget,
            "alpha": budgets.DEFAULT_ALPHA,
            "seeds": seeds,
            "mutants": rows,
            "summary": summary,
        }
        write_json(args.json, record)
    print(
        f"mutants: {summary['killed_every_seed']}/{len(rows)} killed at every one of {len(seeds)} seeds, "
        f"{len(summary['equivalent'])} documented equivalent, {len(survivors)} survivors"
        f"{' (' + ', '.join(survivors) + ')' if survivors else ''}; {time.perf_counter() - started:.0f} s"
    )
    return exit_code
