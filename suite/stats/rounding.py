"""What rounding to a floating-point dtype does to a claimed continuous law.

A value ``v`` of a dtype stands for the continuous values that round to it: its cell, between the
midpoints to its neighbours. The checks use the law of the ROUNDED variable, exactly:

* its moments (mean, variance, kurtosis), by summing over every representable value of float16 or
  bfloat16 (65536 bit patterns at most); for float32/float64 the continuous law's (rounding changes
  the variance by about ulp^2 / 12, below 1e-14 relative);
* the randomised probability integral transform (Brockwell 2007): ``u = F(lower(v)) + V (F(upper(v)) -
  F(lower(v)))`` with V ~ U(0, 1) is exactly uniform under the claim, whatever the rounding, so the
  shape and extreme-value tests stay exact even when a support spans a handful of representable values
  (for values in ascending order, the V of equal values come as uniform order statistics: the same law
  of the multiset, which is all those tests read; :func:`ordered_offsets`);
* cell edges as cut-offs for counts near a bound.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch

from suite.stats.laws import Distribution

LOW_PRECISION = (torch.float16, torch.bfloat16)


def cell_edges(values: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper edges (float64) of the rounding cell of each value, in the values' dtype."""
    up = torch.nextafter(values, torch.full_like(values, float("inf"))).double()
    down = torch.nextafter(values, torch.full_like(values, float("-inf"))).double()
    exact = values.double()
    return ((exact + down) / 2).numpy(), ((exact + up) / 2).numpy()


def representable(value: float, dtype: torch.dtype) -> float:
    """``value`` rounded to ``dtype`` (what the initializer can actually compare against)."""
    return float(torch.tensor(value, dtype=torch.float64).to(dtype))


def at_most(value: float, dtype: torch.dtype) -> tuple[float, float]:
    """The largest ``r`` of ``dtype`` with ``r <= value``, and the upper edge of its cell: a rounded
    value is ``<= r`` exactly when the continuous value lies below that edge."""
    r = torch.tensor([value], dtype=torch.float64).to(dtype)
    if float(r) > value:
        r = torch.nextafter(r, torch.full_like(r, float("-inf")))
    return float(r), float(cell_edges(r)[1][0])


def at_least(value: float, dtype: torch.dtype) -> tuple[float, float]:
    """The smallest ``r`` of ``dtype`` with ``r >= value``, and the lower edge of its cell."""
    r = torch.tensor([value], dtype=torch.float64).to(dtype)
    if float(r) < value:
        r = torch.nextafter(r, torch.full_like(r, float("inf")))
    return float(r), float(cell_edges(r)[0][0])


def pit(values: torch.Tensor, law: Distribution, rng: np.random.Generator) -> np.ndarray:
    """Probability integral transform of ``values`` under ``law``: F(x) for float32/float64, the
    randomised transform over each value's cell for float16/bfloat16. Uniform on (0, 1) under the claim.
    Values in ascending order (as the marginal checks hold them) give transforms in ascending order: F is
    monotone, and the randomised transforms of equal values, which share a cell, get their offsets in
    ascending order (:func:`ordered_offsets`); the cells' edges and their F are then found once per distinct
    value (at most 65,536) rather than once per value."""
    flat = values.detach().cpu().reshape(-1)
    if values.dtype not in LOW_PRECISION:
        return law.cdf(flat.double().numpy())
    found = equal_runs(flat)
    if found is None:
        lower, upper = cell_edges(flat)
        f_low, f_high, offsets = law.cdf(lower), law.cdf(upper), rng.random(flat.numel())
    else:
        starts, lengths = found
        lower, upper = cell_edges(flat[torch.from_numpy(starts)])
        f_low, f_high = np.repeat(law.cdf(lower), lengths), np.repeat(law.cdf(upper), lengths)
        offsets = ordered_offsets(starts, lengths, rng)
    return np.minimum(f_low + offsets * (f_high - f_low), f_high)  # rounding kept inside the cell


