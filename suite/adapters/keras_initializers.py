"""``keras.initializers`` (Keras 3) behind ``torch.nn.init``'s signatures: the suite's target
``keras.initializers[<backend>]``.

Each function fills a torch tensor in place with what the Keras initializer a Keras user would pick for the
same layer returns. The torch layout ``(out, in, *kernel)`` is handed to Keras in its own layout: Dense
kernels ``(in, out)``, convolution kernels ``(*kernel, in, out)``, and permuted back, so that fans are
Keras's own (``keras.initializers.VarianceScaling``: ``fan_in = shape[-2] * prod(shape[:-2])``,
``fan_out = shape[-1] * prod(shape[:-2])``, a 1-D shape ``(n,)`` has ``fan_in = fan_out = n``, and the
fan is clamped at >= 1 before dividing). Documentation: https://keras.io/api/layers/initializers/.

Randomness: Keras initializers take ``seed=`` (an int or a ``keras.random.SeedGenerator``), not a
generator. The adapter draws a 31-bit int seed from ``generator`` (the global torch RNG when it is None)
and builds a fresh initializer with it, so the same generator state gives the same tensor and a given
generator leaves the global RNG alone. Keras's own seed promises (same int seed, same values; an
initializer seeded with an int or unseeded gives the same values on every call; a ``SeedGenerator`` gives
new ones) are pinned in tests/adapter_tests/test_keras_adapter.py.

Backend: ``KERAS_BACKEND`` as Keras reads it when first imported; torch when it is unset (set here before
importing Keras). The target's name carries the backend that is in use (``keras.initializers[torch]``,
``keras.initializers[jax]``); both share suite/ledgers/keras.initializers.toml.

============================== =====================================================================
torch.nn.init name             Keras 3 initializer (keras.io/api/layers/initializers/)
============================== =====================================================================
uniform_(a, b)                 RandomUniform(minval=a, maxval=b)
normal_(mean, std)             RandomNormal(mean, stddev=std)
trunc_normal_(mean, std, a, b) TruncatedNormal(mean, stddev=std): Keras cuts at mean +- 2 stddev, so
                               only a = mean - 2 std, b = mean + 2 std can be expressed (ValueError else)
xavier_uniform_(gain)          GlorotUniform (gain 1), else VarianceScaling(gain^2, "fan_avg", "uniform")
xavier_normal_(gain)           GlorotNormal (gain 1), else VarianceScaling(gain^2, "fan_avg",
                               "truncated_normal"): a truncated normal by Keras's documentation
kaiming_uniform_(a, mode, nl)  HeUniform (scale 2, fan_in), else VarianceScaling(gain^2, mode, "uniform")
kaiming_normal_(a, mode, nl)   HeNormal (scale 2, fan_in), else VarianceScaling(gain^2, mode,
                               "truncated_normal")
lecun_uniform_, lecun_normal_  LecunUniform, LecunNormal
variance_scaling_(...)         VarianceScaling(scale, mode, distribution); the suite's "normal" (untruncated)
                               is Keras's "untruncated_normal" (Keras reads "normal" as truncated)
orthogonal_(gain)              Orthogonal(gain)
eye_                           Identity()
constant_, ones_, zeros_       Constant(val), Ones, Zeros
============================== =====================================================================

Keras has no gain table: the kaiming gain is ``torch.nn.init.calculate_gain(nonlinearity, a)`` (He's
``scale = gain^2``). Keras has no ``calculate_gain``, ``sparse_``, ``dirac_`` or ``delta_orthogonal_``:
the suite lists them as not provided. Meta tensors are left alone (nothing to fill).
"""

from __future__ import annotations

import math
import os

import torch

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # after choosing the backend

#: The backend Keras runs on in this process (part of the target's name).
BACKEND = keras.backend.backend()

_init = keras.initializers


def _seed(generator: torch.Generator | None) -> int:
    """A 31-bit int seed for Keras (its seeds are 32-bit), drawn from ``generator``."""
    return int(torch.randint(0, 2**31, (), generator=generator, dtype=torch.int64))


