"""The samplers every random initializer ends in: uniform, normal and truncated normal fills.

They fill ``tensor`` in place from ``generator`` (the global RNG when ``None``) and assume validated
arguments and a tensor with elements (callers handle zero-element and meta tensors).
"""

from __future__ import annotations

import functools
import math
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import torch

#: CPU tensors longer than this are drawn in streams of this many elements (see :func:`_draw_in_streams`);
#: measured on 2 vCPUs, 2^17 lets 1024 x 1024 use both threads (3.4-3.8 ms, against 5.3 with 2^20, when
#: the second vCPU is awake; an idle one wakes too late for so short a call) and costs 4096 x 4096 nothing.
_STREAM = 1 << 17
#: Stream seeds are this many bits: torch seeds its CPU generator (mt19937) with the low 32 bits.
_SEED_BITS = 32
#: CPU scans for out-of-bounds values work in chunks this long, so their masks stay in cache
#: (a fresh full-size mask costs more in page faults than the comparison itself).
_SCAN_CHUNK = 1 << 18
#: The erfinv inversion is used on the CPU for intervals that hold at least this much of the parent's
#: mass and whose bounds lie within this many stds of the mean (see :func:`_invert_erf`).
_MIN_ACCEPTANCE_FOR_ERF_INVERSION = 0.5
_MAX_BOUND_FOR_ERF_INVERSION = 3.0
#: Below this acceptance probability, resampling from the parent normal would take many rounds:
#: the inverse-CDF path (float64) is used instead.
_MIN_ACCEPTANCE_FOR_RESAMPLING = 0.2
#: The inverse-CDF path works in float64 blocks of this many elements to bound its extra memory.
_INVERSION_BLOCK = 1 << 20
_SQRT2 = math.sqrt(2.0)


def fill_uniform(tensor: torch.Tensor, low: float, high: float, generator) -> torch.Tensor:
    """U(low, high): ``tensor.uniform_``; Var = (high - low)^2 / 12, so U(-a, a) has variance a^2/3."""
    return tensor.uniform_(low, high, generator=generator)


def fill_normal(tensor: torch.Tensor, mean: float, std: float, generator) -> torch.Tensor:
    """N(mean, std^2): ``tensor.normal_``."""
    return tensor.normal_(mean, std, generator=generator)


def standard_normal_cdf(x: float) -> float:
    """Phi(x) = (1 + erf(x / sqrt 2)) / 2."""
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


def truncated_standard_normal_std(alpha: float, beta: float) -> float:
    """Std of N(0, 1) truncated to [alpha, beta] (Johnson, Kotz & Balakrishnan 1994, eq. 13.134).

    Var = 1 + (alpha phi(alpha) - beta phi(beta)) / Z - ((phi(alpha) - phi(beta)) / Z)^2,
    Z = Phi(beta) - Phi(alpha). For [-2, 2] this is 0.87962566103423978, the constant JAX and Keras
    divide by to make a truncated normal's std exactly the requested one.
    """

    def phi(x: float) -> float:
        return math.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)

    z = standard_normal_cdf(beta) - standard_normal_cdf(alpha)
    ratio = (phi(alpha) - phi(beta)) / z
    variance = 1.0 + (alpha * phi(alpha) - beta * phi(beta)) / z - ratio * ratio
    return math.sqrt(variance)


def fill_truncated_normal(tensor: torch.Tensor, mean: float, std: float, a: float, b: float, generator) -> torch.Tensor:
    """N(mean, std^2) conditioned on [a, b] (absolute bounds, ``a < b``, either may be infinite), by one
    of three exact methods, chosen by the interval (alpha, beta) = ((a - mean) / std, (b - mean) / std):

    * on the CPU, when |alpha|, |beta| <= 3 and the interval holds at least half the parent's mass (the
      usual +-2 std cut-off): inversion through erfinv in the tensor's dtype (:func:`_invert_erf`): one
      uniform per value and nothing to redraw, since on the CPU drawing is what costs (one mt19937
      value per uniform or normal, about 3.5 ns each);
    * otherwise, when the interval holds at least 20% of the mass: every value drawn from the parent
      normal, then only the values outside [a, b] drawn again, round after round (:func:`_resample_outside`);
    * otherwise (far tails): inversion of the CDF in float64 (:func:`_invert_cdf`).

    Bounds are compared in the tensor's dtype, as torch does.
    """
    alpha, beta = (a - mean) / std, (b - mean) / std
    acceptance = standard_normal_cdf(beta) - standard_normal_cdf(alpha)
    low, high = _bounds_in_dtype(tensor.dtype, a, b)
    contiguous = tensor.is_contiguous()
    flat = tensor.view(-1) if contiguous else torch.empty(tensor.numel(), dtype=tensor.dtype, device=tensor.device)
    if tensor.is_cpu and _erf_inversion_applies(alpha, beta, acceptance):
        _invert_erf(flat, mean, std, alpha, beta, low, high, generator)
    elif acceptance >= _MIN_ACCEPTANCE_FOR_RESAMPLING:
        _resample_outside(flat, mean, std, low, high, generator)
    else:
        _invert_cdf(flat, mean, std, alpha, beta, low, high, generator)
    if not contiguous:
        tensor.copy_(flat.view(tensor.shape))
    return tensor


