"""python -m suite audit: is a model initialized the way its code (or its spec) says?"""

from __future__ import annotations

import argparse
import os
import sys

from suite.audit.factory import load_callable
from suite.engine.environment import write_json
from suite.stats.budget import BUDGETS

HELP = "audit a model's initialization against a spec or torch's defaults (exit 0: all hold, 1: violation, 2: usage)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--model",
        required=True,
        metavar="MODULE:FACTORY",
        help="module or path/to/file.py, and a "
        "function called with no arguments (under torch.manual_seed(seed)) returning a torch.nn.Module",
    )
    parser.add_argument("--spec", metavar="FILE.toml", help="what each parameter should be (default: torch's defaults)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the first build; the same seed replays the audit")
    parser.add_argument("--builds", type=int, default=2, help="builds with different seeds (default 2)")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--input-shape", metavar="8,3,32,32", help="a N(0, 1) input of this shape for propagation")
    group.add_argument(
        "--input", metavar="MODULE:FACTORY", help="a function returning the input (tensor, tuple or dict)"
    )
    parser.add_argument("--widths", metavar="64,128,256", help="width sweep: the factory takes width=")
    parser.add_argument("--budget", choices=tuple(BUDGETS), default="default")
    parser.add_argument("--alpha", type=float, default=1e-3, help="family-wise false-alarm rate (default 1e-3)")
    parser.add_argument("--expect", metavar="FILE", help="ledger of known deviations (TOML, as verify's)")
    parser.add_argument("--json", metavar="PATH", help="write the audit as JSON (initcheck.audit/1)")
    parser.add_argument("--quiet", action="store_true", help="only the summary")
    # --- sharded models (issue 20): suite.audit.distributed ---
    parser.add_argument(
        "--world-size",
        type=int,
        metavar="N",
        help="audit a model sharded over N processes (torch's elastic launcher, gloo on CPU); the factory "
        "is called in every rank, with mesh= when it takes it. Inside a torchrun job the ranks are torchrun's",
    )
    parser.add_argument("--mesh", metavar="2,2", help="device mesh shape (product = world size; default N)")
    parser.add_argument(
        "--rank-timeout",
        type=float,
        default=600.0,
        metavar="S",
        help="a collective waits at most S seconds and a rank runs at most S seconds (default 600)",
    )


def _ints(text: str, option: str, minimum: int) -> list[int]:
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise ValueError(f"{option}: comma-separated integers expected, got {text!r}") from None
    if not values or any(v < minimum for v in values):
        raise ValueError(f"{option}: every value must be an integer >= {minimum}, got {text!r}")
    return values


def run(args: argparse.Namespace) -> int:
    import torch

    from suite.audit import AuditError, FactoryFailed, SpecError, audit
    from suite.audit import spec as specs
    from suite.engine.ledger import Ledger

    def usage(message: str) -> int:
        print(f"python -m suite audit: error: {message}", file=sys.stderr)
        return 2

    try:
        if not 0 < args.alpha < 1:
            raise ValueError(f"--alpha: must lie in (0, 1), got {args.alpha}")
        if args.builds < 1:
            raise ValueError(f"--builds: must be >= 1, got {args.builds}")
        widths = _ints(args.widths, "--widths", 1) if args.widths else None
        shape = _ints(args.input_shape, "--input-shape", 1) if args.input_shape else None
        spec = specs.load(args.spec) if args.spec else None
        factory = load_callable(args.model, "--model")
        inputs = load_callable(args.input, "--input") if args.input else None
        ledger = Ledger.read(args.expect) if args.expect else None
    except (ValueError, SpecError) as error:
        return usage(str(error))
    if shape is not None:
        generator_seed = args.seed

        def inputs():
            return torch.randn(shape, generator=torch.Generator().manual_seed(generator_seed))

    if widths and inputs is None:
        return usage("--widths: needs an input (--input-shape or --input)")
    progress = (lambda line: None) if args.quiet else (lambda line: print(line, flush=True))
    # --- sharded models (issue 20) ---
    try:
        sharded = _sharded(args, inputs, widths)
    except ValueError as error:
        return usage(str(error))
    if sharded is not None:
        from suite.audit.distributed import launch

        try:
            result = launch.launch(sharded, args.world_size) if not launch.in_torchrun() else launch.run_rank(sharded)
        except FactoryFailed as failure:  # on every rank alike
            result = _factory_failed(args, failure)
        except (AuditError, SpecError) as error:
            return usage(str(error))
        if launch.in_torchrun() and int(os.environ["RANK"]) != 0:
            return 0  # rank 0 carries the verdict's exit status (torchrun stops the job at a rank's failure)
        return _write(result, args)
    # --- end sharded models ---
    try:
        result = audit(
            factory,
            spec,
            seed=args.seed,
            builds=args.builds,
            budget=args.budget,
            alpha=args.alpha,
            inputs=inputs,
            widths=widths,
            name=args.model,
            ledger=ledger,
            progress=progress,
        )
    except FactoryFailed as failure:  # the code under test failed: a failing verdict and a complete report
        result = _factory_failed(args, failure)
    except (AuditError, SpecError) as error:
        return usage(str(error))
    return _write(result, args)


def _factory_failed(args: argparse.Namespace, failure):
    """The audit's result when the factory could not build the model (:func:`suite.audit.run.factory_failed`)."""
    from suite.audit.run import factory_failed

    options = {"seed": args.seed, "builds": args.builds, "budget": args.budget, "alpha": args.alpha}
    return factory_failed(args.model, failure, spec_path=args.spec, **options)


def _write(result, args: argparse.Namespace) -> int:
    from suite.audit import output

    print(output.summary(result))
    if args.json:
        replay = " ".join(["python -m suite audit", *sys.argv[2:]]) if sys.argv[1:2] == ["audit"] else None
        write_json(args.json, output.to_json(result, replay))
        print(f"JSON: {args.json}")
    return result.exit_code


def _sharded(args: argparse.Namespace, inputs, widths):
    """The job of a sharded audit (issue 20), or None for the single-process audit. Inside a torchrun job
    (its variables set, world size > 1) the audit is sharded whether or not --world-size is given."""
    from suite.audit.distributed import launch

    torchrun_world = int(os.environ["WORLD_SIZE"]) if launch.in_torchrun() else None
    if args.world_size is None and not (torchrun_world and torchrun_world > 1):
        if args.mesh:
            raise ValueError("--mesh: needs --world-size (or a torchrun job)")
        return None
    world = args.world_size if args.world_size is not None else torchrun_world
    if world < 1:
        raise ValueError(f"--world-size: must be >= 1, got {world}")
    if torchrun_world is not None and world != torchrun_world:
        raise ValueError(f"--world-size: {world} differs from the torchrun job's WORLD_SIZE={torchrun_world}")
    mesh = tuple(_ints(args.mesh, "--mesh", 1)) if args.mesh else (world,)
    product = 1
    for size in mesh:
        product *= size
    if product != world:
        raise ValueError(f"--mesh: the product of {args.mesh!r} must equal the world size {world}")
    if not args.rank_timeout > 0:
        raise ValueError(f"--rank-timeout: must be > 0 seconds, got {args.rank_timeout}")
    if inputs is not None or widths:
        raise ValueError(
            "--world-size: propagation and width sweeps (--input-shape, --input, --widths) are not "
            "measured on a sharded model"
        )
    options = {"seed": args.seed, "builds": args.builds, "budget": args.budget, "alpha": args.alpha}
    args.world_size = world
    return launch.Job(args.model, args.spec, mesh, args.rank_timeout, options, args.expect)
