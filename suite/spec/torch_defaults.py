"""The one table of torch.nn modules' documented parameter defaults (PyTorch 2.13).

Keyed by module type, then by parameter (or buffer) name relative to that module (fnmatch patterns:
``"*"`` is every parameter of an RNN), each entry gives the initializer call its ``reset_parameters``
makes, written in the spec language of ``python -m suite audit``. Variables in a call: ``fan_in`` and
``fan_out`` of the tensor named by ``fan_of`` (the parameter itself when None), computed as torch's
``_calculate_fan_in_and_fan_out`` does (size(1) * receptive field, size(0) * receptive field; no special
case for groups or transposed convolutions, so a ConvTranspose weight (in, out/groups, *k) has
fan_in = out/groups * prod(k)), and the module attributes listed in ``attributes``.

Sources: the "Variables" sections of each class's documentation at
https://pytorch.org/docs/stable/nn.html (torch.nn.Linear: "initialized from U(-sqrt(k), sqrt(k)),
k = 1/in_features"; Conv*d / ConvTranspose*d: "k = groups / (C_in * prod(kernel_size))" with
C_in the weight's size(1) * groups; Bilinear: "k = 1/in1_features"; Embedding: "initialized from
N(0, 1)", the padding_idx row all zeros; RNN/LSTM/GRU and cells: "U(-sqrt(k), sqrt(k)), k = 1/hidden_size";
BatchNorm/InstanceNorm/LayerNorm/GroupNorm/RMSNorm: weight 1, bias 0, running_mean 0, running_var 1;
PReLU: "initialized to init (0.25)"; MultiheadAttention and Transformer: their ``_reset_parameters``,
xavier_uniform_ on the packed projections (every parameter with dim > 1 for nn.Transformer), biases 0,
bias_k/bias_v xavier_normal_; out_proj is a Linear and keeps Linear's weight default).

The table is data; ``suite.audit.laws`` turns an entry into a claim for a given tensor.
"""

from __future__ import annotations

from dataclasses import dataclass

from torch import nn


@dataclass(frozen=True)
class Default:
    """One documented default: ``call`` in the spec language (initializer name and keyword arguments)."""

    call: str
    fan_of: str | None = None  # the tensor (relative name) whose fans the call uses; None: the parameter
    attributes: tuple[str, ...] = ()  # module attributes the call uses as variables
    min_dim: int = 0  # applies only to tensors with at least this many dimensions
    zero_row: str | None = None  # module attribute naming a row that is zero instead (Embedding's padding_idx)


_FAN_IN_BOUND = "uniform_(a=-1/sqrt(fan_in), b=1/sqrt(fan_in))"
_LINEAR = {
    "weight": Default("kaiming_uniform_(a=sqrt(5))"),
    "bias": Default(_FAN_IN_BOUND, fan_of="weight"),
}
_BILINEAR_BOUND = Default("uniform_(a=-1/sqrt(in1_features), b=1/sqrt(in1_features))", attributes=("in1_features",))
_EMBEDDING = {"weight": Default("normal_(mean=0, std=1)", zero_row="padding_idx")}
_RECURRENT = {"*": Default("uniform_(a=-1/sqrt(hidden_size), b=1/sqrt(hidden_size))", attributes=("hidden_size",))}
_AFFINE = {"weight": Default("ones_()"), "bias": Default("zeros_()")}
_RUNNING = {
    **_AFFINE,
    "running_mean": Default("zeros_()"),
    "running_var": Default("ones_()"),
    "num_batches_tracked": Default("zeros_()"),
}

TORCH_DEFAULTS: dict[type, dict[str, Default]] = {
    nn.Linear: _LINEAR,
    nn.Bilinear: {"weight": _BILINEAR_BOUND, "bias": _BILINEAR_BOUND},
    **{conv: _LINEAR for conv in (nn.Conv1d, nn.Conv2d, nn.Conv3d)},
    **{conv: _LINEAR for conv in (nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d)},
    nn.Embedding: _EMBEDDING,
    nn.EmbeddingBag: _EMBEDDING,
    **{rnn: _RECURRENT for rnn in (nn.RNN, nn.LSTM, nn.GRU, nn.RNNCell, nn.LSTMCell, nn.GRUCell)},
    nn.MultiheadAttention: {
        **{name: Default("xavier_uniform_()") for name in ("in_proj_weight", "q_proj_weight", "k_proj_weight")},
        "v_proj_weight": Default("xavier_uniform_()"),
        "in_proj_bias": Default("zeros_()"),
        "out_proj.bias": Default("zeros_()"),
        "bias_k": Default("xavier_normal_()"),
        "bias_v": Default("xavier_normal_()"),
    },
    **{norm: _RUNNING for norm in (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d, nn.SyncBatchNorm)},
    **{norm: _RUNNING for norm in (nn.InstanceNorm1d, nn.InstanceNorm2d, nn.InstanceNorm3d)},
    nn.LayerNorm: _AFFINE,
    nn.GroupNorm: _AFFINE,
    nn.RMSNorm: {"weight": Default("ones_()")},
    nn.PReLU: {"weight": Default("constant_(val=init)", attributes=("init",))},
    nn.Transformer: {"*": Default("xavier_uniform_()", min_dim=2)},
}
