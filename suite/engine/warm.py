"""The worker processes' start: forked from a fork server that imported the engine once.

A spawned worker starts a fresh interpreter and imports torch, scipy, hypothesis and the
engine (seconds of CPU each, on every worker and every replacement of a worker that died). The
``forkserver`` start method (Python's ``multiprocessing`` documentation, "Contexts and start methods")
spawns one server process, which imports :data:`PRELOAD` once and then forks each worker from itself:
a worker starts in milliseconds with the engine already imported. The fork is safe where forking the
verifier would not be: the server is a fresh interpreter that only imported modules and never ran torch
code (no OpenMP thread pool exists in it to be lost across the fork); the target itself is not imported
in the server (a hostile target's import must not take the server down), each worker loads it.

:func:`start` starts the server without waiting for it, so that it imports while the verifier does its
own set-up; this module imports nothing heavy so that it can be called first.
"""

from __future__ import annotations

import multiprocessing

#: What the fork server imports before it forks workers, in order: :mod:`suite.engine.server_start` (no
#: garbage collections during the imports, the libraries' lean imports), :mod:`suite.engine.server_exit`
#: (the server's quick exit) and what a worker runs, the engine and its checks.
PRELOAD = ["suite.engine.server_start", "suite.engine.server_exit", "suite.engine.verification"]


def context():
    """The multiprocessing context of the workers: forkserver, preloading :data:`PRELOAD`."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    return ctx


def start() -> None:
    """Start the fork server now (it imports :data:`PRELOAD` in the background); later workers fork
    from it. Starting it again is a no-op while it runs."""
    from multiprocessing import forkserver

    # OMP_WAIT_POLICY is already set: importing suite.engine (this package) sets it, and the server, so
    # every worker, inherits the environment.
    context()
    forkserver.ensure_running()
