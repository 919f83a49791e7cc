"""The ``flax-layers`` target: what a fresh ``flax.linen`` layer puts in its parameters, against Flax's
documented defaults.

Each function ``<layer>_<parameter>_(tensor, generator=None)`` builds the layer for the tensor's shape
(given in Flax's own layout: Dense kernels ``(in, out)``, Conv and ConvTranspose kernels
``(*kernel, in, out)``, attention kernels ``(in, heads, head_dim)`` and ``(heads, head_dim, out)``,
Embed ``(num_embeddings, features)``), runs ``layer.init`` with a ``jax.random.key`` made from a 32-bit
seed drawn from ``generator`` (the global torch RNG when None) and copies the parameter into the tensor.
The same generator state gives the same parameters; a given generator leaves the global RNG alone.

Flax's defaults, as its API reference declares them (https://flax.readthedocs.io/en/latest/api_reference/
flax.linen/layers.html; ``flax/linen/linear.py``: ``default_kernel_init = initializers.lecun_normal()``,
``default_embed_init = initializers.variance_scaling(1.0, 'fan_in', 'normal', out_axis=0)``;
``flax/linen/recurrent.py``: ``recurrent_kernel_init = initializers.orthogonal()``), and the laws of
those initializers from JAX's documentation (https://docs.jax.dev/en/latest/jax.nn.initializers.html):

- Dense, Conv, ConvTranspose, the attention projections and the cells' input kernels: ``lecun_normal``
  = ``variance_scaling(1, "fan_in", "truncated_normal")``: N(0, s^2) conditioned on +-2 s with
  s = sqrt(1 / fan_in) / 0.87962566103423978, so the variance is 1 / fan_in. fan_in is the product of
  the kernel's input axes: ``in * prod(kernel)`` for convolutions (JAX's fans: ``in_axis=-2``, receptive
  field = the leading axes); DenseGeneral (attention) initialises the kernel flattened to
  ``(prod(input axes), prod(feature axes))``, so fan_in is ``in`` for query/key/value and
  ``heads * head_dim`` for the output projection.
- Biases: ``zeros_init()``; LayerNorm/RMSNorm scales ``ones``, LayerNorm bias ``zeros``.
- Embed: ``variance_scaling(1.0, "fan_in", "normal", out_axis=0)`` on ``(num_embeddings, features)``:
  with ``in_axis=-2`` = ``out_axis=0`` JAX's receptive field is ``features / num_embeddings`` and fan_in
  is ``features``: N(0, 1 / features), untruncated ("normal" in JAX is the untruncated normal).
- LSTMCell, OptimizedLSTMCell, GRUCell, SimpleCell, MGUCell: input kernels ``lecun_normal``, recurrent
  kernels ``orthogonal()`` (a Haar orthogonal ``(hidden, hidden)`` matrix), biases ``zeros_init()``;
  MGUCell's forget-gate bias ``ones_init()``.

flax.nnx declares the same defaults (``flax/nnx/nn/linear.py``: ``default_kernel_init =
initializers.lecun_normal()``, the same ``default_embed_init``): ``nnx_linear_*`` and ``nnx_embed_*``
check that its modules do what linen's do.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np
import torch
from flax import linen as nn
from flax import nnx
from hypothesis import strategies as st

from suite.spec import oracle
from suite.spec.claims import Claim, Spec
from suite.spec.strategies import call, kernels, matrices
from suite.stats.laws import normal, truncated_normal

DOCS = "https://flax.readthedocs.io/en/latest/api_reference/flax.linen/"


@dataclass(frozen=True)
class Param:
    """A layer's parameter: ``build(shape) -> (module, input shape)`` and its path in ``params``."""

    build: Callable[[tuple[int, ...]], tuple[nn.Module, tuple[int, ...]]]
    path: tuple[str, ...]


def _dense(shape):
    return nn.Dense(features=shape[1]), (1, shape[0])


def _conv(cls):
    def build(shape):
        *kernel, cin, out = shape
        return cls(features=out, kernel_size=tuple(kernel)), (1, *kernel, cin)

    return build


def _attention(shape, projection: str):
    """q/k/v kernels (in, heads, head_dim); the output kernel (heads, head_dim, out)."""
    if projection == "out":
        heads, head_dim, out = shape
        cin = out
    else:
        cin, heads, head_dim = shape
        out = cin
    layer = nn.MultiHeadDotProductAttention(num_heads=heads, qkv_features=heads * head_dim, out_features=out)
    return layer, (1, 1, cin)


