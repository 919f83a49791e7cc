"""``jax.nn.initializers`` behind ``torch.nn.init``'s signatures: the suite's target ``jax.nn.initializers``.

Each function fills a torch tensor in place with what the JAX initializer a JAX user would pick for the
same layer returns. The torch layout ``(out, in, *kernel)`` is handed to JAX in its own layout
``(*kernel, in, out)`` (JAX's default ``in_axis=-2, out_axis=-1``) and permuted back, so that fans, and
the errors JAX raises for shapes it cannot use, are JAX's own. Randomness: a 32-bit seed drawn from
``generator`` (the global torch RNG when it is None) makes the ``jax.random.key``; the same generator state
gives the same tensor, and a given generator leaves the global RNG alone.

============================== =====================================================================
torch.nn.init name             JAX call
============================== =====================================================================
uniform_(a, b)                 jax.random.uniform(minval=a, maxval=b)
normal_(mean, std)             mean + std * jax.random.normal
trunc_normal_(mean, std, a, b) mean + std * jax.random.truncated_normal((a-mean)/std, (b-mean)/std)
xavier_uniform_(gain)          glorot_uniform: variance_scaling(gain^2, "fan_avg", "uniform")
xavier_normal_(gain)           glorot_normal: variance_scaling(gain^2, "fan_avg", "truncated_normal")
kaiming_uniform_(a, mode, nl)  he_uniform: variance_scaling(gain^2, mode, "uniform")
kaiming_normal_(a, mode, nl)   he_normal: variance_scaling(gain^2, mode, "truncated_normal")
lecun_uniform_, lecun_normal_  lecun_uniform, lecun_normal
variance_scaling_(...)         variance_scaling(scale, mode, distribution)
orthogonal_(gain)              orthogonal(scale=gain)
delta_orthogonal_(gain)        delta_orthogonal(scale=gain)
constant_, ones_, zeros_       constant(val), ones, zeros
============================== =====================================================================

JAX has no gain table: the kaiming gain is ``torch.nn.init.calculate_gain(nonlinearity, a)`` (with the
defaults ``a=0, nonlinearity="leaky_relu"`` that is sqrt(2), JAX's ``he_*`` scale 2). JAX has no
``calculate_gain``, ``eye_``, ``dirac_`` or ``sparse_``: the suite lists them as not provided.
float64 tensors need JAX's 64-bit mode, which importing this module turns on (``jax_enable_x64``);
without it JAX would hand back float32 draws. Meta tensors are left alone (nothing to fill).
"""

from __future__ import annotations

import jax
import torch

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402  (after the 64-bit switch)
from jax.nn import initializers as _jax_init  # noqa: E402

_DTYPES = {
    torch.float16: jnp.float16,
    torch.bfloat16: jnp.bfloat16,
    torch.float32: jnp.float32,
    torch.float64: jnp.float64,
}


def _key(generator: torch.Generator | None):
    seed = torch.randint(0, 2**32, (), generator=generator, dtype=torch.int64)
    return jax.random.key(int(seed))


def _jax_dtype(tensor: torch.Tensor):
    """JAX's dtype for the tensor's; JAX itself rejects the others (integers, bool) as it would."""
    return _DTYPES.get(tensor.dtype, jnp.dtype(str(tensor.dtype).removeprefix("torch.")))


def _jax_shape(shape: tuple[int, ...]) -> tuple[int, ...]:
    """torch ``(out, in, *kernel)`` -> JAX ``(*kernel, in, out)``; fewer than 2 dims stay as they are."""
    return shape if len(shape) < 2 else (*shape[2:], shape[1], shape[0])


def _to_torch_layout(values: torch.Tensor) -> torch.Tensor:
    """JAX ``(*kernel, in, out)`` -> torch ``(out, in, *kernel)`` (the inverse of :func:`_jax_shape`)."""
    n = values.dim()
    return values if n < 2 else values.permute(n - 1, n - 2, *range(n - 2))


def _fill(tensor: torch.Tensor, draw, layout: bool) -> torch.Tensor:
    """Copy ``draw(jax_shape, jax_dtype)`` into ``tensor`` (in the torch layout when ``layout``)."""
    if not isinstance(tensor, torch.Tensor):
        raise TypeError(f"tensor: expected a torch.Tensor, got {type(tensor).__name__}")
    if tensor.is_meta:
        return tensor
    shape = tuple(tensor.shape)
    values = draw(_jax_shape(shape) if layout else shape, _jax_dtype(tensor))
    result = torch.from_dlpack(jax.block_until_ready(values))
    with torch.no_grad():
        tensor.copy_(_to_torch_layout(result) if layout else result)
    return tensor


def _initializer(factory, layout: bool = True):
    """Fill with ``factory``'s JAX initializer, keyed from the generator."""

    def fill(tensor, generator):
        return _fill(tensor, lambda shape, dtype: factory(_key(generator), shape, dtype), layout)

    return fill