def _keras_shape(shape: tuple[int, ...]) -> tuple[int, ...]:
    """torch ``(out, in, *kernel)`` -> Keras ``(*kernel, in, out)``; fewer than 2 dims stay as they are."""
    return shape if len(shape) < 2 else (*shape[2:], shape[1], shape[0])


def _to_torch_layout(values: torch.Tensor) -> torch.Tensor:
    """Keras ``(*kernel, in, out)`` -> torch ``(out, in, *kernel)`` (the inverse of :func:`_keras_shape`)."""
    n = values.dim()
    return values if n < 2 else values.permute(n - 1, n - 2, *range(n - 2))


def _as_torch(values) -> torch.Tensor:
    """A backend tensor as a torch tensor: itself (torch backend) or through DLPack (jax)."""
    if isinstance(values, torch.Tensor):
        return values.detach()
    return torch.from_dlpack(values)


def _fill(tensor: torch.Tensor, initializer, layout: bool = True) -> torch.Tensor:
    """Copy ``initializer(keras_shape, dtype)`` into ``tensor`` (in the torch layout when ``layout``)."""
    if not isinstance(tensor, torch.Tensor):
        raise TypeError(f"tensor: expected a torch.Tensor, got {type(tensor).__name__}")
    if tensor.is_meta:
        return tensor
    shape = tuple(tensor.shape)
    dtype = str(tensor.dtype).removeprefix("torch.")
    values = _as_torch(initializer(_keras_shape(shape) if layout else shape, dtype=dtype))
    with torch.no_grad():
        tensor.copy_(_to_torch_layout(values) if layout else values.reshape(shape))
    return tensor


def _scaled(named, scale: float, mode: str, distribution: str, generator, default=(1.0, "fan_avg")):
    """The named Keras initializer where the call is exactly it, else the VarianceScaling it specialises."""
    seed = _seed(generator)
    if math.isclose(scale, default[0], rel_tol=1e-12) and mode == default[1]:
        return named(seed=seed)
    return _init.VarianceScaling(scale=scale, mode=mode, distribution=distribution, seed=seed)


def uniform_(tensor, a: float = 0.0, b: float = 1.0, generator=None):
    """``RandomUniform(minval=a, maxval=b)``: U[a, b) (Keras: minval inclusive, maxval exclusive)."""
    return _fill(tensor, _init.RandomUniform(minval=a, maxval=b, seed=_seed(generator)), layout=False)


def normal_(tensor, mean: float = 0.0, std: float = 1.0, generator=None):
    """``RandomNormal(mean, stddev=std)``: N(mean, std^2)."""
    return _fill(tensor, _init.RandomNormal(mean=mean, stddev=std, seed=_seed(generator)), layout=False)


def trunc_normal_(tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0, b: float = 2.0, generator=None):
    """``TruncatedNormal(mean, stddev=std)``: N(mean, std^2) with values more than two standard deviations
    from the mean "discarded and re-drawn" (Keras docs), i.e. conditioned on [mean - 2 std, mean + 2 std].
    Keras has no bounds argument: other ``a``, ``b`` are a ValueError."""
    if not (math.isclose(a, mean - 2 * std, abs_tol=1e-12) and math.isclose(b, mean + 2 * std, abs_tol=1e-12)):
        raise ValueError(
            f"a, b: Keras's TruncatedNormal cuts at mean -+ 2 std = ({mean - 2 * std:g}, {mean + 2 * std:g}), "
            f"got ({a:g}, {b:g})"
        )
    return _fill(tensor, _init.TruncatedNormal(mean=mean, stddev=std, seed=_seed(generator)), layout=False)


def constant_(tensor, val: float):
    """``Constant(val)``."""
    return _fill(tensor, _init.Constant(val), layout=False)


def ones_(tensor):
    """``Ones()``."""
    return _fill(tensor, _init.Ones(), layout=False)


def zeros_(tensor):
    """``Zeros()``."""
    return _fill(tensor, _init.Zeros(), layout=False)


def eye_(tensor):
    """``Identity()``: ``ops.eye(in, out)`` on the Keras ``(in, out)`` kernel, 2-D only (Keras docs)."""
    return _fill(tensor, _init.Identity())


