"""The command line's exit without tearing down its modules.

After a command has written its output, the interpreter's finalization tears down every module torch,
SciPy and the engine imported: 0.15-0.25 s of a verification that took 5 s, for nothing, since the
process ends anyway. :func:`end` does what finalization does that anyone can observe, in its order
(Python's documentation, "sys.exit" and "atexit"): it runs the ``atexit`` handlers (multiprocessing's,
logging's, coverage's, the target's), flushes standard output and error, and then ends the process with
``os._exit``. A non-daemon thread still running (one a target started in-process, say) would be waited
for by a normal exit, so then :func:`end` exits normally instead.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
import threading
from typing import NoReturn


def end(code: int) -> NoReturn:
    """End the process with exit status ``code`` after the ``atexit`` handlers and a flush of the standard
    streams, without finalizing the interpreter; a normal exit while a non-daemon thread runs."""
    if any(t.is_alive() and not t.daemon for t in threading.enumerate() if t is not threading.main_thread()):
        raise SystemExit(code)
    atexit._run_exitfuncs()  # what a normal exit runs first (a private name, public since Python 2)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe or stream: nothing more to say there
            stream.flush()
    os._exit(code)
