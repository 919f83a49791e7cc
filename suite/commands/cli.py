"""``python -m suite COMMAND``: verify an initializer library, measure the verifier, benchmark.

Each command is a module of its own; it provides ``HELP`` (one line), ``add_arguments(parser)`` and ``run(args) -> int``
(the exit status: 0 every claim holds, 1 some claim is violated, 2 usage error).

What holds for every command lives here, once: a usage error is one line (``python -m suite verify: error:
...``, exit 2, no usage dump), checked before any work: a negative ``--seed`` (or ``--simulate``), an empty
``--only``, an output path (``--json``, ``--raw``) that
is a folder or cannot be written. A folder the output path needs is made before the run and kept (the command
says so) only if the run wrote into it: a run that stops at a usage error or fails leaves no folder behind. An
unexpected exception is one line too (exit 3), unless ``--debug`` asks for the traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path

COMMANDS: dict[str, str] = {
    "verify": "suite.commands.verify",
    "mutants": "suite.commands.mutants",
    "calibrate": "suite.commands.calibrate",
    "theory": "suite.commands.theory",
    "bench": "suite.bench.cli",
    "audit": "suite.commands.audit",
}
#: Integer options that must not be negative, whichever command has them.
NON_NEGATIVE = ("seed", "simulate")
#: Options naming a file a command writes: checked before any work.
OUTPUT_OPTIONS = ("json", "raw")
#: Exit status of an unexpected error (0, 1 and 2 are results and usage errors).
INTERNAL_ERROR = 3
#: Exit status when the reader of standard output went away (``| head``): 128 + SIGPIPE, as a shell reports
#: a command that signal ended.
OUTPUT_CLOSED = 141


class OneLineParser(argparse.ArgumentParser):
    """argparse, with its errors on one line (no usage dump): ``PROG: error: MESSAGE``, exit 2."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def output_problem(option: str, path: str | os.PathLike) -> str | None:
    """Why ``path`` cannot be written (one line naming ``option`` and the path), or None. Nothing is created
    here: a missing folder on the way only needs its nearest existing ancestor to be a writable folder;
    where the folder exists, the file itself is probed by opening it for appending, and removed again if the
    probe made it, so that a run never ends on an unwritable path."""
    path = Path(path)
    if path.is_dir():
        return f"{option}: {path} is a folder; give a file name"
    ancestor = path.parent
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        return f"{option}: cannot write {path}: {ancestor} is a file, not a folder"
    if not os.access(ancestor, os.W_OK | os.X_OK):
        return f"{option}: cannot write {path}: the folder {ancestor} is not writable"
    if ancestor != path.parent:
        return None
    existed = path.exists()
    try:
        with open(path, "a"):
            pass
    except OSError as error:
        return f"{option}: cannot write {path} ({error.strerror})"
    if not existed:
        path.unlink()
    return None


def _commands_to_import(argv: list[str]) -> dict[str, str]:
    """The commands whose modules ``main`` imports: only the one being run when the first argument names
    one (a command's module may import torch and more: seconds), else all of them (``--help``, a usage
    error: the list of commands with their help lines)."""
    chosen = argv[0] if argv else None
    return {chosen: COMMANDS[chosen]} if chosen in COMMANDS else COMMANDS


def main(argv: list[str] | None = None) -> int:
    parser = OneLineParser(
        prog="python -m suite",
        description="Verify weight initializers against what they promise, measure the verifier, benchmark.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=OneLineParser)
    for name, module_name in _commands_to_import(sys.argv[1:] if argv is None else argv).items():
        module = importlib.import_module(module_name)
        command = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(command)
        command.add_argument("--debug", action="store_true", help="show the traceback of an unexpected error")
        command.set_defaults(run=module.run, parser=command)
    args = parser.parse_args(argv)
    prog = args.parser.prog

    def say(line: str) -> None:
        print(f"{prog}: {line}", file=sys.stderr)

    for option in NON_NEGATIVE:
        if getattr(args, option, None) is not None and getattr(args, option) < 0:
            say(f"error: --{option}: must be a non-negative integer, got {getattr(args, option)}")
            return 2
    if getattr(args, "only", None) is not None and not args.only.replace(",", "").strip():
        say("error: --only: give at least one name (comma-separated), or leave the option out for all")
        return 2
    made = []  # (option, folder, the topmost folder made): a writer may expect the folder to exist
    for option in OUTPUT_OPTIONS:
        if getattr(args, option, None):
            problem = output_problem(f"--{option}", getattr(args, option))
            if problem:
                say(f"error: {problem}")
                return 2
            folder = Path(getattr(args, option)).parent
            if not folder.exists():
                top = folder
                while not top.parent.exists():
                    top = top.parent
                folder.mkdir(parents=True)
                made.append((option, folder, top))
    try:
        return args.run(args)
    except KeyboardInterrupt:
        say("interrupted")
        return 130
    except BrokenPipeError:  # Python's documentation, signal module, "Note on SIGPIPE"
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # the exit's flush must not fail again
        say("standard output was closed by its reader (a pipe); stopped")
        return OUTPUT_CLOSED
    except Exception as error:
        if args.debug:
            raise
        say(f"internal error: {type(error).__name__}: {error} (rerun with --debug for the traceback)")
        return INTERNAL_ERROR
    finally:
        for option, folder, top in made:
            if _kept(folder, top):
                say(f"created the folder {folder} for --{option}")


def _kept(folder: Path, top: Path) -> bool:
    """Whether a folder made for an output holds what the run wrote; one the run left empty (a usage error, a
    failure) is removed again, with the folders made above it up to ``top``, so none is left that nobody used."""
    if any(folder.iterdir()):
        return True
    while True:
        try:
            folder.rmdir()
        except OSError:
            return False
        if folder == top:
            return False
        folder = folder.parent
