"""A target whose ``uniform_`` is correct and quick, but whose first call in each process stops that
process for :data:`STOP_SECONDS` (SIGSTOP; a shell it starts sends SIGCONT), as a suspended or
overloaded machine would. Time spent stopped is not the call's own: under a per-call time limit shorter
than the stop, every call must still pass. ``ones_`` is correct and never stops."""

import os
import signal
import subprocess

import initlib

#: Seconds the first call of ``uniform_`` in a process stays stopped.
STOP_SECONDS = 4

_stopped_once = False


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    """Correct; stops its process once."""
    global _stopped_once
    if not _stopped_once:
        _stopped_once = True
        subprocess.Popen(["sh", "-c", f"sleep {STOP_SECONDS}; kill -CONT {os.getpid()}"])
        os.kill(os.getpid(), signal.SIGSTOP)
    return initlib.uniform_(tensor, a, b, generator=generator)


def ones_(tensor):
    """Correct."""
    return initlib.ones_(tensor)
