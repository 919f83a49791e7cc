"""A target whose code attacks the verifier: try ``python -m suite verify --target
examples/hostile_initializers.py --budget quick --time-limit 2 --memory-limit 2G``.

Two functions are correct (they delegate to initlib), one (``ones_``) is correct only in a process whose
state no other function has changed; every other one does what C extensions and careless code do to the
process that calls them. Each must get a failing verdict that says what happened, while the correct ones
pass and the run, its JSON and its summary complete (``tests/isolation_tests`` checks exactly that).
"""

import ctypes
import os
import signal

import torch

import initlib

#: More than the memory limit the tests give a worker (2 GiB), less than a small machine has.
BLOW_UP_BYTES = 6 << 30


def xavier_uniform_(tensor, gain=1.0, generator=None):
    """Correct."""
    return initlib.xavier_uniform_(tensor, gain, generator=generator)


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """Correct."""
    return initlib.kaiming_uniform_(tensor, a, mode, nonlinearity, generator=generator)


def xavier_normal_(tensor, gain=1.0, generator=None):
    """Segfaults: reads address 0 through ctypes."""
    ctypes.string_at(0)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """Ends the process from inside the call, skipping every ``finally`` (what ``exit()`` in C does)."""
    os._exit(3)


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    """Hangs inside C where no signal reaches it: libc ``sleep`` with SIGALRM blocked (a C loop that
    never returns to Python looks the same to the caller)."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
    ctypes.CDLL(None).sleep(3600)


def orthogonal_(tensor, gain=1, generator=None):
    """Hangs inside C, interruptibly: libc ``sleep`` (SIGALRM ends it; the time limit is reported)."""
    ctypes.CDLL(None).sleep(3600)


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    """Allocates (and touches) far more memory than a worker may have."""
    waste = torch.ones(BLOW_UP_BYTES, dtype=torch.uint8)
    return tensor.uniform_(a, b, generator=generator).add_(waste[0] - 1)


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    """Correct values, but changes process-wide state on the way: the default dtype, the global seed
    (a new one at every call) and the thread count. The seed shows in its own ``api.global_rng``
    verdict; none of it may reach another function (``ones_`` notices)."""
    torch.set_default_dtype(torch.float64)
    torch.manual_seed(torch.initial_seed() + 1)
    torch.set_num_threads(LEFT_THREADS)
    return initlib.trunc_normal_(tensor, mean, std, a, b, generator=generator)


#: The thread count ``trunc_normal_`` leaves behind: one that nothing else sets.
LEFT_THREADS = 7


def ones_(tensor):
    """Correct in a clean process; fills 2 instead of 1 where the default dtype is not float32 or the
    thread count is the one ``trunc_normal_`` (checked earlier) leaves behind."""
    clean = torch.get_default_dtype() == torch.float32 and torch.get_num_threads() != LEFT_THREADS
    return tensor.fill_(1.0 if clean else 2.0)


def zeros_(tensor):
    """Returns a new tensor on another device (``meta``) instead of filling its argument."""
    return torch.zeros(tensor.shape, dtype=tensor.dtype, device="meta")
