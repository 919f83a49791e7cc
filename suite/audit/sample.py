"""What the audit reads from a tensor, without ever copying it whole to float64.

* :class:`Summary`: count, sum, sum of squares, min, max, non-finite, subnormal and zero counts, read
  in chunks; sums and counts, so per-shard summaries combine by addition (:meth:`Summary.merge`).
* :func:`subsample`: a planned subsample (seeded rows, a contiguous block of columns, so that serial
  correlation within rows is kept) of the (size(0), numel / size(0)) view, in the tensor's own dtype.
* :func:`sketch` and :func:`digest`: values at fixed positions and a hash of the bytes, to compare
  parameters with each other and across builds.
"""

from __future__ import annotations

import functools
import hashlib
import math
from dataclasses import dataclass

import numpy as np
import torch

CHUNK = 1 << 20
SKETCH = 4096


@dataclass
class Summary:
    count: int = 0
    total: float = 0.0
    squares: float = 0.0
    low: float = math.inf
    high: float = -math.inf
    nonfinite: int = 0
    subnormal: int = 0
    zeros: int = 0

    @property
    def mean(self) -> float:
        return self.total / self.count if self.count else math.nan

    @property
    def std(self) -> float:
        if self.count < 2:
            return 0.0
        variance = (self.squares - self.total * self.total / self.count) / (self.count - 1)
        return math.sqrt(max(variance, 0.0))

    def merge(self, other: Summary) -> Summary:
        """The summary of the union (two shards of one tensor)."""
        return Summary(
            self.count + other.count,
            self.total + other.total,
            self.squares + other.squares,
            min(self.low, other.low),
            max(self.high, other.high),
            self.nonfinite + other.nonfinite,
            self.subnormal + other.subnormal,
            self.zeros + other.zeros,
        )


def summarize(tensor: torch.Tensor) -> Summary:
    """Finite values' moments and extremes, and counts of the special values, chunk by chunk in the
    tensor's own dtype (float32 sums within a chunk of 2^20 values, float64 across chunks: the mean
    and std are descriptive; the statistical checks read a float64 subsample)."""
    flat = tensor.detach().reshape(-1)
    if not flat.numel():
        return Summary()
    if not (flat.is_floating_point()):
        flat = flat.double() if flat.numel() <= CHUNK else flat.float()
    low, high = (float(v) for v in torch.aminmax(flat))
    if math.isfinite(low) and math.isfinite(high):
        return _summarize_finite(flat, low, high)
    summary = Summary()
    for chunk in flat.split(CHUNK):
        finite = chunk[torch.isfinite(chunk)]
        part = _summarize_finite(finite, *(float(v) for v in torch.aminmax(finite))) if finite.numel() else Summary()
        part.nonfinite = chunk.numel() - finite.numel()
        summary = summary.merge(part)
    return summary


def _summarize_finite(flat: torch.Tensor, low: float, high: float) -> Summary:
    tiny = torch.finfo(flat.dtype).tiny
    summary = Summary(flat.numel(), 0.0, 0.0, low, high)
    accumulate = torch.float64 if flat.dtype == torch.float64 else torch.float32
    for chunk in flat.split(CHUNK):
        wide = chunk if chunk.dtype == accumulate else chunk.to(accumulate)
        summary.total += float(wide.sum())
        summary.squares += float(torch.dot(wide, wide))
        magnitude = wide.abs()
        zeros = int(torch.count_nonzero(magnitude == 0))
        summary.zeros += zeros
        summary.subnormal += int(torch.count_nonzero(magnitude < tiny)) - zeros
    return summary


def _generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def subsample_plan(shape: tuple[int, ...], n: int, seed: int, skip_row: int | None = None):
    """Where :func:`subsample` reads, from the shape alone: ``(rows, start, stop)``, the rows (indices of
    dimension 0, ``skip_row`` left out) and the contiguous block ``[start, stop)`` of the flattened other
    dimensions. A function of the global shape, so that the ranks holding shards of one tensor read the
    same elements as a single process holding it whole (:mod:`suite.audit.distributed`)."""
    rows_all = shape[0] if len(shape) else 1
    cols = math.prod(shape[1:]) if len(shape) else 1
    keep = torch.arange(rows_all)
    if skip_row is not None:
        keep = keep[keep != skip_row]
    rows = keep.numel()
    if rows * cols <= n:
        return keep, 0, cols
    fraction = n / (rows * cols)
    r = min(rows, max(2, math.ceil(rows * math.sqrt(fraction))))
    c = min(cols, max(2, math.ceil(n / r)))
    g = _generator(seed)
    chosen = torch.randperm(rows, generator=g)[:r].sort().values
    start = int(torch.randint(0, cols - c + 1, (1,), generator=g))
    return keep[chosen], start, start + c


def subsample(tensor: torch.Tensor, n: int, seed: int, skip_row: int | None = None) -> torch.Tensor:
    """About ``n`` elements of the matrix view: sorted random rows, then a contiguous block of columns
    from a random start. The whole tensor (less ``skip_row``) when it is not larger than ``n``."""
    view = tensor.reshape(tensor.shape[0], -1) if tensor.dim() else tensor.reshape(1, 1)
    rows, start, stop = subsample_plan(tuple(tensor.shape), n, seed, skip_row)
    if rows.numel() == view.shape[0] and start == 0 and stop == view.shape[1]:
        return view
    return view[rows, start:stop].contiguous()


@functools.lru_cache(maxsize=256)
def sketch_positions(numel: int, seed: int = 0) -> torch.Tensor:
    """Fixed flat positions for a tensor of ``numel`` elements (the same for every tensor of that size)."""
    if numel <= SKETCH:
        return torch.arange(numel)
    return torch.randint(0, numel, (SKETCH,), generator=_generator(seed + numel)).sort().values


def sketch(tensor: torch.Tensor) -> np.ndarray:
    flat = tensor.reshape(-1)
    return flat[sketch_positions(flat.numel())].double().numpy()


def digest(tensor: torch.Tensor) -> str:
    """A hash of the tensor's bytes (read in place: ``memoryview`` of a contiguous view)."""
    flat = tensor.detach().reshape(-1).contiguous()
    if flat.is_floating_point() or flat.is_complex():
        bits = {1: torch.uint8, 2: torch.int16, 4: torch.int32, 8: torch.int64}[flat.element_size()]
        flat = flat.view(bits)
    return hashlib.blake2b(memoryview(flat.numpy()), digest_size=16).hexdigest()
