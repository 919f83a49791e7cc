"""The benchmark plan: which calls are timed, on which shapes and dtypes, in which order.

Every timed call is a :class:`Case`. A run repeats the whole list of cases ``passes`` times; inside a
pass, the cases of one (dtype, shape) follow each other (roofline first, then each initializer with
its implementations side by side, their order alternating from pass to pass), so that a ratio compares
timings taken minutes apart at most and drifts of a noisy machine hit both sides alike.

* quick (the report's benchmark, under a minute on 2 idle cores): the 4096 x 4096 float32 table of every
  initializer torch also has (the ratios and targets the report reads) but orthogonal_ (a 4096 x 4096 QR
  per call: its cost is measured by the sweep instead), three smaller sizes for the size scaling of the
  three plain distributions, and the ``orthogonal_`` sweep up to n = 512; torch, initlib and initlib.fast
  (where numba is installed). Left to the full run: initlib's extras (no torch counterpart, so no ratio:
  lecun_*, variance_scaling_, delta_orthogonal_), JAX (a second framework, over a second per 4096 x 4096
  call on a CPU), the QR at n >= 1024 and so the O(n^3) fit (three points from n = 512), bfloat16 and the
  conv kernels. The passes stay at :data:`DEFAULT_PASSES`, so the interval of each ratio keeps its
  coverage; what shrinks is the time per case and pass (:data:`QUICK_ROUNDS_TIME`): a 4096 x 4096 call
  (20 ms to seconds) is one round, and the pass-to-pass spread, not the rounds within a pass, sets the
  interval.
* full: sizes from 1e3 to 1e8 elements and typical conv kernels, float32 and bfloat16, every
  initializer where it applies, the ``orthogonal_`` sweep up to n = 4096, JAX where it is installed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from suite.bench.impls import INITIALIZERS, REFERENCE_OPS, fast_available

MAIN_SHAPE = (4096, 4096)
#: Typical kernels: ResNet stem, 3x3 convolutions of a ResNet's deeper stages, a ViT patch embedding.
CONV_KERNELS = ((64, 3, 7, 7), (256, 256, 3, 3), (512, 512, 3, 3), (768, 3, 16, 16))
#: About 1e3, 1e4, ..., 1e8 elements.
FULL_SIZES = ((32, 32), (100, 100), (316, 316), (1000, 1000), (3162, 3162), MAIN_SHAPE, (10000, 10000))
QUICK_SIZES = ((32, 32), (316, 316), (1000, 1000))
#: The initializers timed against size in the quick run (the full run times all at every size).
QUICK_SIZE_SCALING = ("uniform_", "normal_", "trunc_normal_")
#: The orthogonal_ sweep (n x n), for the O(n^3) fit.
QUICK_SIDES = (128, 256, 512)
FULL_SIDES = (64, 128, 256, 512, 1024, 2048, 4096)
#: Largest tensor (elements) for the initializers whose cost grows faster than their size.
SIZE_LIMITS = {"orthogonal_": 4096**2, "delta_orthogonal_": 4096**2, "sparse_": 4096**2}
#: Interleaved passes over the plan: with 5, the extremes of the per-pass ratios cover their median
#: with probability 93.75% (suite.bench.results.median_interval), which the targets' verdicts use.
DEFAULT_PASSES = 5
#: Initializers with a torch counterpart the quick run leaves out of the 4096 x 4096 table: a 4096 x 4096
#: QR per call (timed by the sweep instead).
QUICK_TABLE_SKIPS = ("orthogonal_",)
#: Seconds of timed rounds per case and pass (at least one round; each round at least ``ROUND_TIME``
#: of back-to-back calls, see suite.bench.benchmarks): full, quick.
FULL_ROUNDS_TIME, QUICK_ROUNDS_TIME = 0.2, 0.03


@dataclass(frozen=True)
class Case:
    """One timed call: ``impl``'s ``initializer`` on a ``device`` tensor of ``dtype`` and ``shape``."""

    initializer: str
    impl: str
    device: str
    dtype: str
    shape: tuple[int, ...]

    @property
    def numel(self) -> int:
        return math.prod(self.shape)

    @property
    def key(self) -> str:
        """Identifies the case across passes (and names the benchmark)."""
        shape = "x".join(map(str, self.shape))
        return f"{self.initializer}-{self.impl}-{self.device}-{self.dtype}-{shape}"


