"""What rounding to a floating-point dtype does to a claimed continuous law.

A value ``v`` of a dtype stands for the continuous values that round to it: the cell between the
midpoints to its neighbours, ``((prev(v) + v) / 2, (v + next(v)) / 2)``. Tests against a continuous CDF
use these cells: bound-mass counts use the cell edges as cut-offs, and the shape test on float16 and
bfloat16 data spreads each value uniformly over its cell (randomised dequantisation), which makes a
correctly rounded sample follow the claimed continuous law again to within O(cell width^2).
"""

from __future__ import annotations

import numpy as np
import torch

LOW_PRECISION = (torch.float16, torch.bfloat16)


def cell_edges(values: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper edges (float64) of the rounding cell of each value, in the values' dtype."""
    up = torch.nextafter(values, torch.full_like(values, float("inf"))).double()
    down = torch.nextafter(values, torch.full_like(values, float("-inf"))).double()
    exact = values.double()
    return ((exact + down) / 2).numpy(), ((exact + up) / 2).numpy()


def dequantize(values: torch.Tensor, rng: np.random.Generator) -> np.ndarray:
    """float64 copy of ``values``; float16/bfloat16 values are spread uniformly over their cells."""
    exact = values.detach().cpu().double().numpy().ravel()
    if values.dtype not in LOW_PRECISION:
        return exact
    lower, upper = cell_edges(values.detach().cpu().ravel())
    return lower + (upper - lower) * rng.random(exact.size)


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