def _norm(cls):
    return lambda shape: (cls(), (1, shape[0]))


def _cell(cls):
    """(in, hidden) input kernels and biases of size hidden; the recurrent kernel's shape is (hidden, hidden)
    and its input size is taken equal to hidden."""

    def build(shape):
        cin, hidden = shape if len(shape) == 2 else (shape[0], shape[0])
        return cls(features=hidden), (1, cin)

    return build


def _cell_bias(cls):
    return lambda shape: (cls(features=shape[0]), (1, 3))


class _NNX:
    """An ``nnx`` module behind ``init``'s signature, so that it is drawn like a linen layer."""

    def __init__(self, make):
        self.make = make

    def init(self, key, _inputs):
        model = self.make(nnx.Rngs(params=key))
        return {"params": {name: value for name, value in nnx.state(model, nnx.Param).to_pure_dict().items()}}


PARAMS: dict[str, Param] = {
    "dense_kernel_": Param(_dense, ("kernel",)),
    "dense_bias_": Param(lambda s: (nn.Dense(features=s[0]), (1, 3)), ("bias",)),
    **{f"conv{d}d_kernel_": Param(_conv(nn.Conv), ("kernel",)) for d in (1, 2, 3)},
    "conv2d_bias_": Param(lambda s: (nn.Conv(features=s[0], kernel_size=(3, 3)), (1, 3, 3, 2)), ("bias",)),
    **{f"conv_transpose{d}d_kernel_": Param(_conv(nn.ConvTranspose), ("kernel",)) for d in (1, 2)},
    "conv_transpose2d_bias_": Param(
        lambda s: (nn.ConvTranspose(features=s[0], kernel_size=(3, 3)), (1, 3, 3, 2)), ("bias",)
    ),
    "embed_embedding_": Param(lambda s: (nn.Embed(s[0], s[1]), None), ("embedding",)),
    "layer_norm_scale_": Param(_norm(nn.LayerNorm), ("scale",)),
    "layer_norm_bias_": Param(_norm(nn.LayerNorm), ("bias",)),
    "rms_norm_scale_": Param(_norm(nn.RMSNorm), ("scale",)),
    **{
        f"attention_{p}_kernel_": Param(functools.partial(_attention, projection=p), (p, "kernel"))
        for p in ("query", "key", "value", "out")
    },
    "attention_query_bias_": Param(lambda s: _attention((8, *s), "query"), ("query", "bias")),
    "attention_out_bias_": Param(lambda s: _attention((2, 4, s[0]), "out"), ("out", "bias")),
    "lstm_input_kernel_": Param(_cell(nn.LSTMCell), ("ii", "kernel")),
    "lstm_recurrent_kernel_": Param(_cell(nn.LSTMCell), ("hf", "kernel")),
    "lstm_bias_": Param(_cell_bias(nn.LSTMCell), ("hi", "bias")),
    "optimized_lstm_input_kernel_": Param(_cell(nn.OptimizedLSTMCell), ("ii", "kernel")),
    "optimized_lstm_recurrent_kernel_": Param(_cell(nn.OptimizedLSTMCell), ("hg", "kernel")),
    "gru_input_kernel_": Param(_cell(nn.GRUCell), ("iz", "kernel")),
    "gru_recurrent_kernel_": Param(_cell(nn.GRUCell), ("hn", "kernel")),
    "gru_bias_": Param(_cell_bias(nn.GRUCell), ("in", "bias")),
    "simple_cell_input_kernel_": Param(_cell(nn.SimpleCell), ("i", "kernel")),
    "simple_cell_recurrent_kernel_": Param(_cell(nn.SimpleCell), ("h", "kernel")),
    "mgu_recurrent_kernel_": Param(_cell(nn.MGUCell), ("hn", "kernel")),
    "mgu_forget_bias_": Param(_cell_bias(nn.MGUCell), ("if", "bias")),
    "nnx_linear_kernel_": Param(lambda s: (_NNX(lambda rngs: nnx.Linear(s[0], s[1], rngs=rngs)), None), ("kernel",)),
    "nnx_embed_embedding_": Param(
        lambda s: (_NNX(lambda rngs: nnx.Embed(s[0], s[1], rngs=rngs)), None), ("embedding",)
    ),
}


