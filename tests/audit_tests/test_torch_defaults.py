"""The torch defaults table against torch itself: a model made of every torch.nn module type with
parameters passes an audit without a spec, and the resolved laws state the documented bounds."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from suite.audit import audit, output
from suite.audit.laws import resolve
from suite.audit.params import collect
from suite.spec.torch_defaults import TORCH_DEFAULTS


def zoo() -> nn.Module:
    """One module of every type in the issue's list (torch.nn with parameters)."""
    return nn.ModuleDict(
        {
            "linear": nn.Linear(96, 80),
            "bilinear": nn.Bilinear(20, 30, 40),
            "conv1d": nn.Conv1d(12, 24, 5),
            "conv2d": nn.Conv2d(8, 16, 3, groups=2),
            "conv3d": nn.Conv3d(4, 8, 3),
            "convt1d": nn.ConvTranspose1d(24, 12, 5),
            "convt2d": nn.ConvTranspose2d(16, 8, 3, groups=2),
            "convt3d": nn.ConvTranspose3d(8, 4, 3),
            "embedding": nn.Embedding(300, 32, padding_idx=0),
            "bag": nn.EmbeddingBag(200, 16),
            "rnn": nn.RNN(16, 32),
            "lstm": nn.LSTM(16, 32, num_layers=2, proj_size=8),
            "gru": nn.GRU(16, 32, bidirectional=True),
            "rnncell": nn.RNNCell(16, 48),
            "lstmcell": nn.LSTMCell(16, 48),
            "grucell": nn.GRUCell(16, 48),
            "mha": nn.MultiheadAttention(64, 4, add_bias_kv=True),
            "mha_kdim": nn.MultiheadAttention(32, 2, kdim=16, vdim=24),
            "bn": nn.BatchNorm2d(16),
            "ln": nn.LayerNorm(64),
            "gn": nn.GroupNorm(4, 16),
            "inorm": nn.InstanceNorm1d(16, affine=True, track_running_stats=True),
            "rms": nn.RMSNorm(64),
            "prelu": nn.PReLU(8, init=0.1),
            "encoder": nn.TransformerEncoderLayer(32, 4, dim_feedforward=64),
            "transformer": nn.Transformer(32, 2, 1, 1, dim_feedforward=48, batch_first=True),
        }
    )


@pytest.mark.slow
def test_every_documented_default_holds_in_torch():
    result = audit(zoo, None, seed=0, budget="quick")
    assert result.exit_code == 0, output.summary(result)
    assert not [r.name for r in result.params if r.status == "no-law"]


def test_the_table_covers_the_issues_list():
    names = {cls.__name__ for cls in TORCH_DEFAULTS}
    wanted = "Linear Bilinear Conv1d Conv2d Conv3d ConvTranspose1d ConvTranspose2d ConvTranspose3d Embedding "
    wanted += "EmbeddingBag RNN LSTM GRU RNNCell LSTMCell GRUCell MultiheadAttention BatchNorm1d BatchNorm2d "
    wanted += "BatchNorm3d LayerNorm GroupNorm InstanceNorm1d InstanceNorm2d InstanceNorm3d RMSNorm PReLU Transformer"
    assert set(wanted.split()) <= names


def _support(model: nn.Module, name: str) -> tuple[float, float]:
    params = collect(model)
    law = resolve(params, None)[name]
    return law.claim(next(p for p in params if p.name == name)).marginal.support


@pytest.mark.parametrize(
    ("module", "name", "k"),
    [
        # torch.nn.Linear docs: U(-sqrt(k), sqrt(k)), k = 1 / in_features
        (nn.Linear(96, 80), "weight", 1 / 96),
        (nn.Linear(96, 80), "bias", 1 / 96),
        # torch.nn.ConvTranspose2d docs: k = groups / (C_out * prod(kernel_size))
        (nn.ConvTranspose2d(16, 8, 3, groups=2), "weight", 2 / (8 * 9)),
        (nn.ConvTranspose2d(16, 8, 3, groups=2), "bias", 2 / (8 * 9)),
        # torch.nn.Conv2d docs: k = groups / (C_in * prod(kernel_size))
        (nn.Conv2d(8, 16, 3, groups=2), "weight", 2 / (8 * 9)),
        # torch.nn.Bilinear docs: k = 1 / in1_features
        (nn.Bilinear(20, 30, 40), "weight", 1 / 20),
        # torch.nn.LSTM docs: k = 1 / hidden_size
        (nn.LSTM(16, 32), "weight_hh_l0", 1 / 32),
    ],
)
def test_bounds_are_the_documented_ones(module, name, k):
    low, high = _support(module, name)
    assert (low, high) == pytest.approx((-math.sqrt(k), math.sqrt(k)), rel=1e-12)


def test_outer_module_resets_win():
    laws = resolve(collect(nn.MultiheadAttention(8, 2)), None)
    assert laws["out_proj.bias"].text == "zeros_()"  # MultiheadAttention._reset_parameters
    assert laws["out_proj.weight"].text == "kaiming_uniform_(a=sqrt(5))"  # a Linear's own default
    laws = resolve(collect(nn.Transformer(8, 2, 1, 1, 16, batch_first=True)), None)
    assert laws["encoder.layers.0.linear1.weight"].text == "xavier_uniform_()"  # every matrix of nn.Transformer
    assert laws["encoder.layers.0.linear1.bias"].text.startswith("uniform_")


def test_a_subclass_with_its_own_reset_has_no_documented_default():
    class Custom(nn.Linear):
        def reset_parameters(self):
            nn.init.zeros_(self.weight)

    laws = resolve(collect(Custom(4, 4)), None)
    assert laws["weight"].kind == "none"


@pytest.mark.slow
def test_a_wrong_default_fails():
    def wrong():
        model = zoo()
        nn.init.xavier_uniform_(model["linear"].weight)
        with torch.no_grad():
            model["embedding"].weight[0] = 1.0
        return model

    result = audit(wrong, None, seed=0, budget="quick", builds=1)
    failed = {r.name for r in result.params if r.status == "fail"}
    assert failed == {"linear.weight", "embedding.weight"}


@pytest.mark.slow
def test_transformer_encoder_clones_are_flagged_identical():
    """nn.TransformerEncoder deep-copies its layer (pytorch/pytorch#86274, #72253): every layer starts
    from the same values. The audit's between-parameter check reports it, naming both parameters."""

    def encoder():
        layer = nn.TransformerEncoderLayer(32, 4, 64, batch_first=True)
        return nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)

    result = audit(encoder, None, seed=0, budget="quick", builds=1)
    report = next(r for r in result.params if r.name == "layers.0.linear1.weight")
    failed = [v for v in report.verdicts if v.status == "fail"]
    assert [v.check for v in failed] == ["independence.between_parameters"]
    assert "identical values between layers.0.linear1.weight and layers.1.linear1.weight" in failed[0].measured
