"""How torch's idle OpenMP threads wait: asleep, not spinning.

torch's CPU kernels (and MKL's LAPACK, which torch's CPU build runs on GNU OpenMP) split work over
``torch.get_num_threads()`` threads. By default GNU OpenMP lets a thread that finished its share spin for
a while before it sleeps (``OMP_WAIT_POLICY`` unset: "the implementation decides"; libgomp spins). On a
machine with more runnable threads than cores (two workers of two threads each on two cores, or other
work) a spinning thread takes the core the thread it waits for needs: a 16x16 QR took 12 ms instead of
0.04 ms. ``OMP_WAIT_POLICY=PASSIVE`` (OpenMP 4.5 specification, section 4.8; libgomp manual,
"OMP_WAIT_POLICY") makes waiting threads sleep. The number of threads, and so how every reduction is
split and every verdict's value, stays the same.

OpenMP reads the variable when the runtime is loaded (when torch is imported), so :func:`sleep_when_idle`
must run before that in this process; worker processes inherit the environment.
"""

from __future__ import annotations

import os

#: The setting, unless the user's environment says otherwise.
WAIT_POLICY = ("OMP_WAIT_POLICY", "PASSIVE")


def sleep_when_idle() -> None:
    """Set ``OMP_WAIT_POLICY=PASSIVE`` for this process (if torch is not yet imported) and the processes
    it starts, unless the environment already sets it."""
    name, value = WAIT_POLICY
    os.environ.setdefault(name, value)
