"""An example of a user's own initializer module: the suite verifies whatever it provides.

    python -m suite verify --target examples/my_initializers.py

``scaled_kaiming_normal_`` is not a torch.nn.init name, so the suite ignores it; ``kaiming_normal_``
below has a deliberate bug (fan_out used for fan_in) that the verification reports with the claimed
and measured std and the seed that replays it.
"""

import math

import torch


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode: {mode!r} is neither 'fan_in' nor 'fan_out'")
    if tensor.dim() < 2:
        raise ValueError("tensor: fans need at least 2 dimensions")
    if not tensor.is_floating_point():
        raise TypeError("tensor: must be floating point")
    if isinstance(a, bool) or not isinstance(a, (int, float)):
        raise ValueError(f"a: the negative slope must be a number, got {a!r}")
    receptive = math.prod(tensor.shape[2:])
    fan_in, fan_out = tensor.shape[1] * receptive, tensor.shape[0] * receptive
    fan = fan_out if mode == "fan_in" else fan_in  # the bug: the fans are swapped
    gain = torch.nn.init.calculate_gain(nonlinearity, a)
    if tensor.numel() == 0:
        return tensor
    with torch.no_grad():
        return tensor.normal_(0.0, gain / math.sqrt(fan), generator=generator)


def scaled_kaiming_normal_(tensor, scale=1.0, generator=None):
    kaiming_normal_(tensor, generator=generator)
    return tensor.mul_(scale)
