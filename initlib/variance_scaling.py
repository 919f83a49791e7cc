"""The general mechanism: fans -> scale -> sampler (jax.nn.initializers.variance_scaling).

A weight drawn by variance scaling has mean 0 and variance ``scale / fan``, where ``fan`` is chosen by
``mode`` from the fans of the weight's ``layout`` (see :mod:`initlib.fans`), and the sampler by
``distribution``:

* ``"normal"``: N(0, scale / fan).
* ``"uniform"``: U(-a, a) with ``a = sqrt(3 * scale / fan)``, because Var U(-a, a) = a^2 / 3.
* ``"truncated_normal"``: a normal truncated at +-2 of its own std units, its std divided by
  0.87962566103423978 (the std of N(0, 1) truncated to [-2, 2]) so that the result's std is exactly
  ``sqrt(scale / fan)``, as JAX and Keras do.

Xavier/Glorot, He/Kaiming and LeCun are specialisations (:mod:`initlib.named`): Xavier is
``scale = gain^2, mode = fan_avg``; He is ``scale = gain^2, mode = fan_in | fan_out``; LeCun is
``scale = 1, mode = fan_in``. torch's ``gain`` multiplies the std, so it enters as ``scale = gain^2``.
"""

from __future__ import annotations

import math

import torch

from . import _checks
from ._precision import rounded_fill_
from .fans import LAYOUTS, MODES, compute_fans, fan_for_mode
from .sampling import fill_normal, fill_truncated_normal, fill_uniform, truncated_standard_normal_std

DISTRIBUTIONS = ("truncated_normal", "normal", "uniform")
#: Truncation point of the ``truncated_normal`` distribution, in units of its parent's std.
TRUNCATION = 2.0
#: Std of N(0, 1) truncated to [-2, 2]: 0.87962566103423978.
TRUNCATED_STD = truncated_standard_normal_std(-TRUNCATION, TRUNCATION)


def variance_scaling_(
    tensor: torch.Tensor,
    scale: float = 1.0,
    mode: str = "fan_in",
    distribution: str = "truncated_normal",
    layout: str = "torch",
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Fill ``tensor`` with zero-mean values of variance ``scale / fan`` (see the module docstring).

    Args:
        tensor: a floating-point tensor with at least 2 dimensions.
        scale: the variance multiplier, > 0 (``gain ** 2`` in torch's terms).
        mode: ``"fan_in"``, ``"fan_out"``, ``"fan_avg"`` or ``"fan_geo_avg"``.
        distribution: ``"truncated_normal"``, ``"normal"`` or ``"uniform"``.
        layout: ``"torch"`` for (out, in, *kernel) or ``"jax"`` for (*kernel, in, out).
        generator: the ``torch.Generator`` to draw from (the global RNG when ``None``).
    """
    scale = _checks.positive(scale, "scale")
    mode = _checks.choice(mode, "mode", MODES, lower=True)
    distribution = _checks.choice(distribution, "distribution", DISTRIBUTIONS)
    return scaled_fill_(tensor, scale, mode, distribution, layout, generator)


def scaled_fill_(tensor, scale: float, mode: str, distribution: str, layout: str, generator):
    """The mechanism behind every fan-scaled initializer; ``scale``, ``mode``, ``distribution`` valid."""
    tensor = _checks.random_tensor_arg(tensor)
    fan_in, fan_out = compute_fans(tensor.shape, layout)
    generator = _checks.generator_arg(generator, tensor)
    if _checks.is_noop(tensor):
        return tensor
    std = math.sqrt(scale / fan_for_mode(fan_in, fan_out, mode))
    with torch.no_grad():
        return rounded_fill_(tensor, lambda t: sample_with_std_(t, std, distribution, generator))


def sample_with_std_(tensor, std: float, distribution: str, generator):
    """Draw zero-mean values with standard deviation ``std`` from ``distribution``."""
    if distribution == "normal":
        return fill_normal(tensor, 0.0, std, generator)
    if distribution == "uniform":
        bound = math.sqrt(3.0) * std
        return fill_uniform(tensor, -bound, bound, generator)
    if std == 0.0:
        return tensor.zero_()
    parent_std = std / TRUNCATED_STD
    cut = TRUNCATION * parent_std
    return fill_truncated_normal(tensor, 0.0, parent_std, -cut, cut, generator)


__all__ = ["DISTRIBUTIONS", "LAYOUTS", "MODES", "TRUNCATED_STD", "variance_scaling_"]
