"""The fills of :mod:`initlib.fast`, with the signatures of :mod:`initlib.sampling`'s: uniform, normal and
truncated normal, in place, for float32, float64, float16 and bfloat16 CPU tensors.

Each call draws one 64-bit seed from ``generator`` (:func:`initlib.fast.stream.draw_seed`) and fills the
flattened tensor from that seed's stream. float32 and float64 tensors are written directly; float16 and
bfloat16 values are computed as float32 (from the float32 samplers) and rounded to nearest once, as
:mod:`initlib._precision` does. A long tensor is filled in pieces of :data:`PIECE` values on up to
``torch.get_num_threads()`` threads; every value depends on (seed, index) alone, so the thread count
changes nothing. Tensors on other devices are filled by initlib's own samplers (torch's generator).
"""

from __future__ import annotations

import functools
import math
import threading

import numpy as np
import torch

from .. import sampling as torch_sampling
from .._precision import rounded_fill_
from ._jit import INSTALL  # noqa: F401 (importing numba first gives the install message)
from .kernels import KERNELS, Kernels
from .stream import BLOCK, draw_seed

#: Values per piece of work: 64 blocks (256 KiB of float32: a thread's piece stays in its L2 cache).
PIECE = 64 * BLOCK
_NATIVE = {torch.float32: "32", torch.float64: "64"}
_HALF = (torch.float16, torch.bfloat16)
#: The float32 inverse covers tail probabilities down to this (:mod:`initlib.fast.inverse_normal`).
_FLOAT32_SMALLEST_Q = 1e-30


def fill_uniform(tensor: torch.Tensor, low: float, high: float, generator, kernels: Kernels = KERNELS):
    """U(low, high): ``low + (high - low) u``, u from 24 (float32) or 53 (float64) random bits."""
    if not tensor.is_cpu:
        return torch_sampling.fill_uniform(tensor, low, high, generator)
    kernel = {"32": kernels.uniform32, "64": kernels.uniform64}
    return _fill(tensor, kernel, (float(low), float(high) - float(low)), generator)


def fill_normal(tensor: torch.Tensor, mean: float, std: float, generator, kernels: Kernels = KERNELS):
    """N(mean, std^2): ``mean + std z``, z by Box-Muller in float32 (float16 and bfloat16: rounded from
    it), by the inverse of erfc refined in float64 for float64 (:mod:`initlib.fast.kernels`)."""
    if not tensor.is_cpu:
        return torch_sampling.fill_normal(tensor, mean, std, generator)
    kernel = {"32": kernels.normal32, "64": kernels.normal64}
    return _fill(tensor, kernel, (float(mean), float(std)), generator)