@functools.lru_cache(maxsize=64)
def _initializer(name: str, shape: tuple[int, ...]):
    """``key -> the parameter``: ``layer.lazy_init`` (the parameters only, no forward pass on data),
    compiled once per layer and shape."""
    param = PARAMS[name]
    module, input_shape = param.build(shape)
    if isinstance(module, _NNX):
        return lambda key: _path(module.init(key, None)["params"], param.path)
    if input_shape is None:  # Embed: token ids
        inputs = (jax.ShapeDtypeStruct((1,), jnp.int32),)
    else:
        inputs = (jax.ShapeDtypeStruct(input_shape, jnp.float32),)
    if isinstance(module, nn.RNNCellBase):  # a cell is called on (carry, inputs); its carry is zeros
        inputs = (module.initialize_carry(jax.random.key(0), input_shape), *inputs)
    return jax.jit(lambda key: _path(module.lazy_init(key, *inputs)["params"], param.path))


def _path(params, path: tuple[str, ...]):
    for part in path:
        params = params[part]
    return params


def _fill(name: str, tensor: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    if not isinstance(tensor, torch.Tensor):
        raise TypeError(f"tensor: expected a torch.Tensor, got {type(tensor).__name__}")
    seed = int(torch.randint(0, 2**32, (), generator=generator, dtype=torch.int64))
    value = np.array(_initializer(name, tuple(tensor.shape))(jax.random.key(seed)))  # a writable copy
    if value.shape != tuple(tensor.shape):
        raise ValueError(f"tensor: {name} has shape {value.shape} for this layer, not {tuple(tensor.shape)}")
    with torch.no_grad():
        tensor.copy_(torch.from_numpy(value))
    return tensor


class FlaxLayerDefaults:
    """``<layer>_<parameter>_(tensor, generator=None)`` for every entry of :data:`PARAMS`."""

    def __getattr__(self, name: str):
        if name not in PARAMS:
            raise AttributeError(name)
        return functools.partial(_fill, name)


# --- claims --------------------------------------------------------------------------------------------


def _lecun_normal(fan_in: int, where: str) -> Claim:
    parent = math.sqrt(1.0 / fan_in) / oracle.truncated_std_units(2.0)
    return Claim(
        f"lecun_normal: variance 1/fan_in, fan_in={fan_in} ({where}); normal truncated at +-2 parent stds, "
        f"parent std = sqrt(1/fan_in) / 0.8796 = {parent:.6g}",
        truncated_normal(0.0, parent, -2 * parent, 2 * parent),
    )


def _kernel_claim(fan_in: Callable[[tuple[int, ...]], int], where: str):
    return lambda c: _lecun_normal(fan_in(c.shape), where)


def _embed_claim(c) -> Claim:
    std = 1.0 / math.sqrt(c.shape[1])
    return Claim(
        "variance_scaling(1.0, 'fan_in', 'normal', out_axis=0): fan_in = features = "
        f"{c.shape[1]}; N(0, 1/features), std = {std:.6g}",
        normal(0.0, std),
    )


def _orthogonal_claim(c) -> Claim:
    return Claim("orthogonal(): a Haar-distributed orthogonal (hidden, hidden) matrix, scale 1", orthogonal_gain=1.0)


def _constant_claim(value: float, what: str):
    return lambda c: Claim(f"{what}: every element equals {value!r}", exact=lambda shape: np.full(shape, value))


def _spec(name: str, shapes, claim, source: str, random: bool = True, kind: str = "") -> Spec:
    return Spec(name, random, st.builds(lambda s: call(name, s), shapes), claim, DOCS + source, api=False, kind=kind)


_flax_kernels = {d: kernels(d + 2).map(lambda s: (*s[2:], s[1], s[0])) for d in (1, 2, 3)}
_sizes = st.integers(1, 512).map(lambda n: (n,))
_heads = st.tuples(st.integers(1, 8), st.integers(1, 64))
_qkv = st.tuples(st.integers(1, 256), st.integers(1, 8), st.integers(1, 32)).filter(lambda s: math.prod(s) >= 128)
_out = st.tuples(st.integers(1, 8), st.integers(1, 32), st.integers(1, 256)).filter(lambda s: math.prod(s) >= 128)
_square = st.integers(2, 96).map(lambda n: (n, n))
_cell_inputs = matrices(max_numel=1 << 14)
_first = lambda s: s[0]  # noqa: E731
_conv_fan = lambda s: s[-2] * math.prod(s[:-2])  # noqa: E731

_ZEROS, _ONES = _constant_claim(0.0, "zeros_init()"), _constant_claim(1.0, "ones")
_CELLS = {"lstm": "LSTMCell", "optimized_lstm": "OptimizedLSTMCell", "gru": "GRUCell", "simple_cell": "SimpleCell"}

LAYER_TABLE: dict[str, Spec] = {
    spec.name: spec
    for spec in [
        _spec("dense_kernel_", matrices(), _kernel_claim(_first, "in of (in, out)"), "layers.html#flax.linen.Dense"),
        _spec("dense_bias_", _sizes, _ZEROS, "layers.html#flax.linen.Dense", random=False),
        *[
            _spec(
                f"conv{d}d_kernel_",
                _flax_kernels[d],
                _kernel_claim(_conv_fan, "in * prod(kernel)"),
                "layers.html#flax.linen.Conv",
            )
            for d in (1, 2, 3)
        ],
        _spec("conv2d_bias_", _sizes, _ZEROS, "layers.html#flax.linen.Conv", random=False),
        *[
            _spec(
                f"conv_transpose{d}d_kernel_",
                _flax_kernels[d],
                _kernel_claim(_conv_fan, "in * prod(kernel)"),
                "layers.html#flax.linen.ConvTranspose",
            )
            for d in (1, 2)
        ],
        _spec("conv_transpose2d_bias_", _sizes, _ZEROS, "layers.html#flax.linen.ConvTranspose", random=False),
        _spec("embed_embedding_", matrices(), _embed_claim, "layers.html#flax.linen.Embed"),
        _spec("layer_norm_scale_", _sizes, _ONES, "layers.html#flax.linen.LayerNorm", random=False),
        _spec("layer_norm_bias_", _sizes, _ZEROS, "layers.html#flax.linen.LayerNorm", random=False),
        _spec("rms_norm_scale_", _sizes, _ONES, "layers.html#flax.linen.RMSNorm", random=False),
        *[
            _spec(
                f"attention_{p}_kernel_",
                _qkv,
                _kernel_claim(_first, "DenseGeneral flattens (in, heads, head_dim): fan_in = in"),
                "layers.html#flax.linen.MultiHeadDotProductAttention",
            )
            for p in ("query", "key", "value")
        ],
        _spec(
            "attention_out_kernel_",
            _out,
            _kernel_claim(
                lambda s: s[0] * s[1], "DenseGeneral flattens (heads, head_dim, out): fan_in = heads*head_dim"
            ),
            "layers.html#flax.linen.MultiHeadDotProductAttention",
        ),
        _spec("attention_query_bias_", _heads, _ZEROS, "layers.html#flax.linen.MultiHeadDotProductAttention", False),
        _spec("attention_out_bias_", _sizes, _ZEROS, "layers.html#flax.linen.MultiHeadDotProductAttention", False),
        *[
            _spec(
                f"{cell}_input_kernel_",
                _cell_inputs,
                _kernel_claim(_first, "in of (in, hidden)"),
                f"layers.html#flax.linen.{cls}",
            )
            for cell, cls in _CELLS.items()
        ],
        *[
            _spec(
                f"{cell}_recurrent_kernel_",
                _square,
                _orthogonal_claim,
                f"layers.html#flax.linen.{cls}",
                kind="orthogonal",
            )
            for cell, cls in {**_CELLS, "mgu": "MGUCell"}.items()
        ],
        _spec("lstm_bias_", _sizes, _ZEROS, "layers.html#flax.linen.LSTMCell", random=False),
        _spec("gru_bias_", _sizes, _ZEROS, "layers.html#flax.linen.GRUCell", random=False),
        _spec("mgu_forget_bias_", _sizes, _constant_claim(1.0, "ones_init()"), "layers.html#flax.linen.MGUCell", False),
        Spec(
            "nnx_linear_kernel_",
            True,
            st.builds(lambda s: call("nnx_linear_kernel_", s), matrices()),
            _kernel_claim(_first, "in of (in, out)"),
            "https://flax.readthedocs.io/en/latest/api_reference/flax.nnx/nn/linear.html#flax.nnx.Linear",
            api=False,
        ),
        Spec(
            "nnx_embed_embedding_",
            True,
            st.builds(lambda s: call("nnx_embed_embedding_", s), matrices()),
            _embed_claim,
            "https://flax.readthedocs.io/en/latest/api_reference/flax.nnx/nn/linear.html#flax.nnx.Embed",
            api=False,
        ),
    ]
}


def defaults() -> FlaxLayerDefaults:
    """The ``flax-layers`` target's functions (:data:`suite.engine.targets.LAYER_TARGETS`)."""
    return FlaxLayerDefaults()