def equal_runs(flat: torch.Tensor) -> tuple[np.ndarray, np.ndarray] | None:
    """For values in ascending order: where each run of equal values starts, and its length; None for
    values out of order (or with a NaN)."""
    n = flat.numel()
    if n < 2 or not bool((flat[1:] >= flat[:-1]).all()):
        return None
    starts = np.flatnonzero(np.concatenate([[True], (flat[1:] != flat[:-1]).numpy()]))
    return starts, np.diff(np.append(starts, n))


def ordered_offsets(starts: np.ndarray, lengths: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The randomised transform's offsets for runs of equal values (``starts``, ``lengths``: :func:`equal_runs`),
    end to end: the k offsets of a run are the order statistics of k independent uniforms, drawn in
    ascending order without a sort. With E_1 .. E_k+1 independent Exp(1) and S_i = E_1 + ... + E_i,
    (S_1, ..., S_k) / S_k+1 has the law of k sorted independent uniforms (Renyi's representation; Devroye
    1986, "Non-Uniform Random Variate Generation", V.2). As a multiset the offsets have the law of
    independent uniforms, and the checks on the transforms see only the multiset (the Kolmogorov-Smirnov
    statistic, the extremes): the transforms are as uniform as with independent offsets, and come in
    order (no sort of millions of float64 values)."""
    n, runs = int(lengths.sum()), starts.size
    first = starts + np.arange(runs)  # run r's k + 1 exponentials begin after the k + 1 of each run before
    sums = np.cumsum(rng.standard_exponential(n + runs))
    before = np.where(first > 0, sums[np.maximum(first - 1, 0)], 0.0)
    partial = sums[np.arange(n) + np.repeat(np.arange(runs), lengths)] - np.repeat(before, lengths)
    return partial / np.repeat(sums[first + lengths] - before, lengths)


@dataclass(frozen=True)
class Moments:
    """Mean, variance and kurtosis of a law (possibly of its rounded version), as the scale and
    location tests use them. ``family`` is the claimed family's name, suffixed for rounded laws."""

    family: str
    mean: float
    variance: float
    kurtosis: float

    @property
    def std(self) -> float:
        return math.sqrt(self.variance)


def moments(law: Distribution, dtype: torch.dtype) -> Moments:
    """The moments of ``law`` rounded to ``dtype`` (see the module docstring)."""
    if dtype not in LOW_PRECISION:
        return Moments(law.family, law.mean, law.variance, law.kurtosis)
    return _rounded_moments(law, dtype)


def largest_value_probability(law: Distribution, dtype: torch.dtype) -> float:
    """The largest probability ``law`` rounded to ``dtype`` puts on one value: the largest cell's mass for
    float16 and bfloat16; 0 for float32 and float64, whose cells (at most 2^-23 of a value's magnitude)
    hold a negligible mass of any law the claims draw (a cell would need most of the mass for a hundred
    values to be equal with a probability that matters)."""
    if dtype not in LOW_PRECISION:
        return 0.0
    return _largest_cell(law, dtype)


@lru_cache(maxsize=512)
def _largest_cell(law: Distribution, dtype: torch.dtype) -> float:
    _, lower, upper = _grid(dtype)
    return float(np.max(law.cdf(upper) - law.cdf(lower)))


@lru_cache(maxsize=512)
def _rounded_moments(law: Distribution, dtype: torch.dtype) -> Moments:
    values, lower, upper = _grid(dtype)
    probabilities = law.cdf(upper) - law.cdf(lower)
    keep = probabilities > 0
    v, p = values[keep], probabilities[keep] / probabilities[keep].sum()
    mean = float(np.dot(v, p))
    centred = v - mean
    variance = float(np.dot(centred**2, p))
    kurtosis = float(np.dot(centred**4, p)) / variance**2 if variance > 0 else 3.0
    return Moments(f"{law.family} rounded to {str(dtype)[6:]}", mean, variance, kurtosis)


@lru_cache(maxsize=2)
def _grid(dtype: torch.dtype) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every finite value of a 16-bit float dtype, sorted, with its cell edges (infinite at the ends)."""
    patterns = torch.arange(-(2**15), 2**15, dtype=torch.int32).to(torch.int16).view(dtype)
    values = torch.unique(patterns[torch.isfinite(patterns)])
    lower, upper = cell_edges(values)
    lower[0], upper[-1] = -np.inf, np.inf
    return values.double().numpy(), lower, upper
