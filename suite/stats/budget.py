"""Budgets: how hard the suite looks, set by the effect it must detect and the time it may take.

Each statistical check is planned, not guessed: its sample size is the smallest that gives power 0.99
against the budget's design effect (a relative error of the standard deviation) at the per-check
threshold, capped by the budget's time limits. The per-check threshold is the run's family-wise
false-alarm rate divided by an upper bound on the number of statistical checks the full claims table
can produce at that budget (Bonferroni for planning; decisions use Holm, which is never less
powerful). The bound does not depend on ``--only`` or on the target, so a narrower run replays the
same draws.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_ALPHA = 1e-3
DESIGN_POWER = 0.99
RARE_POWER = 0.99
#: Effects every verdict states its power against (besides the budget's design effect).
STATED_STD_ERROR = 0.02
STATED_MEAN_SHIFT = 0.02  # in units of the std
STATED_CORRELATION = 0.02
STATED_DUPLICATION = 0.01
STATED_PROPORTION_ERROR = 0.05


@dataclass(frozen=True)
class Budget:
    name: str
    design_std_error: float  # relative std error detected with power DESIGN_POWER
    cases: int  # calls drawn per initializer
    max_sample: int  # cap on the pooled sample of one check
    max_calls: int  # cap on replicate calls of one case
    haar_draws: int  # orthogonal matrices per Haar test
    network_draws: int  # independent networks per propagation check
    time_limit: float  # seconds one call of the target may take
    stream_values: int  # float64 values of the long stream (two successive calls), per initializer
    layout_values: int  # pooled values of the memory-layout scale check, per initializer
    #: Bound checks (support, sparse's zeros per column) see enough values to find a violation at this
    #: rate per value with probability RARE_POWER (:mod:`suite.engine.rare`).
    rare_rate: float = 1e-6
    #: At most this many further calls of a case for its bound check (a count, not a time: a run replays bit
    #: for bit): 40,000 calls of the smallest drawn tensors (128 values) give the default size.
    rare_calls: int = 40_000


BUDGETS = {
    "quick": Budget(
        "quick",
        0.02,
        cases=2,
        max_sample=200_000,
        max_calls=1_500,
        haar_draws=1_000,
        network_draws=50,
        time_limit=10.0,
        stream_values=1 << 18,
        layout_values=1 << 14,
        rare_rate=1e-5,
        rare_calls=4_000,
    ),
    "default": Budget(
        "default",
        0.0075,
        cases=4,
        max_sample=1_000_000,
        max_calls=5_000,
        haar_draws=2_000,
        network_draws=150,
        time_limit=20.0,
        stream_values=1 << 20,
        layout_values=1 << 16,
    ),
    "thorough": Budget(
        "thorough",
        0.003,
        cases=8,
        max_sample=6_000_000,
        max_calls=30_000,
        haar_draws=20_000,
        network_draws=500,
        time_limit=60.0,
        stream_values=1 << 22,
        layout_values=1 << 18,
    ),
}


def get(name: str) -> Budget:
    try:
        return BUDGETS[name]
    except KeyError:
        raise ValueError(f"budget: unknown {name!r}; expected one of {tuple(BUDGETS)}") from None
