"""The command line's exit without tearing down its modules.

After a command has written its output, the interpreter's finalization tears down every module torch,
SciPy and the engine imported: 0.15-0.25 s of a verification that took 5 s, for nothing, since the
process ends anyway. :func:`end` does what finalization does that anyone can observe, in its order
(Python's documentation, "sys.exit" and "atexit"): it runs the ``atexit`` handlers (multiprocessing's,
logging's, the target's), flushes standard output and error, and then ends the process with ``os._exit``.

``suite.__main__`` ends so only a process :func:`started_as` ``python -m suite`` with no tracer or profiler
set. Run under another program (``python -m cProfile -m suite``, ``coverage run -m suite``, a debugger),
the command returns to it with a normal exit, so that it can write what it measured. A non-daemon thread still
running (one a target started in-process, say) is waited for by a normal exit, so then :func:`end` exits
normally too.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
import threading
from typing import NoReturn

#: Interpreter options that take the next argument as their value (``python -X importtime -m suite``).
_OPTIONS_WITH_VALUES = ("-X", "-W", "--check-hash-based-pycs")


def started_as(module: str) -> bool:
    """Whether this process is ``python [interpreter options] -m MODULE ...`` itself (``sys.orig_argv``),
    not another program (a profiler, coverage, a debugger) running MODULE, and no tracer or profiler is
    set."""
    if sys.gettrace() is not None or sys.getprofile() is not None:
        return False
    argv = sys.orig_argv[1:]
    index = 0
    while index < len(argv) and argv[index].startswith("-") and argv[index] != "-m":
        index += 2 if argv[index] in _OPTIONS_WITH_VALUES else 1
    return argv[index : index + 2] == ["-m", module]


def end(code: int) -> NoReturn:
    """End the process with exit status ``code`` after the ``atexit`` handlers and a flush of the standard
    streams, without finalizing the interpreter; a normal exit while a non-daemon thread runs."""
    threads = [t for t in threading.enumerate() if t is not threading.main_thread() and not t.daemon]
    if any(t.is_alive() for t in threads):
        raise SystemExit(code)
    atexit._run_exitfuncs()  # what a normal exit runs first (a private name, public since Python 2)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe or stream: nothing more to say there
            stream.flush()
    os._exit(code)
