"""Fan computation for the two kernel layouts in use.

* ``"torch"``: ``(out, in, *kernel)`` as in ``torch.nn.Linear`` (out, in) and ``torch.nn.ConvNd``
  (out, in/groups, *kernel). ``fan_in = shape[1] * prod(shape[2:])``,
  ``fan_out = shape[0] * prod(shape[2:])`` (torch.nn.init._calculate_fan_in_and_fan_out).
* ``"jax"``: ``(*kernel, in, out)`` as in JAX/Flax ``Dense``/``Conv`` and Keras 3.
  ``fan_in = shape[-2] * prod(shape[:-2])``, ``fan_out = shape[-1] * prod(shape[:-2])``
  (jax.nn.initializers._compute_fans with in_axis=-2, out_axis=-1).

Modes (jax.nn.initializers.variance_scaling): ``fan_in``, ``fan_out``, ``fan_avg = (fan_in + fan_out) / 2``
and ``fan_geo_avg = sqrt(fan_in * fan_out)``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

from . import _checks

LAYOUTS = ("torch", "jax")
MODES = ("fan_in", "fan_out", "fan_avg", "fan_geo_avg")


def compute_fans(shape: Sequence[int], layout: str = "torch") -> tuple[int, int]:
    """Return ``(fan_in, fan_out)`` of a weight of ``shape`` in ``layout`` (``"torch"`` or ``"jax"``).

    Raises ``ValueError`` for fewer than 2 dimensions: a fan is not defined for biases and scalars.
    """
    layout = _checks.choice(layout, "layout", LAYOUTS)
    shape = tuple(shape)
    for size in shape:
        integral = type(size) is int or (not isinstance(size, bool) and isinstance(size, numbers.Integral))
        if not integral or size < 0:
            raise ValueError(f"shape: sizes must be non-negative integers, got {shape}")
    if len(shape) < 2:
        raise ValueError(f"tensor: fan_in and fan_out need at least 2 dimensions, got shape {shape}")
    if layout == "torch":
        receptive_field = math.prod(shape[2:])
        return shape[1] * receptive_field, shape[0] * receptive_field
    receptive_field = math.prod(shape[:-2])
    return shape[-2] * receptive_field, shape[-1] * receptive_field


def fan_for_mode(fan_in: int, fan_out: int, mode: str) -> float:
    """The fan that ``mode`` names (one of :data:`MODES`)."""
    if mode == "fan_in":
        return float(fan_in)
    if mode == "fan_out":
        return float(fan_out)
    if mode == "fan_avg":
        return (fan_in + fan_out) / 2.0
    if mode == "fan_geo_avg":
        return math.sqrt(fan_in * fan_out)
    raise ValueError(f"mode: unsupported value {mode!r}; expected one of {MODES}")
