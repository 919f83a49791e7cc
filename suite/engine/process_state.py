"""Process-wide state a target can change, reset around each unit of work (one initializer's checks,
or one part of them: :mod:`suite.engine.workers`).

A target that calls ``torch.set_default_dtype``, seeds or draws from a global RNG, changes the thread
count or switches off autograd changes every later computation in its process. Around each unit the
suite fixes torch's thread count and seeds the global RNGs (torch, numpy, ``random``) from the run's
seed and the unit's name, so the unit sees the same state in every worker and with every ``--jobs``,
and afterwards puts back what it found, so a unit never sees what another unit's target did. A worker
process is the stronger barrier (:mod:`suite.engine.workers`); this guard is what makes units in one
process independent too.
"""

from __future__ import annotations

import contextlib
import random

import numpy as np
import torch

from suite.engine import invoke

#: torch's intra-op threads during a unit of work. One, whatever the machine and ``--jobs``: LAPACK's QR
#: (``torch.linalg.qr``, under ``orthogonal_``) rounds differently with a different thread count (on the
#: orthogonality error, 4.9e-7 against 4.2e-7), so the thread count must not depend on the number of
#: workers for the verdicts not to; and two workers of two threads each on two cores slowed a run by
#: 5-10% (a parallel kernel waits for a thread that the other worker's thread holds the core from).
UNIT_THREADS = 1


def _device_mode():
    """The device of the active ``torch.set_default_device`` mode, or None when there is none (factory
    calls then allocate on the CPU). Not ``torch.get_default_device()``: that says ``cpu`` both without a
    mode and under a ``cpu`` mode, and a mode, even a ``cpu`` one, routes every torch call through a
    Python ``__torch_function__`` (the warning in ``torch.set_default_device``'s documentation)."""
    from torch.overrides import _get_current_function_mode_stack
    from torch.utils._device import DeviceContext

    modes = [m for m in _get_current_function_mode_stack() if isinstance(m, DeviceContext)]
    return modes[-1].device if modes else None


def _snapshot() -> dict:
    return {
        "dtype": torch.get_default_dtype(),
        "device": _device_mode(),
        "threads": torch.get_num_threads(),
        "grad": torch.is_grad_enabled(),
        "deterministic": torch.are_deterministic_algorithms_enabled(),
        "torch_rng": torch.default_generator.get_state(),
        "numpy_rng": np.random.get_state(),
        "python_rng": random.getstate(),
    }


def _restore(state: dict) -> None:
    """Put back ``state``; a setter is called only where the value changed (setting the default device
    installs a mode, see :func:`_device_mode`; ``use_deterministic_algorithms`` imports torch's compiler,
    seconds on first use)."""
    if torch.get_default_dtype() != state["dtype"]:
        torch.set_default_dtype(state["dtype"])
    if _device_mode() != state["device"]:
        torch.set_default_device(state["device"])
    if torch.get_num_threads() != state["threads"]:
        torch.set_num_threads(state["threads"])
    torch.set_grad_enabled(state["grad"])
    if torch.are_deterministic_algorithms_enabled() != state["deterministic"]:
        torch.use_deterministic_algorithms(state["deterministic"])
    torch.default_generator.set_state(state["torch_rng"])
    np.random.set_state(state["numpy_rng"])
    random.setstate(state["python_rng"])


@contextlib.contextmanager
def guard(seed: int, unit: str):
    """Run the block (one unit of work) with the global RNGs seeded from ``(seed, unit)``, torch on
    :data:`UNIT_THREADS` threads, the time-limit memory (:data:`suite.engine.invoke._HUNG`) empty, and
    the process-wide state restored afterwards."""
    saved = _snapshot()
    if saved["threads"] != UNIT_THREADS:
        torch.set_num_threads(UNIT_THREADS)
    unit_seed = invoke.derive_seed(seed, "unit", unit)
    torch.default_generator.manual_seed(unit_seed)
    np.random.seed(unit_seed % 2**32)
    random.seed(unit_seed)
    invoke._HUNG.clear()
    try:
        yield
    finally:
        invoke._HUNG.clear()
        _restore(saved)
