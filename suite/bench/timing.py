"""The clock of every benchmark: ``time.perf_counter`` after waiting for the GPU.

pytest-benchmark reads its timer before and after each round (``--benchmark-timer``). CUDA kernels run
asynchronously, so a plain clock would time their launch only; :func:`synchronized_timer` first waits
for every kernel queued so far (``torch.cuda.synchronize``), so that a round covers the work it
launched. On the CPU, or before CUDA is initialised, it is the plain clock.
"""

from __future__ import annotations

import time

import torch

#: The dotted name pytest-benchmark's ``--benchmark-timer`` takes.
TIMER = "suite.bench.timing.synchronized_timer"


def synchronized_timer() -> float:
    """Seconds (``time.perf_counter``), read once the GPU has finished the work queued so far."""
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        torch.cuda.synchronize()
    return time.perf_counter()


def time_call(function, repeat: int = 1) -> float:
    """Seconds per call of ``function()`` over ``repeat`` back-to-back calls, synchronised."""
    start = synchronized_timer()
    for _ in range(repeat):
        function()
    return (synchronized_timer() - start) / repeat
