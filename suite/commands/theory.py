"""python -m suite theory: initialization theory (criticality, dynamical isometry, 10,000-layer CNNs, SELU,
finite width) as verified claims, each a theory value against a measurement, decided together by Holm."""

from __future__ import annotations

import argparse
import platform
import sys
import time

from suite.engine.environment import SUITE_VERSION, write_json
from suite.stats.budget import BUDGETS

HELP = "check initialization theory against measured networks (exit 0: all hold, 1: a claim is violated, 2: usage)"
SCHEMA = "initcheck.theory/1"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--budget", choices=tuple(BUDGETS), default="default")
    parser.add_argument("--seed", type=int, default=0, help="run seed; the same seed replays the run (default 0)")
    parser.add_argument("--alpha", type=float, default=1e-3, help="family-wise false-alarm rate (default 1e-3)")
    parser.add_argument("--only", help="comma-separated families (products, meanfield, isometry, ...)")
    parser.add_argument("--json", metavar="PATH", help=f"write the theory document ({SCHEMA})")
    parser.add_argument("--quiet", action="store_true", help="only the summary")


def run(args: argparse.Namespace) -> int:
    from suite.theory import registry

    def usage(message: str) -> int:
        print(f"python -m suite theory: error: {message}", file=sys.stderr)
        return 2

    if not 0 < args.alpha < 1:
        return usage(f"--alpha: must lie in (0, 1), got {args.alpha}")
    if args.seed < 0:
        return usage(f"--seed: must be >= 0, got {args.seed}")
    only = [n.strip() for n in args.only.split(",") if n.strip()] if args.only else None
    unknown = [n for n in only or [] if n not in registry.family_names()]
    if unknown or only == []:
        return usage(
            f"--only: unknown family {', '.join(unknown) or '(none given)'}; "
            f"known: {', '.join(registry.family_names())}"
        )
    import torch

    torch.set_num_threads(1)  # small networks: on a shared machine extra threads cost far more than they give
    started = time.perf_counter()
    cpu = time.process_time()
    print(f"Theory checks at the {args.budget} budget, seed {args.seed}", flush=True)
    outcome = registry.run(args.budget, args.seed, args.alpha, only, progress=lambda s: print(s, flush=True))
    checks = outcome["checks"]
    failed = [c for c in checks if c.decided and not c.passed]
    if not args.quiet:
        for c in checks:
            status = "report" if not c.decided else ("ok" if c.passed else "FAIL")
            theory = "-" if c.theory is None else f"{c.theory:.5g}"
            measured = "-" if c.measured is None else f"{c.measured:.5g}"
            detail = ", ".join(
                f"{k}={v}"
                for k, v in c.params.items()
                if k
                in (
                    "quantity",
                    "moment",
                    "sigma_w2",
                    "sigma_b2",
                    "L",
                    "n",
                    "depth",
                    "weights",
                    "kernels",
                    "layer",
                    "architecture",
                    "init",
                    "at",
                )
            )
            p = "" if c.p_value is None else f"  p={c.p_value:.3g}"
            print(f"  {status:<6} {c.id:<30} theory {theory:>10}  measured {measured:>10}{p}  [{detail}]")
    exit_code = 1 if failed else 0
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    missing = [i for i in registry.REQUIRED_IDS if i not in {c.id for c in checks}]
    if args.json:
        record = {
            "schema": SCHEMA,
            "suite_version": SUITE_VERSION,
            "seed": args.seed,
            "budget": args.budget,
            "alpha": args.alpha,
            "versions": {"python": platform.python_version(), "torch": torch.__version__},
            "checks": [c.as_dict() for c in checks],
            "series": outcome["series"],
            "timing": outcome["timing"],
            "summary": {
                "checks": len(checks),
                "decided": sum(c.decided for c in checks),
                "failed": len(failed),
                "missing_ids": missing if not only else [],
                "exit_code": exit_code,
                "wall_s": elapsed,
                "cpu_s": cpu,
            },
        }
        write_json(args.json, record)
    decided = sum(c.decided for c in checks)
    print(
        f"theory: {decided - len(failed)} of {decided} decided checks hold at family-wise alpha {args.alpha:g} "
        f"({len(checks) - decided} reported only); {elapsed:.0f} s wall, {cpu:.0f} s CPU"
    )
    return exit_code
