"""Long-range stream and precision checks: one long float64 stream per random initializer.

Two successive calls with ONE generator fill two (rows, 512) float64 tensors of the case's arguments:
the budget's ``stream_values`` in call order (2^20 at the default budget, 2^18 quick, 2^22 thorough;
the non-zero ones for ``sparse_``). Figures below are for the default budget. One stable sort finds every repeated
value and the distances between its occurrences (:func:`suite.stats.significance.equal_values`):

* ``stream.every_lag``: repeats at no lag more often than chance allows, within a call and across the
  two (:func:`suite.stats.significance.repeat_lag_test`). A stream with period P (blocks seeded alike, a
  counter that wraps) repeats 2^20 - P values at lag P; a second call that replays the first (a
  generator re-seeded from its initial seed) repeats 2^19 values at lag 2^19. Every period up to
  2^20 - 3 is found (exact repeats: power 1).
* ``stream.successive_calls``: no correlation between the values at the same position of the two calls
  (:func:`suite.stats.significance.lag_correlation_test` at lag 2^19): power 0.99 against a
  correlation of about 0.01.
* ``precision.resolution``: the values have float64 resolution: no more equal pairs than a float64 law
  allows (:func:`suite.stats.significance.resolution_test`). Float64 filled from float32 draws (24 bits)
  gives about 32,000 equal pairs among 2^20 values, from 32 random bits about 128; the check finds any
  fill carrying 36 random bits or fewer with probability 0.99.

The claim is the law's, whatever the dtype: a float64 tensor holds a float64 law (53-bit resolution), as
float16 and bfloat16 tensors hold their rounded laws (:mod:`suite.stats.rounding`).
"""

from __future__ import annotations

import math

import numpy as np
import torch

from suite.engine.checks.context import CheckCase
from suite.engine.checks.layout import nan_tensor
from suite.engine.invoke import CallFailed, derive_seed, generator, invoke, takes_generator
from suite.engine.verdict import Verdict
from suite.spec.strategies import Call
from suite.stats import significance
from suite.stats.budget import STATED_CORRELATION

#: The stream: CALLS successive calls with one generator, each filling (rows, COLUMNS) float64 values.
CALLS, COLUMNS = 2, 512
#: A generator's grid may be coarser than float64's near zero (torch: multiples of 2^-53 in [0, 1),
#: so about twice the float format's collision rate there); the bound is multiplied by this.
RESOLUTION_SLACK = 16.0
FLOAT64_MANTISSA = -int(math.log2(torch.finfo(torch.float64).eps))  # 52 explicit bits

STATISTICAL = ("stream.every_lag", "stream.successive_calls", "precision.resolution")


def stream_call(case: CheckCase) -> Call:
    rows = case.plan.budget.stream_values // (CALLS * COLUMNS)
    return Call(case.spec.name, (rows, COLUMNS), "float64", case.call.kwargs)


def check(case: CheckCase, fn, select=None) -> list[Verdict]:
    """The three checks on the stream of ``CALLS`` successive calls (``select`` picks the values the law
    is claimed for, e.g. the non-zero ones of ``sparse_``)."""
    c = stream_call(case)
    law = case.spec.claim(c).marginal
    # one generator object for every call; a function without generator= draws its successive calls from
    # the global RNG, seeded once here and restored after (torch.random.fork_rng)
    extra = {"generator": generator(derive_seed(case.seed, "stream"))} if takes_generator(fn) else {}
    arrays = []
    try:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(derive_seed(case.seed, "stream-global"))
            for _ in range(CALLS):
                tensor = nan_tensor(c.shape, torch.float64)
                invoke(fn, tensor, {**c.args, **extra}, None, case.plan.budget.time_limit)
                arrays.append(tensor.numpy().reshape(-1))
    except CallFailed as failure:
        return [case.exact("stream.call", False, "successive calls complete", reason=str(failure), call=c.describe())]
    every = np.concatenate(arrays)
    values = every[select(every)] if select is not None else every
    # not constant: min < max, two fast passes (a std takes three and a float64 copy of millions of values)
    if not (np.isfinite(values).all() and values.size > 2 and values.min() < values.max()):
        return []  # garbage or constant: the marginal checks say why
    alpha, n = case.plan.check_alpha, values.size
    pairs, lags = significance.equal_values(values)
    described = f"{CALLS} successive calls of {c.describe()} with one generator"
    return [
        case.tested(
            "stream.every_lag",
            significance.repeat_lag_test(n, pairs, lags, alpha),
            n,
            "values repeat at no lag of the stream, within a call or between successive calls (no period)",
            call=described,
        ),
        case.tested(
            "stream.successive_calls",
            significance.lag_correlation_test(every[None, :], arrays[0].size, alpha, STATED_CORRELATION),
            every.size,
            "successive calls with one generator are uncorrelated (same position, call i and call i + 1)",
            call=described,
        ),
        case.tested(
            "precision.resolution",
            significance.resolution_test(
                n,
                pairs,
                significance.pair_collision_bound(law, FLOAT64_MANTISSA),
                alpha,
                FLOAT64_MANTISSA + 1,
                RESOLUTION_SLACK,
            ),
            n,
            f"float64 resolution: no more equal values than {law.describe()} in float64 allows",
            call=described,
        ),
    ]