def xavier_uniform_(tensor, gain: float = 1.0, generator=None):
    """``GlorotUniform``: U(+-sqrt(6 / (fan_in + fan_out))) = ``VarianceScaling(1, "fan_avg", "uniform")``,
    scale ``gain^2``."""
    return _fill(tensor, _scaled(_init.GlorotUniform, gain**2, "fan_avg", "uniform", generator))


def xavier_normal_(tensor, gain: float = 1.0, generator=None):
    """``GlorotNormal``: "a truncated normal distribution centered on 0 with stddev = sqrt(2 / (fan_in +
    fan_out))" (Keras docs) = ``VarianceScaling(1, "fan_avg", "truncated_normal")``, scale ``gain^2``."""
    return _fill(tensor, _scaled(_init.GlorotNormal, gain**2, "fan_avg", "truncated_normal", generator))


def _kaiming(named, distribution: str, tensor, a, mode, nonlinearity, generator):
    gain = torch.nn.init.calculate_gain(nonlinearity, a)
    return _fill(tensor, _scaled(named, gain**2, mode, distribution, generator, default=(2.0, "fan_in")))


def kaiming_uniform_(tensor, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu", generator=None):
    """``HeUniform``: U(+-sqrt(6 / fan_in)) = ``VarianceScaling(2, "fan_in", "uniform")``; otherwise scale
    ``calculate_gain(nonlinearity, a)^2`` and ``mode``."""
    return _kaiming(_init.HeUniform, "uniform", tensor, a, mode, nonlinearity, generator)


def kaiming_normal_(tensor, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu", generator=None):
    """``HeNormal``: truncated normal, std sqrt(2 / fan_in) = ``VarianceScaling(2, "fan_in",
    "truncated_normal")``; otherwise scale ``calculate_gain(nonlinearity, a)^2`` and ``mode``."""
    return _kaiming(_init.HeNormal, "truncated_normal", tensor, a, mode, nonlinearity, generator)


def lecun_uniform_(tensor, generator=None):
    """``LecunUniform``: U(+-sqrt(3 / fan_in)) = ``VarianceScaling(1, "fan_in", "uniform")``."""
    return _fill(tensor, _init.LecunUniform(seed=_seed(generator)))


def lecun_normal_(tensor, generator=None):
    """``LecunNormal``: truncated normal, std sqrt(1 / fan_in) = ``VarianceScaling(1, "fan_in",
    "truncated_normal")``."""
    return _fill(tensor, _init.LecunNormal(seed=_seed(generator)))


#: The suite's distribution names -> Keras's documented ones (Keras turns "normal" into "truncated_normal").
_DISTRIBUTIONS = {"normal": "untruncated_normal"}


def variance_scaling_(
    tensor,
    scale: float = 1.0,
    mode: str = "fan_in",
    distribution: str = "truncated_normal",
    layout: str = "torch",
    generator=None,
):
    """``VarianceScaling(scale, mode, distribution)``: std sqrt(scale / n) (after truncation: the parent's
    std is divided by 0.87962566103423978, the std of N(0, 1) cut at +-2), uniform bound sqrt(3 scale / n).
    ``layout="jax"``: the tensor is already in Keras's layout ``(*kernel, in, out)`` and is handed over as
    it is."""
    if layout not in ("torch", "jax"):
        raise ValueError(f"layout: must be 'torch' or 'jax', got {layout!r}")
    initializer = _init.VarianceScaling(
        scale=scale, mode=mode, distribution=_DISTRIBUTIONS.get(distribution, distribution), seed=_seed(generator)
    )
    return _fill(tensor, initializer, layout == "torch")


def orthogonal_(tensor, gain: float = 1.0, generator=None):
    """``Orthogonal(gain)``: QR of a Gaussian matrix, sign-corrected, on the ``(prod(shape[:-1]),
    shape[-1])`` view (columns along Keras's last axis, torch's ``size(0)``)."""
    return _fill(tensor, _init.Orthogonal(gain=gain, seed=_seed(generator)))
