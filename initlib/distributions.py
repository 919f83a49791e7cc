"""The plain distributions and fills: ``uniform_``, ``normal_``, ``trunc_normal_``, ``constant_``,
``ones_``, ``zeros_`` (torch.nn.init signatures and semantics)."""

from __future__ import annotations

import numbers

import torch

from . import _checks
from ._precision import rounded_fill_
from .sampling import fill_normal, fill_truncated_normal, fill_uniform


def _random_target(tensor, generator):
    tensor = _checks.random_tensor_arg(tensor)
    return tensor, _checks.generator_arg(generator, tensor)


def uniform_(tensor: torch.Tensor, a: float = 0.0, b: float = 1.0, generator: torch.Generator | None = None):
    """U(a, b), ``a <= b``: mean (a + b) / 2, variance (b - a)^2 / 12 (so U(-a, a) has variance a^2/3)."""
    a, b = _checks.real(a, "a"), _checks.real(b, "b")
    if a > b:
        raise ValueError(f"a, b: the lower bound a must not exceed the upper bound b, got a={a}, b={b}")
    tensor, generator = _random_target(tensor, generator)
    if _checks.is_noop(tensor):
        return tensor
    with torch.no_grad():
        return rounded_fill_(tensor, lambda t: fill_uniform(t, a, b, generator))


def normal_(tensor: torch.Tensor, mean: float = 0.0, std: float = 1.0, generator: torch.Generator | None = None):
    """N(mean, std^2), ``std >= 0``."""
    mean, std = _checks.real(mean, "mean"), _checks.non_negative(std, "std")
    tensor, generator = _random_target(tensor, generator)
    if _checks.is_noop(tensor):
        return tensor
    with torch.no_grad():
        return rounded_fill_(tensor, lambda t: fill_normal(t, mean, std, generator))


def trunc_normal_(
    tensor: torch.Tensor,
    mean: float = 0.0,
    std: float = 1.0,
    a: float = -2.0,
    b: float = 2.0,
    generator: torch.Generator | None = None,
):
    """N(mean, std^2) conditioned on [a, b].

    ``a`` and ``b`` are ABSOLUTE bounds (not std units) and ``std`` is the parent normal's: the
    result's std is smaller, ``std * truncated_standard_normal_std((a - mean) / std, (b - mean) / std)``
    (torch.nn.init semantics). Sampled exactly, by inverting the CDF (erfinv on the CPU for the usual
    intervals, float64 in far tails) or by redrawing only the values outside [a, b] (see
    :func:`initlib.sampling.fill_truncated_normal`); never by redrawing the whole tensor.
    """
    mean, std = _checks.real(mean, "mean"), _checks.positive(std, "std")
    a, b = _checks.real(a, "a", finite=False), _checks.real(b, "b", finite=False)
    if not a < b:
        raise ValueError(f"a, b: the lower cut-off a must be below the upper cut-off b, got a={a}, b={b}")
    tensor, generator = _random_target(tensor, generator)
    if _checks.is_noop(tensor):
        return tensor
    with torch.no_grad():
        return rounded_fill_(tensor, lambda t: fill_truncated_normal(t, mean, std, a, b, generator))


def constant_(tensor: torch.Tensor, val: float):
    """Fill with ``val``."""
    tensor = _checks.tensor_arg(tensor)
    if type(val) is not float and type(val) is not int and not isinstance(val, numbers.Number):
        raise TypeError(f"val: expected a number, got {val!r} ({type(val).__name__})")
    with torch.no_grad():
        return tensor.fill_(val)


def ones_(tensor: torch.Tensor):
    """Fill with 1."""
    return constant_(tensor, 1.0)


def zeros_(tensor: torch.Tensor):
    """Fill with 0."""
    tensor = _checks.tensor_arg(tensor)
    with torch.no_grad():
        return tensor.zero_()
