"""What is timed: each initlib initializer and its counterparts, called with the same arguments.

* ``initlib``: ``initlib.NAME(tensor, **kwargs, generator=g)`` on a preallocated tensor.
* ``initlib.fast`` (when numba is installed): ``initlib.fast.NAME(...)``, the same call.
* ``torch``: ``torch.nn.init.NAME(tensor, **kwargs, generator=g)``, where torch has ``NAME``.
* ``jax`` (when importable): the ``jax.random`` / ``jax.nn.initializers`` function that draws the same
  distribution, jitted, on a fresh array each call (JAX arrays are immutable), timed up to
  ``block_until_ready()``.
* ``reference``: the device's memory roofline, ``fill_`` (writes the bytes once) and ``copy_`` (reads
  and writes them once).
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import torch

import initlib
from suite.spec.claims import TABLE


@dataclass(frozen=True)
class Initializer:
    """One initializer: its extra arguments and the tensor ranks it accepts."""

    name: str
    kwargs: dict = field(default_factory=dict)
    random: bool = True
    #: ``"any"`` (>= 2 dims), ``"2d"`` (exactly 2), ``"conv"`` (3-5 dims; a 2-D shape gets a trailing 1),
    #: ``"conv_out_ge_in"`` (like ``conv``, with out >= in).
    ranks: str = "any"

    @property
    def in_torch(self) -> bool:
        return self.name in initlib.TORCH_COMPATIBLE

    def shape_for(self, shape: tuple[int, ...]) -> tuple[int, ...] | None:
        """The shape to time on for a plan shape, or ``None`` where the initializer does not apply."""
        if self.ranks == "2d":
            return shape if len(shape) == 2 else None
        if self.ranks.startswith("conv"):
            shape = (*shape, 1) if len(shape) == 2 else shape
            if self.ranks == "conv_out_ge_in" and shape[0] < shape[1]:
                return None
        return shape


#: Every initializer of the claims table, called with its benchmark arguments (``Spec.bench_kwargs``).
INITIALIZERS = {
    name: Initializer(name, dict(spec.bench_kwargs), spec.random, spec.bench_ranks) for name, spec in TABLE.items()
}
#: The roofline's operations (impl ``reference``).
REFERENCE_OPS = ("fill_", "copy_")


def fast_available() -> bool:
    """Whether ``initlib.fast`` imports (it needs numba: ``pip install 'initcheck[fast]'``)."""
    try:
        importlib.import_module("initlib.fast")
    except ImportError:
        return False
    return True


def torch_call(name: str, impl: str, tensor: torch.Tensor, generator: torch.Generator) -> Callable[[], object]:
    """A no-argument callable running ``impl``'s ``name`` on ``tensor`` (``impl``: initlib, initlib.fast
    or torch)."""
    spec = INITIALIZERS[name]
    module = torch.nn.init if impl == "torch" else importlib.import_module(impl)
    function = getattr(module, name)
    kwargs = dict(spec.kwargs)
    if spec.random:
        kwargs["generator"] = generator
    return lambda: function(tensor, **kwargs)


def reference_call(name: str, tensor: torch.Tensor, source: torch.Tensor) -> Callable[[], object]:
    """``fill_`` writes every byte of ``tensor`` once; ``copy_`` reads ``source`` and writes ``tensor``."""
    if name == "fill_":
        return lambda: tensor.fill_(0.5)
    return lambda: tensor.copy_(source)


def jax_available() -> bool:
    try:
        importlib.import_module("jax")
    except ImportError:
        return False
    return True


def _jax_initializer(name: str, shape: tuple[int, ...]):
    """``(init(key, shape, dtype), shape)`` in JAX terms, or ``None`` where JAX has no counterpart.

    torch's weight layout (out, in, *kernel) maps to ``in_axis=1, out_axis=0``; delta-orthogonal
    kernels are (*kernel, in, out) in JAX, so the shape is permuted (same number of elements).
    """
    import jax  # optional dependency

    inits, rnd = jax.nn.initializers, jax.random
    axes = {"in_axis": 1, "out_axis": 0}

    def scaling(scale, mode, distribution):
        return inits.variance_scaling(scale, mode, distribution, **axes)

    kaiming = 2.0  # calculate_gain("leaky_relu", 0) ** 2, torch's default
    table = {
        "uniform_": lambda key, s, d: rnd.uniform(key, s, d, 0.0, 1.0),
        "normal_": lambda key, s, d: rnd.normal(key, s, d),
        "trunc_normal_": lambda key, s, d: rnd.truncated_normal(key, -2.0, 2.0, s, d),
        "constant_": inits.constant(0.5),
        "ones_": inits.ones,
        "zeros_": inits.zeros,
        "xavier_uniform_": scaling(1.0, "fan_avg", "uniform"),
        "xavier_normal_": scaling(1.0, "fan_avg", "normal"),
        "kaiming_uniform_": scaling(kaiming, "fan_in", "uniform"),
        "kaiming_normal_": scaling(kaiming, "fan_in", "normal"),
        "lecun_uniform_": scaling(1.0, "fan_in", "uniform"),
        "lecun_normal_": scaling(1.0, "fan_in", "normal"),
        "variance_scaling_": scaling(1.0, "fan_in", "truncated_normal"),
        "orthogonal_": inits.orthogonal(column_axis=0),
        "delta_orthogonal_": inits.delta_orthogonal(column_axis=-1),
    }
    if name not in table:
        return None
    if name == "delta_orthogonal_":
        shape = (*shape[2:], shape[1], shape[0])
    return table[name], shape


def jax_call(name: str, shape: tuple[int, ...], dtype: str, device: str) -> Callable[[], object] | None:
    """A no-argument callable drawing ``name``'s JAX counterpart on ``device`` (compiled here), or
    ``None`` where JAX has none."""
    if not jax_available():
        return None
    import jax
    import jax.numpy as jnp

    found = _jax_initializer(name, shape)
    platform = "gpu" if device == "cuda" else "cpu"
    try:
        target = jax.devices(platform)[0]
    except RuntimeError:
        return None
    if found is None:
        return None
    init, jax_shape = found
    jax_dtype = getattr(jnp, dtype)
    key = jax.device_put(jax.random.PRNGKey(0), target)  # the computation follows its input's device
    try:
        draw = jax.jit(lambda key: init(key, jax_shape, jax_dtype)).lower(key).compile()
    except Exception:  # JAX lacks it for this dtype or device (e.g. no bfloat16 QR on the CPU)
        return None
    return lambda: draw(key).block_until_ready()


def bytes_of(shape: tuple[int, ...], dtype: str) -> int:
    return math.prod(shape) * getattr(torch, dtype).itemsize
