"""Argument validation shared by every initializer.

Each helper raises ``TypeError`` (wrong kind of value) or ``ValueError`` (right kind, broken rule)
with a message that names the argument and the rule, so that bad input never surfaces as a traceback
from deep inside torch or, worse, as a silently wrong tensor.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable

import torch

#: The dtypes every random initializer supports.
RANDOM_DTYPES = (torch.float16, torch.bfloat16, torch.float32, torch.float64)


def tensor_arg(tensor: object, name: str = "tensor") -> torch.Tensor:
    """Return ``tensor`` if it is a ``torch.Tensor``; raise ``TypeError`` naming ``name`` otherwise."""
    if not isinstance(tensor, torch.Tensor):
        raise TypeError(f"{name}: expected a torch.Tensor, got {type(tensor).__name__}")
    return tensor


def random_tensor_arg(tensor: object, name: str = "tensor") -> torch.Tensor:
    """A tensor that a random initializer can fill: floating point of a supported dtype."""
    tensor = tensor_arg(tensor, name)
    if tensor.dtype not in RANDOM_DTYPES:
        supported = ", ".join(str(d).removeprefix("torch.") for d in RANDOM_DTYPES)
        raise TypeError(
            f"{name}: random initializers fill floating-point tensors ({supported}); "
            f"got dtype {str(tensor.dtype).removeprefix('torch.')}"
        )
    return tensor


def real(value: object, name: str, *, finite: bool = True) -> float:
    """A real number (``int``/``float``/numpy scalar, never ``bool``), returned as ``float``."""
    # Exact float/int first: the ABC check costs about a microsecond, which shows on small tensors.
    exact = type(value) is float or type(value) is int
    if not exact and (isinstance(value, bool) or not isinstance(value, numbers.Real)):
        raise TypeError(f"{name}: expected a real number, got {value!r} ({type(value).__name__})")
    result = float(value)
    if math.isnan(result) or (finite and math.isinf(result)):
        rule = "a finite number" if finite else "a number (not NaN)"
        raise ValueError(f"{name}: must be {rule}, got {value!r}")
    return result


def slope(value: object, name: str) -> float:
    """A negative slope for ``leaky_relu``: a finite real number, never a bool.

    Raises ``ValueError`` for every bad value, as ``torch.nn.init.calculate_gain`` does for a bool.
    """
    try:
        return real(value, name)
    except TypeError as error:
        raise ValueError(str(error)) from None


def non_negative(value: object, name: str) -> float:
    result = real(value, name)
    if result < 0:
        raise ValueError(f"{name}: must be >= 0, got {value!r}")
    return result


def positive(value: object, name: str) -> float:
    result = real(value, name)
    if result <= 0:
        raise ValueError(f"{name}: must be > 0, got {value!r}")
    return result


def positive_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name}: expected an integer, got {value!r} ({type(value).__name__})")
    if value < 1:
        raise ValueError(f"{name}: must be >= 1, got {value!r}")
    return int(value)


def choice(value: object, name: str, allowed: Iterable[str], *, lower: bool = False) -> str:
    """One of ``allowed`` (compared case-insensitively when ``lower``, as torch does for ``mode``)."""
    allowed = tuple(allowed)
    if not isinstance(value, str):
        raise TypeError(f"{name}: expected one of {allowed}, got {value!r} ({type(value).__name__})")
    key = value.lower() if lower else value
    if key not in allowed:
        raise ValueError(f"{name}: unsupported value {value!r}; expected one of {allowed}")
    return key


def dims(tensor: torch.Tensor, allowed: Iterable[int], rule: str, name: str = "tensor") -> None:
    """Raise ``ValueError`` unless ``tensor.dim()`` is in ``allowed``; ``rule`` says why."""
    if tensor.dim() not in tuple(allowed):
        raise ValueError(f"{name}: {rule}, got shape {tuple(tensor.shape)}")


def generator_arg(generator: object, tensor: torch.Tensor) -> torch.Generator | None:
    """``None`` or a ``torch.Generator`` on the same device type as ``tensor``."""
    if generator is None:
        return None
    if not isinstance(generator, torch.Generator):
        raise TypeError(f"generator: expected a torch.Generator or None, got {type(generator).__name__}")
    if tensor.is_meta:
        return generator
    device_type = "cpu" if tensor.is_cpu else tensor.device.type  # is_cpu: no device object to build
    if generator.device.type != device_type:
        raise ValueError(
            f"generator: a {generator.device.type} generator cannot fill a tensor on "
            f"{device_type}; create it with torch.Generator(device={device_type!r})"
        )
    return generator


def is_noop(tensor: torch.Tensor) -> bool:
    """Zero-element and meta tensors have nothing to fill: every initializer leaves them alone."""
    return tensor.numel() == 0 or tensor.is_meta
