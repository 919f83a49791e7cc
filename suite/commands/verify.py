"""python -m suite verify: check that a target's initializers do what they promise."""

from __future__ import annotations

import argparse
import sys

from suite.engine.environment import write_json
from suite.stats.budget import BUDGETS

HELP = "verify a target's initializers against their claims (exit 0: all hold, 1: a claim is violated, 2: usage)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--target",
        required=True,
        help="initlib, torch.nn.init, torch-layers, a module, path/to/file.py or module:object",
    )
    parser.add_argument("--only", help="comma-separated initializer (or property) names")
    parser.add_argument("--seed", type=int, default=0, help="run seed; the same seed replays the run (default 0)")
    parser.add_argument("--budget", choices=tuple(BUDGETS), default="default")
    parser.add_argument(
        "--alpha", type=float, default=1e-3, help="family-wise false-alarm rate of the run (default 1e-3)"
    )
    parser.add_argument("--json", metavar="PATH", help="write one record per verdict (initcheck.verify/1)")
    parser.add_argument(
        "--expect",
        metavar="FILE",
        help="ledger of known deviations replacing the target's own (/dev/null: none)",
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        metavar="SECONDS",
        help="per-call time limit of the target's functions (default: the budget's); in workers, time the "
        "machine withheld from the worker (waiting for a core, stopped) does not count",
    )
    parser.add_argument(
        "--unit-time-limit",
        type=float,
        metavar="SECONDS",
        help="time limit of one initializer's checks; past it they fail with one verdict naming the limit and "
        "the run goes on (default: 30 per-call time limits of the budget)",
    )
    parser.add_argument(
        "--isolation",
        choices=("workers", "none"),
        default="workers",
        help="workers (default): the target runs in worker processes, so a crash, a hang inside C or a memory "
        "blow-up fails that call and the run goes on, and time limits count the worker's own time; none: in "
        "this process, for debugging (gives up that protection: such a target ends the whole run; time limits "
        "are wall-clock time)",
    )
    parser.add_argument("--jobs", type=int, metavar="N", help="worker processes (default: the number of cores)")
    parser.add_argument(
        "--memory-limit",
        metavar="SIZE",
        help="address space of each worker, e.g. 4G or 512M (default: half the machine's memory over the workers)",
    )
    parser.add_argument("--quiet", action="store_true", help="only the summary")


def provides_nothing(target) -> str | None:
    """Why ``target`` cannot be verified at all (it provides none of its table's initializers), naming what a
    target must provide and the nearest module that does: a module it holds (``torch.nn`` holds
    ``torch.nn.init``), else the built-in target whose name is closest; None when it provides one."""
    import difflib
    import inspect

    from suite.engine import targets

    names = list(target.claims)
    if any(target.function(n) is not None for n in names):
        return None
    holders = [
        f"{target.name}.{attr}"
        for attr, value in sorted(vars(target.obj).items() if hasattr(target.obj, "__dict__") else [])
        if inspect.ismodule(value) and any(callable(getattr(value, n, None)) for n in names)
    ]
    builtin = ["initlib", "torch.nn.init", *targets.LAYER_TARGETS, *targets.ADAPTERS, *targets.CLAIMS]
    nearest = holders or difflib.get_close_matches(target.name, builtin, n=1) or ["torch.nn.init"]
    return (
        f"--target: {target.name} provides none of the initializers a target must provide (functions named as in "
        f"torch.nn.init: {', '.join(names[:3])}, ...); nearest module that does: {nearest[0]}"
    )


def run(args: argparse.Namespace) -> int:
    def usage(message: str) -> int:
        print(f"python -m suite verify: error: {message}", file=sys.stderr)
        return 2

    if not 0 < args.alpha < 1:
        return usage(f"--alpha: must lie in (0, 1), got {args.alpha}")
    if args.time_limit is not None and not args.time_limit > 0:
        return usage(f"--time-limit: must be > 0 seconds, got {args.time_limit}")
    if args.unit_time_limit is not None and not args.unit_time_limit > 0:
        return usage(f"--unit-time-limit: must be > 0 seconds, got {args.unit_time_limit}")
    if args.isolation == "workers" and (args.jobs is None or args.jobs >= 1):
        from suite.engine import warm

        warm.start()  # the workers' fork server imports the engine while this process does its own set-up
    from suite.engine import heap, lean_imports

    with heap.importing():  # the engine and the target: no collections meanwhile, frozen after
        lean_imports.prepare()
        from suite.commands import summary
        from suite.engine import verification, workers
        from suite.engine.ledger import Ledger
        from suite.engine.targets import UsageError, load

        try:
            isolation = _isolation(args)
        except ValueError as error:
            return usage(str(error))
        try:
            target = load(args.target)
            ledger = Ledger.read(args.expect) if args.expect else Ledger.for_target(target.name)
        except (UsageError, ValueError) as error:
            return usage(str(error))
    problem = provides_nothing(target)
    if problem:
        return usage(problem)
    only = [n.strip() for n in args.only.split(",") if n.strip()] if args.only else None
    if only is not None:
        known = set(verification.known_names(target))
        unknown = [n for n in only if n not in known]
        if unknown:
            return usage(f"--only: unknown name(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    progress = (lambda line: None) if args.quiet else (lambda line: print(line, flush=True))
    progress(f"Verifying {target.name} (budget {args.budget}, seed {args.seed}, family-wise alpha {args.alpha:g})")
    try:
        outcome = verification.verify(
            target,
            only,
            args.seed,
            args.budget,
            args.alpha,
            ledger,
            progress,
            args.time_limit,
            isolation,
            args.unit_time_limit,
        )
    except workers.WorkerStartFailed as error:
        return usage(f"--isolation workers: {error}")
    print(summary.summary(outcome))
    if outcome.interrupted:
        print(f"Interrupted: the run stopped early; these are the {len(outcome.verdicts)} verdicts reached so far")
    if args.json:
        record = summary.to_json(outcome)
        if outcome.interrupted:
            record["interrupted"] = True  # the verdicts reached before Ctrl-C or SIGTERM
        write_json(args.json, record)
        print(f"JSON: {args.json}")
    return outcome.exit_code


def _isolation(args: argparse.Namespace):
    """The run's :class:`suite.engine.workers.Isolation` from --isolation, --jobs and --memory-limit."""
    from suite.engine import workers

    return workers.choose_isolation(args.isolation, args.jobs, args.memory_limit)
