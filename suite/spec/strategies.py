"""Hypothesis strategies for calls: shapes, dtypes, modes, gains and slopes, seeds.

One place defines the space of calls. pytest draws from it with ``@given`` (and shrinks a failure to a
minimal call); the command line draws the same strategies deterministically from its seed
(:func:`draw`), so a run is replayed by its seed alone.
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

DTYPES = ("float32", "float64", "float16", "bfloat16")
#: Statistical cases pool replicate calls; a tensor has at least this many elements so that the
#: planned sample needs a bounded number of calls.
MIN_NUMEL = 128
MAX_NUMEL = 1 << 16

seeds = st.integers(min_value=0, max_value=2**63 - 1)
#: float32 most of the time (and what failures shrink to), every supported dtype some of the time.
dtypes = st.one_of(st.just("float32"), st.sampled_from(DTYPES))


@dataclass(frozen=True)
class Call:
    """One concrete call of an initializer: ``name(torch.empty(shape, dtype=dtype), **kwargs)``."""

    name: str
    shape: tuple[int, ...]
    dtype: str = "float32"
    kwargs: tuple[tuple[str, object], ...] = ()

    @property
    def args(self) -> dict:
        return dict(self.kwargs)

    @property
    def numel(self) -> int:
        return math.prod(self.shape)

    def describe(self) -> str:
        dtype = "" if self.dtype == "float32" else f", dtype=torch.{self.dtype}"
        parts = [f"torch.empty({self.shape}{dtype})"] + [f"{k}={v!r}" for k, v in self.kwargs]
        return f"{self.name}({', '.join(parts)})"


def call(name: str, shape, dtype: str = "float32", **kwargs) -> Call:
    return Call(name, tuple(int(s) for s in shape), dtype, tuple(sorted(kwargs.items())))


def _numel_between(shape, low: int, high: int) -> bool:
    return low <= math.prod(shape) <= high


def matrices(min_numel: int = MIN_NUMEL, max_numel: int = MAX_NUMEL, min_rows: int = 1):
    """(rows, cols): non-square mostly, singleton rows or columns included."""
    side = st.integers(1, 1024)
    return st.tuples(side.filter(lambda r: r >= min_rows), side).filter(
        lambda s: _numel_between(s, min_numel, max_numel)
    )


def kernels(dims: int, min_numel: int = MIN_NUMEL, max_numel: int = MAX_NUMEL, min_kernel: int = 1):
    """(out, in, *kernel) convolution weights: odd and even kernel sizes, singleton dimensions (unless
    ``min_kernel`` > 1)."""
    channels = st.integers(1, 128)
    kernel = st.integers(min_kernel, 7)
    return st.tuples(channels, channels, *[kernel] * (dims - 2)).filter(
        lambda s: _numel_between(s, min_numel, max_numel)
    )


#: Every weight shape a fan-based initializer accepts: matrices and 3-5-D convolution kernels.
weights = st.one_of(matrices(), kernels(3), kernels(4), kernels(5))
#: The tensor ranks that change the fans: a matrix (fan_in = size(1)), and 1-3-D convolution kernels
#: (fans times the receptive field, the product of size(2), ...). Each gets cases of its own.
FAN_RANKS = (2, 3, 4, 5)


def weights_of_rank(rank: int):
    """Weights of one rank of :data:`FAN_RANKS`, every kernel dimension at least 2 (so that each one
    changes the receptive field: a fan computed without it is wrong)."""
    return matrices(min_rows=2) if rank == 2 else kernels(rank, min_kernel=2)


gains = st.one_of(st.sampled_from([1.0, math.sqrt(2.0), 5.0 / 3.0, 0.5]), st.floats(0.1, 3.0))
slopes = st.one_of(st.just(0.0), st.sampled_from([0.01, 0.2, math.sqrt(5.0)]), st.floats(0.0, 1.0))
nonlinearities = st.sampled_from(["leaky_relu", "relu", "linear", "tanh", "selu", "sigmoid", "conv2d"])


class _Enough(Exception):
    """Raised inside the drawing test once it has its examples: Hypothesis stops generating at the first
    exception (no shrinking: only the generate phase runs) and raises it again when it replays the
    example, which then finds the list complete too."""


def draw(strategy, count: int, seed: int) -> list:
    """``count`` distinct examples of ``strategy``, the same for the same seed (Hypothesis's generation
    phase run under ``@seed``; no database, no shrinking). Generation stops as soon as the examples are
    there (up to ``4 * count`` are generated to find them): the first ``count`` distinct examples of the
    seed's sequence, at a fraction of the cost of generating all ``4 * count``."""
    found: list = []
    if count <= 0:
        return found

    @settings(
        max_examples=count * 4,
        database=None,
        phases=[Phase.generate],
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=False,
        report_multiple_bugs=False,
        print_blob=False,
    )
    @hypothesis_seed(seed)
    @given(strategy)
    def collect(example):
        if len(found) < count and example not in found:
            found.append(example)
        if len(found) >= count:
            raise _Enough

    with _no_source_constants(), contextlib.suppress(_Enough):
        collect()
    return found


@contextlib.contextmanager
def _no_source_constants():
    """Generation from the seed alone. Hypothesis (>= 6.131) sometimes draws a constant found in the
    source of the modules imported so far ("local constants"), so the same seed would draw other calls in
    a process that imported other modules (a worker, the pytest driver). While drawing, that pool is
    empty and its cache fresh; a Hypothesis without the feature is left alone."""
    try:
        from hypothesis.internal.conjecture import providers
    except ImportError:  # pragma: no cover
        yield
        return
    if not hasattr(providers, "_get_local_constants") or not hasattr(providers, "CONSTANTS_CACHE"):
        yield  # pragma: no cover
        return
    saved = providers._get_local_constants, providers.CONSTANTS_CACHE
    providers._get_local_constants = lambda: providers.Constants()
    providers.CONSTANTS_CACHE = {}
    try:
        yield
    finally:
        providers._get_local_constants, providers.CONSTANTS_CACHE = saved