@functools.lru_cache(maxsize=256)
def _bounds_in_dtype(dtype: torch.dtype, a: float, b: float) -> tuple[float, float]:
    """The bounds rounded to ``dtype``: what a value of that dtype can be compared against."""
    rounded = torch.tensor([a, b], dtype=torch.float64).to(dtype)
    return float(rounded[0]), float(rounded[1])


def _erf_inversion_applies(alpha: float, beta: float, acceptance: float) -> bool:
    return (
        acceptance >= _MIN_ACCEPTANCE_FOR_ERF_INVERSION
        and abs(alpha) <= _MAX_BOUND_FOR_ERF_INVERSION
        and abs(beta) <= _MAX_BOUND_FOR_ERF_INVERSION
    )


def _invert_erf(flat, mean, std, alpha, beta, low, high, generator) -> None:
    """X = mean + std sqrt(2) erfinv(U), U ~ U(erf(alpha / sqrt 2), erf(beta / sqrt 2)).

    Since Phi(x) = (1 + erf(x / sqrt 2)) / 2, this is Phi^-1 of a uniform on [Phi(alpha), Phi(beta)]:
    inverse transform sampling (Devroye 1986, section II.2), as ``jax.random.truncated_normal`` does
    and ``torch.nn.init.trunc_normal_`` did before torch 2.13. It is exact up to the dtype: float32
    uniforms take 2^24 equally likely values, kept distinct on [erf(alpha / sqrt 2), erf(beta / sqrt 2)]
    while the interval holds half the mass or more (the spacing 2 P 2^-24 is at least the float32 ulp
    below 1); |alpha|, |beta| <= 3 keeps |U| <= erf(3 / sqrt 2) = 0.9973, away from the poles of erfinv,
    which torch computes there within an ulp (tests/initlib_tests/test_sampling.py).

    The uniforms are drawn in streams (:func:`_draw_in_streams`), then transformed a stream-sized,
    cache-friendly chunk at a time on torch's threads. torch's erfinv runs an MKL/OpenMP parallel
    region at any size: as after any parallel torch operation, a process forked afterwards must call
    ``torch.set_num_threads(1)`` before using torch's threads (DataLoader's workers do).
    """
    lower, upper = math.erf(alpha / _SQRT2), math.erf(beta / _SQRT2)
    _draw_in_streams(flat, lambda part, stream: part.uniform_(lower, upper, generator=stream), generator)
    scale = std * _SQRT2
    for start in range(0, flat.numel(), _STREAM):
        part = flat[start : start + _STREAM].erfinv_().mul_(scale)
        if mean:
            part.add_(mean)
        part.clamp_(low, high)  # rounding may carry a value across a bound by an ulp


def _resample_outside(flat, mean, std, low, high, generator) -> None:
    """Draw every value from N(mean, std^2) (in streams, :func:`_draw_in_streams`), then draw again
    only the values outside [low, high], from ``generator``, round after round, one value per index
    still outside, in index order."""
    _draw_in_streams(flat, lambda part, stream: part.normal_(mean, std, generator=stream), generator)
    outside = _indices_outside(flat, low, high)
    while outside.numel():
        values = flat.new_empty(outside.numel()).normal_(mean, std, generator=generator)
        flat.index_copy_(0, outside, values)
        outside = outside[_outside_mask(values, low, high)]


