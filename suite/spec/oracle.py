"""The independent oracle: every expected value the suite checks against, restated from the papers and
the frameworks' documentation (each function names its source).

This module deliberately shares no code with initlib: an oracle that imported what it checks would agree
with every bug. Where initlib states the same formula, it is stated again here on purpose.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

# --- fans ------------------------------------------------------------------------------------------


def fans(shape: tuple[int, ...], layout: str = "torch") -> tuple[int, int]:
    """(fan_in, fan_out). torch layout (out, in, *k): fan_in = in * prod(k), fan_out = out * prod(k).
    JAX/Keras layout (*k, in, out): fan_in = in * prod(k), fan_out = out * prod(k)."""
    if len(shape) < 2:
        raise ValueError("fans need at least 2 dimensions")
    if layout == "torch":
        receptive = math.prod(shape[2:])
        return shape[1] * receptive, shape[0] * receptive
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


def fan(shape: tuple[int, ...], mode: str, layout: str = "torch") -> float:
    """The fan named by ``mode``: fan_in, fan_out, fan_avg = (in + out) / 2, fan_geo_avg = sqrt(in * out)."""
    fan_in, fan_out = fans(shape, layout)
    return {
        "fan_in": fan_in,
        "fan_out": fan_out,
        "fan_avg": (fan_in + fan_out) / 2,
        "fan_geo_avg": math.sqrt(fan_in * fan_out),
    }[mode.lower()]


# --- gains -----------------------------------------------------------------------------------------

LINEAR_GAIN_NONLINEARITIES = (
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "sigmoid",
)
NONLINEARITIES = (*LINEAR_GAIN_NONLINEARITIES, "tanh", "relu", "leaky_relu", "selu")


def gain(nonlinearity: str, slope: float | None = None) -> float:
    """torch.nn.init.calculate_gain's documented table: 1 (linear, conv, sigmoid), 5/3 (tanh),
    sqrt(2) (relu), sqrt(2 / (1 + slope^2)) (leaky_relu, default slope 0.01), 3/4 (selu)."""
    if nonlinearity in LINEAR_GAIN_NONLINEARITIES:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3.0
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        s = 0.01 if slope is None else slope
        return math.sqrt(2.0 / (1.0 + s * s))
    if nonlinearity == "selu":
        return 0.75
    raise ValueError(nonlinearity)


# --- standard deviations of the named schemes ---------------------------------------------------------


def xavier_std(shape, gain_value: float = 1.0) -> float:
    """Glorot & Bengio (2010): std = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = fans(shape)
    return gain_value * math.sqrt(2.0 / (fan_in + fan_out))


def kaiming_std(shape, slope: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu") -> float:
    """He et al. (2015): std = gain / sqrt(fan_mode)."""
    return gain(nonlinearity, slope) / math.sqrt(fan(shape, mode))


def lecun_std(shape) -> float:
    """LeCun et al. (1998): variance 1 / fan_in."""
    return 1.0 / math.sqrt(fans(shape)[0])


def uniform_bound(std: float) -> float:
    """U(-a, a) has variance a^2 / 3, so the bound giving ``std`` is a = sqrt(3) * std."""
    return math.sqrt(3.0) * std


def truncated_std_units(cut: float = 2.0) -> float:
    """Std of N(0, 1) truncated to [-cut, cut] (0.87962566103423978 for cut = 2), from scipy.stats."""
    return float(stats.truncnorm(-cut, cut).std())


def default_layer_bound(fan_in: int) -> float:
    """torch.nn.Linear/ConvNd reset_parameters: kaiming_uniform_(a=sqrt(5)) gives U(+-1/sqrt(fan_in))
    for the weight (gain sqrt(2/6), bound gain*sqrt(3/fan_in) = 1/sqrt(fan_in)), and the bias is
    U(+-1/sqrt(fan_in)) too."""
    return 1.0 / math.sqrt(fan_in)


# --- exact tensors -------------------------------------------------------------------------------------


def eye(shape: tuple[int, int]):
    """The 2-D identity: 1 where row == column, 0 elsewhere."""
    return np.eye(shape[0], shape[1])


def dirac(shape: tuple[int, ...], groups: int = 1):
    """torch.nn.init.dirac_: 1 at [g * out_per_group + d, d, k1 // 2, ...] for d < min(out_per_group, in)."""
    expected = np.zeros(shape)
    out_per_group = shape[0] // groups
    centre = tuple(k // 2 for k in shape[2:])
    for g in range(groups):
        for d in range(min(out_per_group, shape[1])):
            expected[(g * out_per_group + d, d, *centre)] = 1.0
    return expected


def kernel_centre(kernel: tuple[int, ...]) -> tuple[int, ...]:
    """Centre tap of a kernel, k // 2 per dimension (torch's dirac_; initlib's delta_orthogonal_)."""
    return tuple(k // 2 for k in kernel)
