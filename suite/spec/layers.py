"""The claims of the ``torch-layers`` target: what a fresh ``torch.nn`` module puts in each of its
parameters (and buffers), for every module type of :data:`suite.spec.torch_defaults.TORCH_DEFAULTS`.

The documented defaults live in ONE place, :mod:`suite.spec.torch_defaults` (restated there from the
"Variables" sections of torch's documentation, with the sources); the model audit reads the same table.
Here each entry of :data:`PARAMS` names a module, how it is constructed (keyword arguments drawn by a
Hypothesis strategy) and one of its parameters; its claim is the table's documented call for that
parameter, evaluated on the module's attributes and fans, then held to the claims table's own claim for
that call (:data:`suite.spec.claims.TABLE`). Nothing is read from the values torch draws: the module is
built on the ``meta`` device (shapes and attributes only) to state the claim.

The functions that produce the parameters (``<layer>_<parameter>_(tensor, generator=None, **constructor
arguments)``) are :mod:`suite.adapters.torch_layers`.

Composite modules (``nn.TransformerEncoderLayer``, ``nn.TransformerDecoderLayer``, ``nn.Transformer``) are
held to what their submodules promise: a parameter's law is that of its outermost owner with an entry in
the table (``nn.MultiheadAttention`` zeroes ``out_proj.bias``; ``nn.Transformer`` applies xavier_uniform_ to
every matrix), else its direct owner's (``linear1.bias`` is a Linear bias).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from hypothesis import strategies as st
from torch import nn

from suite.spec import oracle
from suite.spec.claims import TABLE, Claim, Spec
from suite.spec.strategies import MAX_NUMEL, MIN_NUMEL, Call, call
from suite.spec.torch_defaults import TORCH_DEFAULTS, Default

DOCS = "https://pytorch.org/docs/stable/generated/torch.nn.{}.html"
#: A call's keyword argument that is the input a lazy module is materialized with, not a constructor argument.
INPUT_SHAPE = "input_shape"
#: The pseudo-parameter of an embedding's padding row (``weight[padding_idx]``).
PADDING_ROW = "weight[padding_idx]"
#: The fewest values a drawn call of a random entry fills (unless the entry says otherwise): every call builds
#: a whole module, and a bound check's 4,605,168 values (:mod:`suite.engine.rare`) then take at most 1,125
#: calls (a 128-value bias took 36,000). Biases get it from a wide layer with few inputs (their law depends
#: on the fan, not on the width), so the weights built alongside stay small.
LARGE = 1 << 12


@dataclass(frozen=True)
class LayerParam:
    """One parameter of one module type: ``layer`` names it in function names, ``module`` builds it from
    keyword arguments (drawn by ``arguments``), ``param`` is its name in ``named_parameters()`` or
    ``named_buffers()``; ``example`` is the fixed call every run makes."""

    layer: str
    module: type
    param: str
    arguments: st.SearchStrategy  # of dicts of constructor arguments (plus INPUT_SHAPE for lazy modules)
    example: dict
    max_numel: int = MAX_NUMEL
    min_numel: int = LARGE  # of a drawn call of a random entry
    extra: dict = field(default_factory=dict)  # constructor arguments every call passes

    @property
    def name(self) -> str:
        return f"{self.layer}_{self.param.replace('.', '_').replace('[padding_idx]', '_padding_row')}_"


def build(entry: LayerParam, arguments: dict, device: str | torch.device | None = None) -> nn.Module:
    """The module for a call's arguments (a lazy module materialized by one forward pass on zeros). The
    ``meta`` device gives shapes and attributes without drawing; a lazy module is built on the CPU instead
    (a forward pass on meta tensors costs seconds of imports), its draws in a forked global RNG."""
    kwargs = {**entry.extra, **{k: v for k, v in arguments.items() if k != INPUT_SHAPE}}
    if INPUT_SHAPE in arguments and str(device) == "meta":
        with torch.random.fork_rng(devices=[]):
            return build(entry, arguments)
    module = entry.module(**kwargs, device=device)
    if INPUT_SHAPE in arguments:
        module(torch.zeros(arguments[INPUT_SHAPE], device=device))
    return module


def tensor_of(module: nn.Module, name: str) -> torch.Tensor:
    """The parameter or buffer ``name`` (``weight[padding_idx]``: the embedding's padding row)."""
    if name == PADDING_ROW:
        return module.weight[module.padding_idx]
    tensors = {**dict(module.named_parameters()), **dict(module.named_buffers())}
    if tensors.get(name) is None:
        raise ValueError(f"{name}: this module has no such parameter or buffer (have: {', '.join(tensors)})")
    return tensors[name]


def documented(module: nn.Module, name: str) -> tuple[nn.Module, type, str, Default]:
    """(owner, its type in the table, the name relative to it, the documented default) of parameter
    ``name``: the outermost owner whose type has an entry matching it (as the model audit resolves it)."""
    base = "weight" if name == PADDING_ROW else name
    dim = tensor_of(module, base).dim()
    parts = base.split(".")
    for i in range(len(parts)):
        owner = module.get_submodule(".".join(parts[:i]))
        relative = ".".join(parts[i:])
        cls = next((k for k in type(owner).__mro__ if k in TORCH_DEFAULTS), None)
        if cls is None:
            continue
        for pattern, default in TORCH_DEFAULTS[cls].items():
            if fnmatch.fnmatchcase(relative, pattern) and dim >= default.min_dim:
                return owner, cls, relative, default
    raise LookupError(f"{type(module).__name__}.{name}: no documented default in suite.spec.torch_defaults")


def documented_call(module: nn.Module, name: str, dtype: str = "float32") -> tuple[Call, str]:
    """The claims table's call that states parameter ``name``'s documented law for this module (its
    variables evaluated: attributes, fans of ``fan_of``), and where it comes from."""
    from suite.spec.expressions import parse_call

    owner, cls, relative, default = documented(module, name)
    variables = {a: float(getattr(owner, a)) for a in default.attributes}
    fan_source = owner.get_parameter(default.fan_of) if default.fan_of else tensor_of(owner, relative)
    if fan_source.dim() >= 2:
        variables["fan_in"], variables["fan_out"] = (float(f) for f in oracle.fans(tuple(fan_source.shape)))
    text = default.call
    if name == PADDING_ROW:  # the row the table says is zero instead (Embedding's padding_idx)
        assert default.zero_row == "padding_idx"
        text = "zeros_()"
    initializer, arguments = parse_call(text, variables)
    shape = tuple(tensor_of(module, name).shape)
    return call(initializer, shape, dtype, **arguments), f"nn.{cls.__name__}.{relative}: {text}"


def _claim(entry: LayerParam) -> Callable[[Call], Claim]:
    def claim(c: Call) -> Claim:
        module = build(entry, c.args, device="meta")
        documented_as, origin = documented_call(module, entry.param, c.dtype)
        inner = TABLE[documented_as.name].claim(documented_as)
        return Claim(f"{origin} -> {inner.text}", **{k: v for k, v in vars(inner).items() if k != "text"})

    return claim


def shape_of(entry: LayerParam, arguments: dict) -> tuple[int, ...]:
    return tuple(tensor_of(build(entry, arguments, device="meta"), entry.param).shape)


def _call(entry: LayerParam, arguments: dict) -> Call:
    return call(entry.name, shape_of(entry, arguments), **arguments)


def _spec(entry: LayerParam) -> Spec:
    example = _call(entry, entry.example)
    initializer = documented_call(build(entry, entry.example, device="meta"), entry.param)[0].name
    random = TABLE[initializer].random
    low = entry.min_numel if random else 1
    calls = st.builds(lambda a: _call(entry, a), entry.arguments).filter(lambda c: low <= c.numel <= entry.max_numel)
    return Spec(
        entry.name,
        random,
        calls,
        _claim(entry),
        DOCS.format(entry.module.__name__) + " (Variables; reset_parameters) via suite/spec/torch_defaults.py",
        api=False,
        fixed=(example,),
        kind=TABLE[initializer].kind,
    )


# --- the modules and their constructor arguments ------------------------------------------------------

_n = st.integers


def _args(**strategies) -> st.SearchStrategy:
    return st.fixed_dictionaries(strategies)


def _outputs(param: str, most: int) -> st.SearchStrategy:
    """Output sizes: a bias gets LARGE to 4 * LARGE values (its inputs are kept few: the layer's weight is
    built with it on every call)."""
    return _n(LARGE, 4 * LARGE) if param == "bias" else _n(1, most)


def _inputs(param: str, most: int, for_bias: int = 64) -> st.SearchStrategy:
    return _n(1, for_bias if param == "bias" else most)


def _linear(param: str) -> st.SearchStrategy:
    return _args(in_features=_inputs(param, 1024), out_features=_outputs(param, 1024))


def _lazy_linear(param: str) -> st.SearchStrategy:
    return st.tuples(_inputs(param, 1024), _outputs(param, 1024)).map(
        lambda t: {"out_features": t[1], INPUT_SHAPE: (1, t[0])}
    )


def _bilinear(param: str) -> st.SearchStrategy:
    inputs = _inputs(param, 64, for_bias=8)
    return _args(in1_features=inputs, in2_features=inputs, out_features=_outputs(param, 64))


def _conv(dims: int, param: str) -> st.SearchStrategy:
    """in/out channels as multiples of groups, odd and even kernel sizes (a bias: few inputs per group and
    kernels up to 3, so that the weight built with it stays small)."""
    kernel = st.tuples(*[_n(1, 3 if param == "bias" else 5)] * dims)
    return st.tuples(_n(1, 4), _inputs(param, 64, for_bias=4), _outputs(param, 64), kernel).map(
        lambda t: {
            "in_channels": t[0] * t[1],
            "out_channels": t[0] * -(-t[2] // t[0]) if param == "bias" else t[0] * t[2],
            "kernel_size": t[3],
            "groups": t[0],
        }
    )


def _lazy_conv(dims: int, param: str) -> st.SearchStrategy:
    """The input is as large as the kernel: materialization needs one forward pass, of any spatial size."""
    kernel = st.tuples(*[_n(1, 3 if param == "bias" else 5)] * dims)
    return st.tuples(_inputs(param, 64, for_bias=4), _outputs(param, 64), kernel).map(
        lambda t: {"out_channels": t[1], "kernel_size": t[2], INPUT_SHAPE: (1, t[0], *t[2])}
    )


_embedding = _args(num_embeddings=_n(1, 1024), embedding_dim=_n(1, 256))
_padded = st.tuples(_n(2, 512), _n(1, 256), _n(0, 511)).map(
    lambda t: {"num_embeddings": t[0], "embedding_dim": t[1], "padding_idx": t[2] % t[0]}
)
_recurrent = _args(input_size=_n(1, 128), hidden_size=_n(8, 128))


def _recurrent_bias(cls: type) -> tuple[st.SearchStrategy, dict]:
    """(drawn arguments, example) of a recurrent bias: its gates * hidden_size values come with
    weight_hh's gates * hidden_size^2, so a call costs about gates * hidden_size * (hidden_size + input_size)
    draws plus a fixed overhead (the suite's ~50 us a call, about 17,000 draws): per bias value that is
    least near gates * hidden_size = 128 to 640 values, hidden_size 128 to 256 for an RNN, 48 to 160 with
    3 or 4 gates (at least MIN_NUMEL values; drawn calls of these entries may have fewer than LARGE)."""
    gates = next(cls(1, 1, device="meta").parameters()).shape[0]  # weight_ih: (gates * hidden_size, input_size)
    low, high = (128, 256) if gates == 1 else (48, 160)
    example = {"input_size": 8, "hidden_size": 256 if gates == 1 else 128}
    return _args(input_size=_n(1, 16), hidden_size=_n(low, high)), example


_projected = st.tuples(_n(1, 64), _n(64, 192), _n(1, 191)).map(
    lambda t: {"input_size": t[0], "hidden_size": t[1], "proj_size": t[2] % t[1] or 1, "num_layers": 2}
)


def _heads(heads: st.SearchStrategy, width: st.SearchStrategy) -> st.SearchStrategy:
    """(num_heads, embed_dim): embed_dim about ``width``, a multiple of num_heads."""
    return st.tuples(heads, width).map(lambda t: (t[0], t[0] * max(1, t[1] // t[0])))


_attention = _heads(_n(1, 8), _n(8, 256)).map(lambda t: {"embed_dim": t[1], "num_heads": t[0]})
# bias_k/bias_v are (1, 1, embed_dim): one value per row of the in-projection built with them
_attention_bias_kv = _heads(_n(1, 8), _n(MIN_NUMEL, 256)).map(lambda t: {"embed_dim": t[1], "num_heads": t[0]})
_attention_kv = st.tuples(_heads(_n(1, 4), _n(64, 128)), _n(32, 256), _n(32, 256)).map(
    # kdim or vdim unequal to embed_dim: separate q/k/v projections
    lambda t: {"embed_dim": t[0][1], "num_heads": t[0][0], "kdim": t[1] + (t[1] == t[0][1]), "vdim": t[2]}
)
_features = _args(num_features=_n(1, 4096))
_normalized = _args(normalized_shape=_n(1, 4096))
_groups = st.tuples(_n(1, 16), _n(1, 256)).map(lambda t: {"num_groups": t[0], "num_channels": t[0] * t[1]})
_prelu = _args(num_parameters=_n(1, 512), init=st.floats(-1.0, 1.0, width=32))


def _transformer_args(param: str) -> tuple[st.SearchStrategy, dict]:
    """(drawn constructor arguments, the example) of a Transformer layer's parameter: each call builds the
    whole layer, so the dimension the parameter grows with is large and the others small (attention
    weights: a wide d_model and a narrow feed-forward layer; linear1's bias: the reverse). d_model is a
    multiple of nhead."""

    def layer(heads, width, feedforward):
        return st.tuples(heads, width, feedforward).map(
            lambda t: {"d_model": t[0] * max(1, t[1] // t[0]), "nhead": t[0], "dim_feedforward": t[2]}
        )

    if "attn" in param and param.endswith("weight"):
        return layer(_n(1, 4), _n(64, 128), _n(16, 256)), {"d_model": 128, "nhead": 4, "dim_feedforward": 64}
    if param.endswith("linear1.bias"):
        return layer(_n(1, 2), _n(4, 16), _n(LARGE, 4 * LARGE)), {"d_model": 16, "nhead": 2, "dim_feedforward": 8192}
    if param.endswith("weight") and "linear" in param:
        return layer(_n(1, 4), _n(8, 64), _n(256, 2048)), {"d_model": 64, "nhead": 4, "dim_feedforward": 1024}
    return layer(_n(1, 4), _n(8, 64), _n(16, 256)), {"d_model": 64, "nhead": 4, "dim_feedforward": 256}


_TRANSFORMER_EXTRA = {"num_encoder_layers": 1, "num_decoder_layers": 1}

_CONV = {1: nn.Conv1d, 2: nn.Conv2d, 3: nn.Conv3d}
_CONV_T = {1: nn.ConvTranspose1d, 2: nn.ConvTranspose2d, 3: nn.ConvTranspose3d}
_LAZY_CONV = {1: nn.LazyConv1d, 2: nn.LazyConv2d, 3: nn.LazyConv3d}
_NORMS = {
    "batch_norm1d": nn.BatchNorm1d,
    "batch_norm2d": nn.BatchNorm2d,
    "batch_norm3d": nn.BatchNorm3d,
    "instance_norm1d": nn.InstanceNorm1d,
    "instance_norm2d": nn.InstanceNorm2d,
    "instance_norm3d": nn.InstanceNorm3d,
    "sync_batch_norm": nn.SyncBatchNorm,
}
_RNN_PARAMS = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")
_CELL_PARAMS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
_ENCODER_PARAMS = (
    "self_attn.in_proj_weight",
    "self_attn.in_proj_bias",
    "self_attn.out_proj.weight",
    "self_attn.out_proj.bias",
    "linear1.weight",
    "linear1.bias",
    "linear2.weight",
    "norm1.weight",
    "norm2.bias",
)


def _for(param: str, weight: dict, bias: dict) -> dict:
    """The example of a weight or of a bias (a wide layer with few inputs: see LARGE)."""
    return bias if "bias" in param else weight


def _transformer_entry(layer: str, cls: type, param: str, **options) -> LayerParam:
    arguments, example = _transformer_args(param)
    return LayerParam(layer, cls, param, arguments, example, **options)


_CONV_BIAS = {"in_channels": 4, "out_channels": LARGE, "groups": 2}

PARAMS: dict[str, LayerParam] = {
    entry.name: entry
    for entry in [
        *[
            LayerParam(
                "linear",
                nn.Linear,
                p,
                _linear(p),
                _for(p, {"in_features": 300, "out_features": 128}, {"in_features": 30, "out_features": LARGE}),
            )
            for p in ("weight", "bias")
        ],
        *[
            LayerParam(
                "lazy_linear",
                nn.LazyLinear,
                p,
                _lazy_linear(p),
                _for(p, {"out_features": 128, INPUT_SHAPE: (1, 300)}, {"out_features": LARGE, INPUT_SHAPE: (1, 30)}),
            )
            for p in ("weight", "bias")
        ],
        *[
            LayerParam(
                "bilinear",
                nn.Bilinear,
                p,
                _bilinear(p),
                _for(
                    p,
                    {"in1_features": 20, "in2_features": 30, "out_features": 40},
                    {"in1_features": 4, "in2_features": 6, "out_features": LARGE},
                ),
            )
            for p in ("weight", "bias")
        ],
        *[
            LayerParam(
                f"conv{d}d",
                _CONV[d],
                p,
                _conv(d, p),
                _for(p, {"in_channels": 32, "out_channels": 64}, _CONV_BIAS) | {"kernel_size": (3,) * d},
            )
            for d in (1, 2, 3)
            for p in ("weight", "bias")
        ],
        *[
            LayerParam(
                f"conv_transpose{d}d",
                _CONV_T[d],
                p,
                _conv(d, p),
                _for(p, {"in_channels": 64, "out_channels": 32, "groups": 2}, _CONV_BIAS) | {"kernel_size": (3,) * d},
            )
            for d in (1, 2, 3)
            for p in ("weight", "bias")
        ],
        *[
            LayerParam(
                f"lazy_conv{d}d",
                _LAZY_CONV[d],
                p,
                _lazy_conv(d, p),
                {
                    "out_channels": _for(p, 64, LARGE),
                    "kernel_size": (3,) * d,
                    INPUT_SHAPE: (1, _for(p, 32, 4), *[3] * d),
                },
            )
            for d in (1, 2, 3)
            for p in ("weight", "bias")
        ],
        LayerParam("embedding", nn.Embedding, "weight", _embedding, {"num_embeddings": 1000, "embedding_dim": 64}),
        LayerParam(
            "embedding",
            nn.Embedding,
            PADDING_ROW,
            _padded,
            {"num_embeddings": 100, "embedding_dim": 64, "padding_idx": 0},
        ),
        LayerParam(
            "embedding_bag", nn.EmbeddingBag, "weight", _embedding, {"num_embeddings": 1000, "embedding_dim": 64}
        ),
        LayerParam(
            "embedding_bag",
            nn.EmbeddingBag,
            PADDING_ROW,
            _padded,
            {"num_embeddings": 100, "embedding_dim": 64, "padding_idx": 7},
        ),
        *[
            LayerParam(
                layer,
                cls,
                p,
                *(_recurrent_bias(cls) if "bias" in p else (_recurrent, {"input_size": 32, "hidden_size": 128})),
                min_numel=MIN_NUMEL if "bias" in p else LARGE,
            )
            for layer, cls in (
                ("rnn", nn.RNN),
                ("lstm", nn.LSTM),
                ("gru", nn.GRU),
                ("rnn_cell", nn.RNNCell),
                ("lstm_cell", nn.LSTMCell),
                ("gru_cell", nn.GRUCell),
            )
            for p in (_CELL_PARAMS if layer.endswith("_cell") else _RNN_PARAMS)
        ],
        *[
            LayerParam(
                "lstm",
                nn.LSTM,
                p,
                _projected,
                {"input_size": 16, "hidden_size": 128, "proj_size": 32, "num_layers": 2},
            )
            for p in ("weight_hr_l0", "weight_ih_l1")
        ],
        LayerParam(
            "gru",
            nn.GRU,
            "weight_hh_l0_reverse",
            _recurrent,
            {"input_size": 32, "hidden_size": 64},
            extra={"bidirectional": True},
        ),
        *[
            LayerParam("multihead_attention", nn.MultiheadAttention, p, _attention, {"embed_dim": 64, "num_heads": 4})
            for p in ("in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias")
        ],
        *[
            LayerParam(
                "multihead_attention_kv",
                nn.MultiheadAttention,
                p,
                _attention_kv,
                {"embed_dim": 128, "num_heads": 4, "kdim": 48, "vdim": 64},
            )
            for p in ("q_proj_weight", "k_proj_weight", "v_proj_weight")
        ],
        *[
            LayerParam(
                "multihead_attention_bias_kv",
                nn.MultiheadAttention,
                p,
                _attention_bias_kv,
                {"embed_dim": 128, "num_heads": 4},
                min_numel=MIN_NUMEL,  # (1, 1, embed_dim): a normal law, no bound check
                extra={"add_bias_kv": True},
            )
            for p in ("bias_k", "bias_v")
        ],
        *[
            LayerParam(
                layer, cls, p, _features, {"num_features": 64}, extra={"affine": True, "track_running_stats": True}
            )
            for layer, cls in _NORMS.items()
            for p in ("weight", "bias", "running_mean", "running_var")
        ],
        *[
            LayerParam("layer_norm", nn.LayerNorm, p, _normalized, {"normalized_shape": 768})
            for p in ("weight", "bias")
        ],
        *[
            LayerParam("group_norm", nn.GroupNorm, p, _groups, {"num_groups": 8, "num_channels": 64})
            for p in ("weight", "bias")
        ],
        LayerParam("rms_norm", nn.RMSNorm, "weight", _normalized, {"normalized_shape": 768}),
        LayerParam("prelu", nn.PReLU, "weight", _prelu, {"num_parameters": 1, "init": 0.25}),
        *[_transformer_entry("transformer_encoder_layer", nn.TransformerEncoderLayer, p) for p in _ENCODER_PARAMS],
        *[
            _transformer_entry("transformer_decoder_layer", nn.TransformerDecoderLayer, p)
            for p in ("multihead_attn.in_proj_weight", "multihead_attn.out_proj.bias", "linear1.bias", "norm3.weight")
        ],
        *[
            _transformer_entry("transformer", nn.Transformer, p, max_numel=1 << 17, extra=_TRANSFORMER_EXTRA)
            for p in (
                "encoder.layers.0.self_attn.in_proj_weight",
                "encoder.layers.0.linear1.weight",
                "encoder.layers.0.linear1.bias",
                "decoder.layers.0.self_attn.out_proj.weight",
                "decoder.norm.weight",
            )
        ],
    ]
}

LAYER_TABLE: dict[str, Spec] = {name: _spec(entry) for name, entry in PARAMS.items()}

#: torch.nn module types of the table that torch-layers holds to their defaults (the issue's list).
COVERED = frozenset(entry.module for entry in PARAMS.values())