def _draw_in_streams(flat: torch.Tensor, draw, generator) -> None:
    """``draw(part, generator)`` over ``flat``, in streams on several threads for long CPU tensors.

    torch draws on the CPU from one mt19937 generator, on one core. A CPU tensor longer than
    ``_STREAM`` is therefore cut into streams of ``_STREAM`` elements (the last one shorter); stream k
    is drawn from its own generator, seeded with the k-th of distinct 32-bit seeds drawn from
    ``generator`` (as torch's DataLoader seeds its workers), on up to ``torch.get_num_threads()``
    threads. The cut depends on the length alone: a seed gives the same tensor whatever the number of
    threads. Shorter tensors, and tensors on other devices, are drawn from ``generator`` in one call.
    """
    n = flat.numel()
    if n <= _STREAM or not flat.is_cpu:
        draw(flat, generator)
        return
    seeds = _distinct_seeds(math.ceil(n / _STREAM), generator)
    pending, lock = iter(range(len(seeds))), threading.Lock()

    def work() -> None:
        with torch.no_grad():  # grad mode is per thread: a worker's is on
            while True:
                with lock:
                    k = next(pending, None)
                if k is None:
                    return
                draw(flat[k * _STREAM : (k + 1) * _STREAM], torch.Generator().manual_seed(seeds[k]))

    helpers = [_workers().submit(work) for _ in range(min(torch.get_num_threads(), len(seeds)) - 1)]
    try:
        work()
    finally:
        for helper in helpers:
            helper.result()


def _distinct_seeds(count: int, generator) -> list[int]:
    """``count`` distinct seeds of ``_SEED_BITS`` bits drawn from ``generator``, in the order drawn
    (a seed drawn twice is drawn again)."""
    seeds: dict[int, None] = {}
    while len(seeds) < count:
        for seed in torch.randint(0, 1 << _SEED_BITS, (count - len(seeds),), generator=generator).tolist():
            seeds[seed] = None
    return list(seeds)[:count]


_WORKERS: ThreadPoolExecutor | None = None
_WORKERS_LOCK = threading.Lock()


def _workers() -> ThreadPoolExecutor:
    """Threads for the streams, started on first use and kept (a thread started per call takes a
    while to be given a core of its own); a forked child starts its own."""
    global _WORKERS
    with _WORKERS_LOCK:
        if _WORKERS is None:
            _WORKERS = ThreadPoolExecutor(max_workers=os.cpu_count() or 1, thread_name_prefix="initlib-stream")
        return _WORKERS


def _forget_workers_after_fork() -> None:
    global _WORKERS, _WORKERS_LOCK
    _WORKERS, _WORKERS_LOCK = None, threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_workers_after_fork)


def _outside_mask(values: torch.Tensor, low: float, high: float) -> torch.Tensor:
    return values.ne(values.clamp(low, high))


def _indices_outside(flat: torch.Tensor, low: float, high: float) -> torch.Tensor:
    """Indices of the values outside [low, high], in order. On the CPU the scan works a chunk at a time
    through two reused buffers (they stay in cache); the mask is int32, which torch writes faster than
    bool and ``nonzero`` reads as fast."""
    if not flat.is_cpu or flat.numel() <= _SCAN_CHUNK:
        return _outside_mask(flat, low, high).nonzero().view(-1)
    clamped, mask = torch.empty(_SCAN_CHUNK, dtype=flat.dtype), torch.empty(_SCAN_CHUNK, dtype=torch.int32)
    found = []
    for start in range(0, flat.numel(), _SCAN_CHUNK):
        values = flat[start : start + _SCAN_CHUNK]
        size = values.numel()
        torch.clamp(values, low, high, out=clamped[:size])
        torch.ne(values, clamped[:size], out=mask[:size])
        found.append(mask[:size].nonzero().view(-1).add_(start))
    return torch.cat(found)


def _invert_cdf(flat, mean, std, alpha, beta, low, high, generator) -> None:
    reflect = alpha + beta > 0  # the interval lies mostly in the upper tail: work in the lower one
    lo_std, hi_std = (-beta, -alpha) if reflect else (alpha, beta)
    cdf_lo, cdf_hi = standard_normal_cdf(lo_std), standard_normal_cdf(hi_std)
    if cdf_hi <= cdf_lo:
        raise ValueError(
            f"a, b: the interval [{mean + alpha * std}, {mean + beta * std}] lies so far in the tail "
            f"of N({mean}, {std}^2) that its probability underflows float64 (|bound - mean| / std > 37)"
        )
    sign = -std if reflect else std
    block = torch.empty(min(flat.numel(), _INVERSION_BLOCK), dtype=torch.float64, device=flat.device)
    for start in range(0, flat.numel(), block.numel()):
        part = flat[start : start + block.numel()]
        u = block[: part.numel()].uniform_(0.0, 1.0, generator=generator)
        # u in (cdf_lo, cdf_hi]: never exactly cdf_lo, whose inverse may be -inf when cdf_lo is 0.
        u.mul_(cdf_lo - cdf_hi).add_(cdf_hi)
        z = torch.special.ndtri(u).clamp_(lo_std, hi_std)
        part.copy_(z.mul_(sign).add_(mean))
    flat.clamp_(low, high)  # the cast to the dtype may round a value across a bound by one ulp
