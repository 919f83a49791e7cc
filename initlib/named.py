"""Xavier/Glorot, He/Kaiming and LeCun: thin specialisations of :mod:`initlib.variance_scaling`.

torch.nn.init signatures and defaults; ``gain`` multiplies the std, so it enters as ``scale = gain^2``.
"""

from __future__ import annotations

import warnings

import torch

from . import _checks
from .gain import calculate_gain
from .variance_scaling import scaled_fill_

KAIMING_MODES = ("fan_in", "fan_out")


def xavier_uniform_(tensor: torch.Tensor, gain: float = 1.0, generator: torch.Generator | None = None):
    """U(-a, a), ``a = gain * sqrt(6 / (fan_in + fan_out))``: variance ``gain^2 * 2 / (fan_in + fan_out)``.

    Glorot, X. & Bengio, Y. (2010), Understanding the difficulty of training deep feedforward neural
    networks, eq. 16.
    """
    gain = _checks.non_negative(gain, "gain")
    return scaled_fill_(tensor, gain**2, "fan_avg", "uniform", "torch", generator)


def xavier_normal_(tensor: torch.Tensor, gain: float = 1.0, generator: torch.Generator | None = None):
    """N(0, std^2), ``std = gain * sqrt(2 / (fan_in + fan_out))`` (Glorot & Bengio 2010)."""
    gain = _checks.non_negative(gain, "gain")
    return scaled_fill_(tensor, gain**2, "fan_avg", "normal", "torch", generator)


def _kaiming(tensor, a, mode, nonlinearity, distribution, generator):
    slope = _checks.slope(a, "a")
    mode = _checks.choice(mode, "mode", KAIMING_MODES, lower=True)
    gain = calculate_gain(nonlinearity, slope)
    if isinstance(tensor, torch.Tensor) and tensor.numel() == 0:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
    return scaled_fill_(tensor, gain**2, mode, distribution, "torch", generator)


def kaiming_uniform_(
    tensor: torch.Tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: torch.Generator | None = None,
):
    """U(-bound, bound), ``bound = gain * sqrt(3 / fan_mode)``: variance ``gain^2 / fan_mode``.

    He, K. et al. (2015), Delving deep into rectifiers, eq. 10 (forward, ``fan_in``) and eq. 14
    (backward, ``fan_out``). ``gain = calculate_gain(nonlinearity, a)``; the defaults give sqrt(2).
    """
    return _kaiming(tensor, a, mode, nonlinearity, "uniform", generator)


def kaiming_normal_(
    tensor: torch.Tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: torch.Generator | None = None,
):
    """N(0, std^2), ``std = gain / sqrt(fan_mode)`` (He et al. 2015, eqs. 10 and 14)."""
    return _kaiming(tensor, a, mode, nonlinearity, "normal", generator)


def lecun_uniform_(tensor: torch.Tensor, generator: torch.Generator | None = None):
    """U(-a, a), ``a = sqrt(3 / fan_in)``: variance ``1 / fan_in`` (LeCun et al. 1998, Efficient BackProp)."""
    return scaled_fill_(tensor, 1.0, "fan_in", "uniform", "torch", generator)


def lecun_normal_(tensor: torch.Tensor, generator: torch.Generator | None = None):
    """N(0, 1 / fan_in), untruncated like torch's normal initializers (LeCun et al. 1998).

    JAX's and Keras' ``lecun_normal`` is truncated at +-2 std units and rescaled to the same variance:
    ``variance_scaling_(tensor, 1.0, "fan_in", "truncated_normal")``.
    """
    return scaled_fill_(tensor, 1.0, "fan_in", "normal", "torch", generator)
