"""``python -m suite COMMAND``: verify an initializer library, measure the verifier, benchmark.

Each command is a module of its own; it provides ``HELP`` (one line), ``add_arguments(parser)`` and ``run(args) -> int``
(the exit status: 0 every claim holds, 1 some claim is violated, 2 usage error).
"""

from __future__ import annotations

import argparse
import importlib

COMMANDS: dict[str, str] = {
    "verify": "suite.commands.verify",
    "mutants": "suite.commands.mutants",
    "calibrate": "suite.commands.calibrate",
    "theory": "suite.commands.theory",
    "bench": "suite.bench.cli",
    "audit": "suite.commands.audit",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m suite",
        description="Verify weight initializers against what they promise, measure the verifier, benchmark.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, module_name in COMMANDS.items():
        module = importlib.import_module(module_name)
        command = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(command)
        command.set_defaults(run=module.run)
    args = parser.parse_args(argv)
    return args.run(args)