@dataclass(frozen=True)
class Plan:
    device: str
    quick: bool
    passes: int
    impls: tuple[str, ...]
    #: Seconds of timed rounds per case and pass.
    rounds_time: float
    #: ((dtype, shape), initializer names) in the order they run within a pass.
    groups: tuple[tuple[tuple[str, tuple[int, ...]], tuple[str, ...]], ...]

    def cases(self, pass_index: int) -> list[Case]:
        """The cases of one pass, in order (implementations alternate their order between passes)."""
        impls = self.impls if pass_index % 2 == 0 else tuple(reversed(self.impls))
        cases = []
        for (dtype, shape), names in self.groups:
            cases += [Case(op, "reference", self.device, dtype, shape) for op in REFERENCE_OPS]
            for name in names:
                spec = INITIALIZERS[name]
                actual = spec.shape_for(shape)
                for impl in impls:
                    if impl == "torch" and not spec.in_torch:
                        continue
                    cases.append(Case(name, impl, self.device, dtype, actual))
        return cases

    def all_cases(self) -> list[tuple[int, Case]]:
        return [(index, case) for index in range(self.passes) for case in self.cases(index)]


def build_plan(
    device: str = "cpu",
    quick: bool = False,
    passes: int | None = None,
    only: tuple[str, ...] | None = None,
    max_numel: int | None = None,
    jax: bool = False,
) -> Plan:
    """The plan for ``device``; ``only`` keeps those initializers, ``max_numel`` drops larger tensors; ``jax``
    adds JAX's counterparts to a full run."""
    everything = tuple(INITIALIZERS)
    wanted: dict[tuple[str, tuple[int, ...]], list[str]] = {}

    def add(dtype, shape, names):
        for name in names:
            spec = INITIALIZERS[name]
            actual = spec.shape_for(shape)
            if actual is None or math.prod(actual) > SIZE_LIMITS.get(name, math.inf):
                continue
            if (only and name not in only) or (max_numel and math.prod(actual) > max_numel):
                continue
            names_here = wanted.setdefault((dtype, shape), [])
            if name not in names_here:
                names_here.append(name)

    if quick:
        table = [name for name in everything if INITIALIZERS[name].in_torch and name not in QUICK_TABLE_SKIPS]
        add("float32", MAIN_SHAPE, table)
        for shape in QUICK_SIZES:
            add("float32", shape, QUICK_SIZE_SCALING)
        for side in QUICK_SIDES:
            add("float32", (side, side), ("orthogonal_",))
    else:
        for dtype in ("float32", "bfloat16"):
            for shape in (*FULL_SIZES, *CONV_KERNELS):
                add(dtype, shape, everything)
        for side in FULL_SIDES:
            add("float32", (side, side), ("orthogonal_",))
    jax = jax and not quick
    impls = ("torch", "initlib", *(("initlib.fast",) if fast_available() else ()), *(("jax",) if jax else ()))
    groups = tuple((key, tuple(names)) for key, names in sorted(wanted.items(), key=_group_order))
    return Plan(
        device=device,
        quick=quick,
        passes=passes or DEFAULT_PASSES,
        impls=impls,
        rounds_time=QUICK_ROUNDS_TIME if quick else FULL_ROUNDS_TIME,
        groups=groups,
    )


def _group_order(item):
    (dtype, shape), _ = item
    return (dtype != "float32", math.prod(shape), shape)