def fill_truncated_normal(tensor: torch.Tensor, mean, std, a, b, generator, kernels: Kernels = KERNELS):
    """N(mean, std^2) conditioned on [a, b] (absolute bounds, ``a < b``, either may be infinite): in
    float32 (float16, bfloat16: rounded from it) by rejection from the float32 normal sampler when
    the interval holds half the mass or more; otherwise by inverting the CDF on [Phi(alpha), Phi(beta)],
    alpha = (a - mean) / std, beta = (b - mean) / std (:mod:`initlib.fast.kernels`).

    The interval is reflected when it lies mostly above the mean, so that u = Phi(z) is computed where
    it has relative precision. float32 work accepts or clamps values to the float32 values within [a, b]
    (float16, bfloat16: rounded from them, so within a and b rounded to the dtype); float64 values are
    clamped to [a, b]. float32 work covers tail probabilities down to 1e-30 (|bound - mean| / std up to
    11.4); an interval farther out is drawn by initlib's float64 inversion from a ``torch.Generator``
    seeded with the call's 64-bit seed.
    """
    if not tensor.is_cpu:
        return torch_sampling.fill_truncated_normal(tensor, mean, std, a, b, generator)
    alpha, beta = (a - mean) / std, (b - mean) / std
    reflect = alpha + beta > 0
    z_low, z_high = (-beta, -alpha) if reflect else (alpha, beta)
    p_low, p_high = torch_sampling.standard_normal_cdf(z_low), torch_sampling.standard_normal_cdf(z_high)
    if not p_high > p_low:
        raise ValueError(
            f"a, b: the interval [{a}, {b}] lies so far in the tail of N({mean}, {std}^2) that its "
            f"probability underflows float64 (|bound - mean| / std > 37)"
        )
    if tensor.dtype == torch.float64:
        low, high = torch_sampling._bounds_in_dtype(tensor.dtype, a, b)
    else:  # float32 values (float16, bfloat16: rounded from them) compared with [a, b] exactly
        low, high = _float32_inward(a, b)
        if low > high:  # no float32 value in [a, b]: the nearest ones, as torch compares
            low, high = torch_sampling._bounds_in_dtype(torch.float32, a, b)
    params = (p_low, p_high - p_low, z_low, z_high, float(mean), -std if reflect else std, low, high)
    if 2.0 * p_low < _FLOAT32_SMALLEST_Q:  # after reflection, the smallest tail probability is 2 Phi(z_low)
        seeded = torch.Generator().manual_seed(draw_seed(generator))
        far = functools.partial(torch_sampling.fill_truncated_normal, mean=mean, std=std, a=a, b=b, generator=seeded)
        return rounded_fill_(tensor, far)
    kernel = {"32": kernels.truncated32, "64": kernels.truncated64}
    return _fill(tensor, kernel, params, generator)


def _float32_inward(a: float, b: float) -> tuple[float, float]:
    """The float32 interval with the same float32 values as [a, b]: the smallest float32 >= a and the
    largest <= b. A float32 value x lies in [a, b] exactly when it lies in it, and then every rounding
    of x to float16 or bfloat16 lies between the roundings of a and b (rounding is monotone): the
    bounds a dtype-rounded b could carry beyond b (bfloat16 rounds 2.1334 up to 2.1406) are never
    reached from inside."""
    with np.errstate(over="ignore"):
        low, high = np.float32(a), np.float32(b)
    if float(low) < a:
        low = np.nextafter(low, np.float32(np.inf))
    if float(high) > b:
        high = np.nextafter(high, np.float32(-np.inf))
    return float(low), float(high)


def _fill(tensor: torch.Tensor, kernel: dict, params: tuple, generator) -> torch.Tensor:
    seed = np.uint64(draw_seed(generator))
    contiguous = tensor.is_contiguous()
    flat = tensor.view(-1) if contiguous else torch.empty(tensor.numel(), dtype=tensor.dtype)
    half = tensor.dtype in _HALF
    run = kernel["32" if half else _NATIVE[tensor.dtype]]
    target = None if half else flat.detach().numpy()

    def piece(start: int, end: int, scratch: np.ndarray | None) -> None:
        if target is not None:
            run(target[start:end], seed, start, *params)
            return
        run(scratch[: end - start], seed, start, *params)
        flat[start:end].copy_(torch.from_numpy(scratch[: end - start]))

    _in_pieces(flat.numel(), piece, half)
    if not contiguous:
        tensor.copy_(flat.view(tensor.shape))
    return tensor


def _in_pieces(n: int, piece, needs_scratch: bool) -> None:
    """``piece(start, end, scratch)`` over [0, n) in pieces of :data:`PIECE`, on up to
    ``torch.get_num_threads()`` threads (initlib's stream workers), each with its own float32 scratch."""
    count = math.ceil(n / PIECE)
    threads = min(torch.get_num_threads(), count)
    pending, lock = iter(range(count)), threading.Lock()

    def work() -> None:
        scratch = np.empty(min(n, PIECE), dtype=np.float32) if needs_scratch else None
        with torch.no_grad():
            while True:
                with lock:
                    k = next(pending, None)
                if k is None:
                    return
                piece(k * PIECE, min(n, (k + 1) * PIECE), scratch)

    helpers = [torch_sampling._workers().submit(work) for _ in range(threads - 1)]
    try:
        work()
    finally:
        for helper in helpers:
            helper.result()