def uniform_(tensor, a: float = 0.0, b: float = 1.0, generator=None):
    """``jax.random.uniform(key, shape, dtype, minval=a, maxval=b)``."""
    return _fill(tensor, lambda s, d: jax.random.uniform(_key(generator), s, d, minval=a, maxval=b), False)


def normal_(tensor, mean: float = 0.0, std: float = 1.0, generator=None):
    """``mean + std * jax.random.normal(key, shape, dtype)`` (``jax.nn.initializers.normal`` has mean 0)."""
    return _fill(tensor, lambda s, d: (mean + std * jax.random.normal(_key(generator), s, d)).astype(d), False)


def trunc_normal_(tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0, b: float = 2.0, generator=None):
    """``mean + std * jax.random.truncated_normal(key, (a - mean) / std, (b - mean) / std, shape, dtype)``:
    JAX's bounds are in standard units, torch's absolute."""

    def draw(s, d):
        lower, upper = (a - mean) / std, (b - mean) / std
        return (mean + std * jax.random.truncated_normal(_key(generator), lower, upper, s, d)).astype(d)

    return _fill(tensor, draw, False)


def constant_(tensor, val: float):
    """``jax.nn.initializers.constant(val)``."""
    return _fill(tensor, lambda s, d: _jax_init.constant(val, d)(None, s, d), False)


def ones_(tensor):
    """``jax.nn.initializers.ones``."""
    return _fill(tensor, lambda s, d: _jax_init.ones(None, s, d), False)


def zeros_(tensor):
    """``jax.nn.initializers.zeros``."""
    return _fill(tensor, lambda s, d: _jax_init.zeros(None, s, d), False)


def xavier_uniform_(tensor, gain: float = 1.0, generator=None):
    """``glorot_uniform`` = ``variance_scaling(1, "fan_avg", "uniform")``, scale ``gain^2``."""
    return _initializer(_jax_init.variance_scaling(gain**2, "fan_avg", "uniform"))(tensor, generator)


def xavier_normal_(tensor, gain: float = 1.0, generator=None):
    """``glorot_normal`` = ``variance_scaling(1, "fan_avg", "truncated_normal")``, scale ``gain^2``."""
    return _initializer(_jax_init.variance_scaling(gain**2, "fan_avg", "truncated_normal"))(tensor, generator)


def _kaiming(family: str, tensor, a, mode, nonlinearity, generator):
    gain = torch.nn.init.calculate_gain(nonlinearity, a)
    return _initializer(_jax_init.variance_scaling(gain**2, mode, family))(tensor, generator)


def kaiming_uniform_(tensor, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu", generator=None):
    """``he_uniform`` = ``variance_scaling(2, "fan_in", "uniform")``; scale ``calculate_gain(nonlinearity, a)^2``."""
    return _kaiming("uniform", tensor, a, mode, nonlinearity, generator)


def kaiming_normal_(tensor, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu", generator=None):
    """``he_normal`` = ``variance_scaling(2, "fan_in", "truncated_normal")``; scale ``calculate_gain(...)^2``."""
    return _kaiming("truncated_normal", tensor, a, mode, nonlinearity, generator)


def lecun_uniform_(tensor, generator=None):
    """``lecun_uniform`` = ``variance_scaling(1, "fan_in", "uniform")``."""
    return _initializer(_jax_init.lecun_uniform())(tensor, generator)


def lecun_normal_(tensor, generator=None):
    """``lecun_normal`` = ``variance_scaling(1, "fan_in", "truncated_normal")``."""
    return _initializer(_jax_init.lecun_normal())(tensor, generator)


def variance_scaling_(
    tensor,
    scale: float = 1.0,
    mode: str = "fan_in",
    distribution: str = "truncated_normal",
    layout: str = "torch",
    generator=None,
):
    """``variance_scaling(scale, mode, distribution)``; ``layout="jax"``: the tensor is already in JAX's
    layout and is handed over as it is."""
    if layout not in ("torch", "jax"):
        raise ValueError(f"layout: must be 'torch' or 'jax', got {layout!r}")
    return _fill(
        tensor,
        lambda s, d: _jax_init.variance_scaling(scale, mode, distribution)(_key(generator), s, d),
        layout == "torch",
    )


def orthogonal_(tensor, gain: float = 1.0, generator=None):
    """``orthogonal(scale=gain)`` (columns along JAX's last axis, torch's ``size(0)``)."""
    return _initializer(_jax_init.orthogonal(scale=gain))(tensor, generator)


def delta_orthogonal_(tensor, gain: float = 1.0, generator=None):
    """``delta_orthogonal(scale=gain)``: JAX puts the orthogonal matrix at the tap ``(k - 1) // 2``."""
    return _initializer(_jax_init.delta_orthogonal(scale=gain))(tensor, generator)
