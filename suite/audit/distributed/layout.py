"""Where a rank's shard lies in the global tensor, and which global elements a read needs: pure functions
of shapes and offsets (no communication), so that the combination of shards is tested without processes.

A rank's shard is a box: a global offset and a local shape per dimension (FSDP2's ``Shard(0)``, tensor
parallelism's ``Shard(0)``/``Shard(1)``, several mesh dimensions at once). Of the ranks holding the same
box (replicas: ``Replicate()`` mesh dimensions, or a plain tensor every rank holds), only the first
*contributes* its values to a statistic, so each global element counts once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class Box:
    offset: tuple[int, ...]
    shape: tuple[int, ...]
    contributes: bool  # the first replica of this box: its values count once

    @property
    def numel(self) -> int:
        return math.prod(self.shape)


def unravel(flat: torch.Tensor, shape: tuple[int, ...]) -> torch.Tensor:
    """Row-major multi-indices, one row per flat position: ``(len(flat), len(shape))``."""
    index = torch.empty((flat.numel(), len(shape)), dtype=torch.long)
    rest = flat.to(torch.long).clone()
    for d in range(len(shape) - 1, -1, -1):
        index[:, d] = rest % shape[d]
        rest = rest // shape[d]
    return index


def subsample_index(shape: tuple[int, ...], rows: torch.Tensor, start: int, stop: int) -> torch.Tensor:
    """The global multi-indices of :func:`suite.audit.sample.subsample`'s ``view[rows, start:stop]``, in
    its row-major order (0-d and 1-d tensors are the (1, n) and (n, 1) views the audit uses)."""
    if not shape:
        return torch.empty((1, 0), dtype=torch.long)
    cols = torch.arange(start, stop)
    inner = unravel(cols, tuple(shape[1:]))  # (c, ndim - 1)
    r, c = rows.numel(), cols.numel()
    index = torch.empty((r * c, len(shape)), dtype=torch.long)
    index[:, 0] = rows.repeat_interleave(c)
    if len(shape) > 1:
        index[:, 1:] = inner.repeat(r, 1)
    return index


def pick(local: torch.Tensor, box: Box, index: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The requested elements (global multi-indices ``index``) that lie in this rank's box: their positions
    in the request, and their values in the tensor's own dtype. Nothing when the box does not contribute."""
    if not box.contributes or not index.shape[0]:
        return torch.empty(0, dtype=torch.long), local.new_empty(0)
    if index.shape[1] == 0:  # a 0-d tensor: its one value
        return torch.zeros(1, dtype=torch.long), local.reshape(1)
    offset = torch.tensor(box.offset, dtype=torch.long)
    size = torch.tensor(box.shape, dtype=torch.long)
    relative = index - offset
    inside = ((relative >= 0) & (relative < size)).all(dim=1)
    positions = inside.nonzero().reshape(-1)
    relative = relative[positions]
    strides = torch.tensor(_strides(box.shape), dtype=torch.long)
    flat = (relative * strides).sum(dim=1)
    return positions, local.reshape(-1)[flat]


def assemble(count: int, parts: list[tuple[torch.Tensor, torch.Tensor]], dtype: torch.dtype) -> torch.Tensor:
    """The ``count`` requested values from every rank's :func:`pick`. Each requested element lies in exactly
    one contributing box; an element no rank supplied (a layout the audit misread) is an error, not a zero."""
    values = torch.empty(count, dtype=dtype)
    filled = torch.zeros(count, dtype=torch.long)
    for positions, part in parts:
        values[positions] = part.to(dtype)
        filled[positions] += 1
    if count and not bool((filled == 1).all()):
        missing, doubled = int((filled == 0).sum()), int((filled > 1).sum())
        raise RuntimeError(f"shards do not tile the tensor: {missing} elements missing, {doubled} supplied twice")
    return values


def whole(shape: tuple[int, ...], parts: list[tuple[Box, torch.Tensor]], dtype: torch.dtype) -> torch.Tensor:
    """The global tensor from the contributing boxes' local tensors."""
    out = torch.empty(shape, dtype=dtype)
    for box, local in parts:
        if box.contributes:
            region = tuple(slice(o, o + s) for o, s in zip(box.offset, box.shape, strict=True))
            out[region] = local.reshape(box.shape)
    return out


def _strides(shape: tuple[int, ...]) -> list[int]:
    strides, step = [], 1
    for size in reversed(shape):
        strides.append(step)
        step *= size
    return strides[::-1]
