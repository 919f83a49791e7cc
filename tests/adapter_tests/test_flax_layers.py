"""The flax-layers target: fresh Flax layers' parameters against Flax's documented defaults.

Expected values are restated from Flax's and JAX's documentation (the module docstring of
suite/adapters/flax_layers.py cites them): lecun_normal kernels (variance 1 / fan_in, cut at +-2 parent
stds), Embed's N(0, 1 / features), orthogonal recurrent kernels, zero biases, unit scales. The last tests
give the suite a layer with another default and check that it is caught, so the table has teeth.
"""

import math

import numpy as np
import pytest
import torch

pytest.importorskip("flax", reason="Flax is not installed (tox -e verify-flax installs it)")

from flax import linen as nn

from suite.adapters import flax_layers as fx
from suite.engine import targets, verification
from tests.suite_tests.helpers import suite

LAYERS = fx.FlaxLayerDefaults()


def _gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def test_dense_kernel_is_lecun_normal_of_its_input_size():
    fan_in, out = 300, 200
    kernel = LAYERS.dense_kernel_(torch.empty(fan_in, out, dtype=torch.float64), generator=_gen(0))
    std = math.sqrt(1 / fan_in)
    assert abs(kernel.std().item() / std - 1) < 0.02  # 60000 draws: relative error about 0.003
    assert kernel.abs().max() <= 2 / 0.87962566103423978 * std * (1 + 1e-6)  # truncated at 2 parent stds


def test_attention_output_kernel_fan_in_is_heads_times_head_dim():
    heads, head_dim, out = 4, 16, 512
    kernel = LAYERS.attention_out_kernel_(torch.empty(heads, head_dim, out), generator=_gen(1))
    assert abs(kernel.std().item() / math.sqrt(1 / (heads * head_dim)) - 1) < 0.02


def test_embed_is_unit_variance_over_features():
    embedding = LAYERS.embed_embedding_(torch.empty(1000, 64), generator=_gen(2))
    assert abs(embedding.std().item() * math.sqrt(64) - 1) < 0.02
    assert embedding.abs().max() > 3 / math.sqrt(64)  # untruncated: 64000 normals reach 3 std


def test_recurrent_kernel_is_orthogonal_and_biases_zero_and_forget_bias_one():
    kernel = LAYERS.lstm_recurrent_kernel_(torch.empty(32, 32, dtype=torch.float64), generator=_gen(3))
    assert torch.allclose(kernel @ kernel.T, torch.eye(32, dtype=torch.float64), atol=1e-5)
    assert torch.equal(LAYERS.gru_bias_(torch.ones(7)), torch.zeros(7))
    assert torch.equal(LAYERS.mgu_forget_bias_(torch.zeros(7)), torch.ones(7))


def test_the_generator_replays_and_leaves_the_global_rng_alone():
    first, second, other = (torch.empty(20, 30) for _ in range(3))
    state = torch.get_rng_state()
    LAYERS.dense_kernel_(first, generator=_gen(5))
    assert torch.equal(torch.get_rng_state(), state)
    LAYERS.dense_kernel_(second, generator=_gen(5))
    LAYERS.dense_kernel_(other, generator=_gen(6))
    assert torch.equal(first, second) and not torch.equal(first, other)


def test_the_target_loads_with_its_own_table():
    target = targets.load("flax-layers")
    assert target.kind == "flax-layers" and set(verification.known_names(target)) == set(fx.LAYER_TABLE)
    assert set(fx.LAYER_TABLE) <= set(fx.PARAMS)


@pytest.mark.parametrize(
    ("name", "wrong"),
    [
        # torch's habit: an untruncated normal of the same variance instead of lecun_normal
        ("dense_kernel_", lambda s: (nn.Dense(s[1], kernel_init=nn.initializers.normal(1 / np.sqrt(s[0]))), (1, s[0]))),
        # Embed without out_axis=0: fan_in would be num_embeddings instead of features
        (
            "embed_embedding_",
            lambda s: (nn.Embed(s[0], s[1], embedding_init=nn.initializers.normal(1 / np.sqrt(s[0]))), None),
        ),
    ],
)
def test_a_layer_with_another_default_is_caught(monkeypatch, name, wrong):
    monkeypatch.setitem(fx.PARAMS, name, fx.Param(wrong, fx.PARAMS[name].path))
    fx._initializer.cache_clear()
    try:
        outcome = verification.verify(targets.load("flax-layers"), only=[name], budget="quick")
    finally:
        fx._initializer.cache_clear()
    assert outcome.failed, f"{name}: a wrong default passed"


def test_verify_cli_on_flax_layers():
    only = "dense_kernel_,embed_embedding_,gru_recurrent_kernel_,layer_norm_scale_,mgu_forget_bias_"
    result = suite("verify", "--target", "flax-layers", "--only", only, "--budget", "quick")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
