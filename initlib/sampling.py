"""The samplers every random initializer ends in: uniform, normal and truncated normal fills.

They fill ``tensor`` in place from ``generator`` (the global RNG when ``None``) and assume validated
arguments and a tensor with elements (callers handle zero-element and meta tensors).
"""

from __future__ import annotations

import functools
import math
import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor

import torch

#: The pipeline's helper thread scans, and the redraws on the CPU work, in pieces this long: torch runs
#: an operation on fewer than 32768 elements (``at::internal::GRAIN_SIZE``) on the calling thread alone,
#: so they never wait for torch's thread pool, whose other thread may be busy (or descheduled on a
#: loaded machine, where each such wait can last a scheduler time slice). A multiple of 16.
_SERIAL_PIECE = 2047 * 16
#: CPU scans for out-of-bounds values work in chunks this long, so their masks stay in cache
#: (a fresh full-size mask costs more in page faults than the comparison itself).
_SCAN_CHUNK = 8 * _SERIAL_PIECE
#: CPU tensors of at least this many scan chunks are drawn and scanned in a pipeline (two threads).
_PIPELINE_MIN_CHUNKS = 2
#: Below this acceptance probability, resampling from the parent normal would take many rounds:
#: the inverse-CDF path (float64) is used instead.
_MIN_ACCEPTANCE_FOR_RESAMPLING = 0.2
#: The inverse-CDF path works in float64 blocks of this many elements to bound its extra memory.
_INVERSION_BLOCK = 1 << 20


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
    """N(mean, std^2) conditioned on [a, b] (absolute bounds, ``a < b``, either may be infinite).

    Where the interval holds at least 20% of the parent's mass, every value is drawn from the parent
    normal and only the values outside [a, b] are drawn again, round after round, until none is left:
    the whole tensor is never redrawn. Otherwise each value is drawn once by inverting the CDF in
    float64 (``Phi^-1`` of a uniform on [Phi(alpha), Phi(beta)]), reflected into the lower tail where
    Phi keeps its relative precision. Bounds are compared in the tensor's dtype, as torch does.
    """
    alpha, beta = (a - mean) / std, (b - mean) / std
    acceptance = standard_normal_cdf(beta) - standard_normal_cdf(alpha)
    low, high = _bounds_in_dtype(tensor.dtype, a, b)
    contiguous = tensor.is_contiguous()
    flat = tensor.view(-1) if contiguous else torch.empty(tensor.numel(), dtype=tensor.dtype, device=tensor.device)
    if acceptance >= _MIN_ACCEPTANCE_FOR_RESAMPLING:
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


def _resample_outside(flat, mean, std, low, high, generator) -> None:
    """Draw every value from N(mean, std^2), then draw again only the values outside [low, high], round
    after round. The first draw is bit for bit ``flat.normal_(mean, std, generator=generator)``; each
    round draws one value per index still outside, in index order."""
    pieces = _draw_and_find_outside(flat, mean, std, low, high, generator)
    helper = _helper() if flat.is_cpu and torch.get_num_threads() > 1 else None
    while pieces:
        fresh = flat.new_empty(sum(indices.numel() for indices in pieces)).normal_(mean, std, generator=generator)
        jobs, offset = [], 0
        for number, indices in enumerate(pieces):  # the helper thread takes every other piece
            values = fresh[offset : offset + indices.numel()]
            offset += indices.numel()
            if helper is not None and number % 2:
                jobs.append(helper.submit(_put_back, flat, indices, values, low, high))
            else:
                jobs.append(_put_back(flat, indices, values, low, high))
        pieces = _as_pieces([job.result() if isinstance(job, Future) else job for job in jobs], flat.is_cpu)


def _put_back(flat, indices, values, low, high) -> torch.Tensor:
    """Write ``values`` at ``indices`` of ``flat``; return the indices whose new value is outside."""
    with torch.no_grad():  # grad mode is per thread: the helper thread's is on
        flat.index_copy_(0, indices, values)  # (flat[indices] = values hands 3000+ to the pool)
        return indices[_outside_mask(values, low, high)]


def _draw_and_find_outside(flat, mean, std, low, high, generator) -> list[torch.Tensor]:
    """Fill ``flat`` from N(mean, std^2) and return the indices of its values outside [low, high], in
    order, as a list of pieces (see :func:`_as_pieces`).

    On a CPU with more than one thread, long tensors are drawn and scanned in a pipeline: this thread
    draws chunk after chunk (the generator is sequential, torch's ``normal_`` runs on one core) while a
    helper thread scans each finished chunk, so the scan costs next to no time when a second core is
    free. The result does not depend on the timing of the two threads.
    """
    pipelined = flat.is_cpu and flat.numel() >= _PIPELINE_MIN_CHUNKS * _SCAN_CHUNK and torch.get_num_threads() > 1
    if not pipelined:
        flat.normal_(mean, std, generator=generator)
        return _as_pieces(_indices_outside(flat, low, high), flat.is_cpu)
    scanner, helper, scans = _ChunkScanner(flat.dtype, low, high, piece=_SERIAL_PIECE), _helper(), []
    for start, stop in _chunks(flat.numel()):
        part = flat[start:stop]
        part.normal_(mean, std, generator=generator)
        scans.append(helper.submit(scanner.indices_outside, part, start))
    return _as_pieces([indices for scan in scans for indices in scan.result()], cpu=True)


