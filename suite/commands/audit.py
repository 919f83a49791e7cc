"""python -m suite audit: is a model initialized the way its code (or its spec) says?"""

from __future__ import annotations

import argparse
import sys

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


def _ints(text: str, option: str, minimum: int) -> list[int]:
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise ValueError(f"{option}: comma-separated integers expected, got {text!r}") from None
    if not values or any(v < minimum for v in values):
        raise ValueError(f"{option}: every value must be an integer >= {minimum}, got {text!r}")
    return values


def _callable(text: str, option: str):
    from suite.engine.targets import UsageError, load

    module_part, sep, attribute = text.partition(":")
    if not sep or not attribute:
        raise ValueError(f"{option}: expected MODULE:FACTORY (e.g. examples/models/tiny_gpt.py:build), got {text!r}")
    try:
        obj = load(text).obj
    except UsageError as error:
        raise ValueError(str(error).replace("--target:", f"{option}:")) from None
    if not callable(obj):
        raise ValueError(f"{option}: {attribute!r} in {module_part!r} is not callable")
    return obj


def run(args: argparse.Namespace) -> int:
    import torch

    from suite.audit import AuditError, SpecError, audit, output
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
        factory = _callable(args.model, "--model")
        inputs = _callable(args.input, "--input") if args.input else None
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
    except (AuditError, SpecError) as error:
        return usage(str(error))
    print(output.summary(result))
    if args.json:
        replay = " ".join(["python -m suite audit", *sys.argv[2:]]) if sys.argv[1:2] == ["audit"] else None
        write_json(args.json, output.to_json(result, replay))
        print(f"JSON: {args.json}")
    return result.exit_code
