"""``calculate_gain``: the recommended std multiplier for a nonlinearity (torch.nn.init semantics).

==================  =====================================
nonlinearity        gain
==================  =====================================
linear, conv*d,     1
conv_transpose*d,
sigmoid
tanh                5/3
relu                sqrt(2)              (He et al. 2015)
leaky_relu          sqrt(2 / (1 + negative_slope^2)), default slope 0.01
selu                3/4  (empirical, pytorch/pytorch#50664; use 'linear' for self-normalizing nets)
==================  =====================================
"""

from __future__ import annotations

import math

from . import _checks

_UNIT_GAIN = (
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "sigmoid",
)
NONLINEARITIES = (*_UNIT_GAIN, "tanh", "relu", "leaky_relu", "selu")
DEFAULT_NEGATIVE_SLOPE = 0.01


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """Return the recommended gain for ``nonlinearity`` (see the module docstring for the table).

    ``param`` is the negative slope of ``leaky_relu`` (default 0.01); it must be a real number and
    never a bool. Unknown nonlinearities raise ``ValueError``.
    """
    nonlinearity = _checks.choice(nonlinearity, "nonlinearity", NONLINEARITIES)
    if param is not None:
        param = _checks.slope(param, "param")
    if nonlinearity in _UNIT_GAIN:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = DEFAULT_NEGATIVE_SLOPE if param is None else param
        return math.sqrt(2.0 / (1 + slope**2))
    return 3.0 / 4  # selu
