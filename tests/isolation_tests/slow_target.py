"""A target whose ``uniform_`` is correct but slow: every call takes 0.3 s, far below the per-call time
limit, so only a time limit on the whole unit of work (one initializer's checks) stops it; ``ones_`` is
correct and fast; ``normal_`` hangs inside C (libc ``sleep``) for longer than the unit limit the tests
give but within the per-call limit they give, so only the parent's kill at the unit limit stops it."""

import ctypes
import time

import initlib

#: Seconds each call of uniform_ sleeps.
CALL_SECONDS = 0.3


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    """Correct, slowly."""
    time.sleep(CALL_SECONDS)
    return initlib.uniform_(tensor, a, b, generator=generator)


def ones_(tensor):
    """Correct."""
    return initlib.ones_(tensor)


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    """Hangs inside C for 60 s."""
    ctypes.CDLL(None).sleep(60)
    return initlib.normal_(tensor, mean, std, generator=generator)
