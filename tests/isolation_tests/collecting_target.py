"""A target whose ``uniform_`` is correct but refuses to run where automatic garbage collection is off:
the fork server imports with collections paused (:mod:`suite.engine.server_start`), and a worker must
turn them on again before it calls the target, or a long run's cyclic garbage would never be freed."""

import gc

import initlib


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    """Correct, where the garbage collector runs."""
    if not gc.isenabled():
        raise RuntimeError("automatic garbage collection is off in this process")
    return initlib.uniform_(tensor, a, b, generator=generator)