_HELPER: ThreadPoolExecutor | None = None
_HELPER_LOCK = threading.Lock()


def _helper() -> ThreadPoolExecutor:
    """The pipeline's helper thread: started on first use and kept, since a thread started per call
    takes a while to be given a core of its own (about 20 ms a call measured on 2 cores). Calls from
    several threads share it (their scans queue up); a forked child starts its own."""
    global _HELPER
    with _HELPER_LOCK:
        if _HELPER is None:
            _HELPER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="initlib-scan")
        return _HELPER


def _forget_helper_after_fork() -> None:
    global _HELPER, _HELPER_LOCK
    _HELPER, _HELPER_LOCK = None, threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_helper_after_fork)


def _chunks(n: int) -> list[tuple[int, int]]:
    """``(start, stop)`` of consecutive chunks of ``_SCAN_CHUNK`` elements (a multiple of 16), the last
    one holding the remainder, merged into its predecessor when shorter than 16.

    torch's CPU ``normal_`` transforms uniforms in blocks of 16 (recomputing the last 16 values of a
    length that is not a multiple of 16), so drawing such chunks one after the other consumes the
    generator exactly as one call over all ``n`` values does and gives the same values.
    """
    starts = list(range(0, n, _SCAN_CHUNK))
    if len(starts) > 1 and n - starts[-1] < 16:
        starts.pop()
    return list(zip(starts, [*starts[1:], n], strict=True))


def _outside_mask(values: torch.Tensor, low: float, high: float) -> torch.Tensor:
    return values.ne(values.clamp(low, high))


class _ChunkScanner:
    """Finds the values outside [low, high] of one CPU chunk at a time, ``piece`` elements per operation,
    in buffers reused from piece to piece (they stay in cache; a fresh full-size mask costs more in
    page faults than the comparison). The mask is int32: comparing into int32 costs half as much as
    into bool, and ``nonzero`` reads either as fast."""

    def __init__(self, dtype: torch.dtype, low: float, high: float, piece: int = _SCAN_CHUNK):
        self.low, self.high, self.piece = low, high, piece
        self.clamped = torch.empty(piece, dtype=dtype)
        self.mask = torch.empty(piece, dtype=torch.int32)

    def indices_outside(self, part: torch.Tensor, offset: int) -> list[torch.Tensor]:
        """Indices (plus ``offset``) of the values of ``part`` outside [low, high], one tensor a piece."""
        with torch.no_grad():  # grad mode is per thread: the helper thread's is on
            return self._indices_outside(part, offset)

    def _indices_outside(self, part: torch.Tensor, offset: int) -> list[torch.Tensor]:
        found = []
        for start in range(0, part.numel(), self.piece):
            values = part[start : start + self.piece]
            clamped, mask = self.clamped, self.mask
            if values.numel() < self.piece:
                clamped, mask = clamped[: values.numel()], mask[: values.numel()]
            torch.clamp(values, self.low, self.high, out=clamped)
            torch.ne(values, clamped, out=mask)
            found.append(mask.nonzero().squeeze_(1).add_(offset + start))
        return found


def _indices_outside(flat: torch.Tensor, low: float, high: float) -> list[torch.Tensor]:
    """Indices of values outside [low, high]; chunked on the CPU to keep the masks in cache."""
    if not flat.is_cpu or flat.numel() <= _SCAN_CHUNK:
        return [_outside_mask(flat, low, high).nonzero().view(-1)]
    scanner = _ChunkScanner(flat.dtype, low, high)
    return [
        indices for start, stop in _chunks(flat.numel()) for indices in scanner.indices_outside(flat[start:stop], start)
    ]


def _split(indices: torch.Tensor) -> tuple[torch.Tensor, ...]:
    return indices.split(_SERIAL_PIECE) if indices.numel() > _SERIAL_PIECE else (indices,)


def _as_pieces(indices: list[torch.Tensor], cpu: bool) -> list[torch.Tensor]:
    """The non-empty index tensors, in order, regrouped: on the CPU into pieces of at most
    ``_SERIAL_PIECE`` (small neighbours concatenated, long ones split), so that every operation on a
    piece runs on the calling thread; elsewhere into one tensor."""
    indices = [part for part in indices if part.numel()]
    if not cpu:
        return [torch.cat(indices)] if indices else []
    pieces, group, size = [], [], 0
    for view in (view for part in indices for view in _split(part)):
        if size + view.numel() > _SERIAL_PIECE:
            pieces.append(torch.cat(group) if len(group) > 1 else group[0])
            group, size = [], 0
        group.append(view)
        size += view.numel()
    if group:
        pieces.append(torch.cat(group) if len(group) > 1 else group[0])
    return pieces


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
