"""The torch-layers target: every torch.nn module type with parameters, its claims and its functions.

Expected values are restated here from torch's documentation (the "Variables" sections of
https://pytorch.org/docs/stable/nn.html, and ``_reset_parameters`` of nn.MultiheadAttention and
nn.Transformer), independently of suite/spec/torch_defaults.py, whose entries the target's claims are built
from. The last tests give the suite a module with another default and check that it is caught.
"""

import math

import pytest
import torch
from torch import nn

from suite.adapters import torch_layers
from suite.adapters.torch_layers import LayerDefaults
from suite.engine import targets, verification
from suite.spec import layers
from suite.spec.torch_defaults import TORCH_DEFAULTS
from tests.suite_tests.helpers import suite

LAYERS = LayerDefaults()


def _gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def _law(name: str, **arguments):
    entry = layers.PARAMS[name]
    return layers.LAYER_TABLE[name].claim(layers._call(entry, arguments))


def test_every_module_type_of_the_defaults_table_and_of_the_issue_is_covered():
    covered = {cls.__name__ for cls in layers.COVERED}
    assert {cls.__name__ for cls in TORCH_DEFAULTS} <= covered
    wanted = "Bilinear ConvTranspose1d ConvTranspose2d ConvTranspose3d LazyLinear LazyConv1d LazyConv2d LazyConv3d "
    wanted += "Embedding EmbeddingBag RNN LSTM GRU RNNCell LSTMCell GRUCell MultiheadAttention BatchNorm2d "
    wanted += "InstanceNorm2d GroupNorm LayerNorm RMSNorm PReLU TransformerEncoderLayer TransformerDecoderLayer"
    assert set(wanted.split()) <= covered


@pytest.mark.parametrize(
    ("name", "arguments", "bound"),
    [
        # nn.Linear: U(-sqrt(k), sqrt(k)), k = 1 / in_features (weight and bias)
        ("linear_weight_", {"in_features": 300, "out_features": 128}, 1 / math.sqrt(300)),
        ("linear_bias_", {"in_features": 300, "out_features": 128}, 1 / math.sqrt(300)),
        # nn.LazyLinear: a Linear once materialized (in_features from the input)
        ("lazy_linear_weight_", {"out_features": 64, "input_shape": (1, 48)}, 1 / math.sqrt(48)),
        # nn.Bilinear: k = 1 / in1_features
        ("bilinear_weight_", {"in1_features": 20, "in2_features": 30, "out_features": 40}, 1 / math.sqrt(20)),
        # nn.Conv2d: k = groups / (C_in * prod(kernel_size))
        (
            "conv2d_weight_",
            {"in_channels": 8, "out_channels": 6, "kernel_size": (3, 5), "groups": 2},
            math.sqrt(2 / 120),
        ),
        # nn.ConvTranspose2d: k = groups / (C_out * prod(kernel_size)): the transposed layout's fan
        (
            "conv_transpose2d_weight_",
            {"in_channels": 64, "out_channels": 32, "kernel_size": (3, 3), "groups": 2},
            math.sqrt(2 / (32 * 9)),
        ),
        (
            "conv_transpose1d_bias_",
            {"in_channels": 4, "out_channels": 130, "kernel_size": (5,), "groups": 1},
            math.sqrt(1 / 650),
        ),
        # RNN/LSTM/GRU and cells: U(-sqrt(k), sqrt(k)), k = 1 / hidden_size, every weight and bias
        ("lstm_weight_hh_l0_", {"input_size": 10, "hidden_size": 40}, 1 / math.sqrt(40)),
        ("gru_cell_bias_ih_", {"input_size": 10, "hidden_size": 200}, 1 / math.sqrt(200)),
        (
            "lstm_weight_hr_l0_",
            {"input_size": 10, "hidden_size": 40, "proj_size": 8, "num_layers": 2},
            1 / math.sqrt(40),
        ),
        # nn.MultiheadAttention: xavier_uniform_ on the packed (3E, E) in-projection: sqrt(6 / (E + 3E))
        ("multihead_attention_in_proj_weight_", {"embed_dim": 64, "num_heads": 4}, math.sqrt(6 / (4 * 64))),
        # ... and on separate q/k/v weights: k_proj (E, kdim)
        (
            "multihead_attention_kv_k_proj_weight_",
            {"embed_dim": 64, "num_heads": 4, "kdim": 16, "vdim": 24},
            math.sqrt(6 / (64 + 16)),
        ),
        # its out_proj is a Linear: its weight keeps Linear's default
        ("multihead_attention_out_proj_weight_", {"embed_dim": 64, "num_heads": 4}, 1 / 8),
        # TransformerEncoderLayer: its submodules' defaults (linear1 is a Linear(d_model, dim_feedforward))
        (
            "transformer_encoder_layer_linear1_weight_",
            {"d_model": 32, "nhead": 2, "dim_feedforward": 256},
            1 / math.sqrt(32),
        ),
        # nn.Transformer: xavier_uniform_ on every parameter with dim > 1 ...
        (
            "transformer_encoder_layers_0_linear1_weight_",
            {"d_model": 32, "nhead": 2, "dim_feedforward": 256},
            math.sqrt(6 / (32 + 256)),
        ),
        # ... the 1-D ones keep their module's default
        (
            "transformer_encoder_layers_0_linear1_bias_",
            {"d_model": 32, "nhead": 2, "dim_feedforward": 256},
            1 / math.sqrt(32),
        ),
    ],
)
def test_uniform_defaults_have_the_documented_bounds(name, arguments, bound):
    low, high = _law(name, **arguments).marginal.support
    assert math.isclose(high, bound, rel_tol=1e-9) and math.isclose(low, -bound, rel_tol=1e-9)


@pytest.mark.parametrize(
    ("name", "arguments", "std"),
    [
        ("embedding_weight_", {"num_embeddings": 100, "embedding_dim": 16}, 1.0),  # N(0, 1)
        ("embedding_bag_weight_", {"num_embeddings": 100, "embedding_dim": 16}, 1.0),
        # bias_k (1, 1, E): xavier_normal_, fans (E, E): std sqrt(2 / 2E)
        ("multihead_attention_bias_kv_bias_k_", {"embed_dim": 64, "num_heads": 4}, 1 / 8),
    ],
)
def test_normal_defaults_have_the_documented_std(name, arguments, std):
    law = _law(name, **arguments).marginal
    assert law.family == "normal" and law.mean == 0 and math.isclose(law.std, std, rel_tol=1e-9)


@pytest.mark.parametrize(
    ("name", "arguments", "value"),
    [
        ("embedding_weight_padding_row_", {"num_embeddings": 10, "embedding_dim": 4, "padding_idx": 3}, 0.0),
        ("multihead_attention_in_proj_bias_", {"embed_dim": 8, "num_heads": 2}, 0.0),
        ("multihead_attention_out_proj_bias_", {"embed_dim": 8, "num_heads": 2}, 0.0),
        ("batch_norm2d_weight_", {"num_features": 5}, 1.0),
        ("batch_norm2d_running_var_", {"num_features": 5}, 1.0),
        ("instance_norm1d_bias_", {"num_features": 5}, 0.0),
        ("group_norm_weight_", {"num_groups": 2, "num_channels": 6}, 1.0),
        ("layer_norm_bias_", {"normalized_shape": 7}, 0.0),
        ("rms_norm_weight_", {"normalized_shape": 7}, 1.0),
        ("prelu_weight_", {"num_parameters": 1, "init": 0.25}, 0.25),  # nn.PReLU: "initialized to 0.25"
        ("prelu_weight_", {"num_parameters": 3, "init": 0.5}, 0.5),
        ("transformer_decoder_layer_norm3_weight_", {"d_model": 8, "nhead": 2, "dim_feedforward": 1024}, 1.0),
    ],
)
def test_constant_defaults_are_exact(name, arguments, value):
    claim = _law(name, **arguments)
    shape = layers.shape_of(layers.PARAMS[name], arguments)
    assert claim.exact is not None and (claim.exact(shape) == value).all()
    filled = getattr(LAYERS, name)(torch.full(shape, float("nan")), generator=_gen(0), **arguments)
    assert (filled == value).all()


def test_the_functions_fill_a_fresh_modules_parameter_replayably():
    arguments = {"input_size": 12, "hidden_size": 30}
    first, second, other = (torch.empty(120, 30) for _ in range(3))
    state = torch.get_rng_state()
    LAYERS.lstm_weight_hh_l0_(first, generator=_gen(5), **arguments)
    assert torch.equal(torch.get_rng_state(), state)  # a given generator leaves the global RNG alone
    LAYERS.lstm_weight_hh_l0_(second, generator=_gen(5), **arguments)
    LAYERS.lstm_weight_hh_l0_(other, generator=_gen(6), **arguments)
    assert torch.equal(first, second) and not torch.equal(first, other)
    assert first.abs().max() <= 1 / math.sqrt(30) and first.abs().max() > 0.9 / math.sqrt(30)


def test_a_tensor_of_the_wrong_shape_is_a_value_error_naming_it():
    with pytest.raises(ValueError, match=r"^tensor: "):
        LAYERS.linear_weight_(torch.empty(3, 4), in_features=5, out_features=3)
    with pytest.raises(AttributeError):
        LAYERS.no_such_layer_weight_  # noqa: B018


def test_the_target_loads_with_its_own_table():
    target = targets.load("torch-layers")
    assert target.kind == "layers" and set(verification.known_names(target)) == set(layers.LAYER_TABLE)


class _NormalLinear(nn.Linear):
    """torch's habit elsewhere: N(0, 1/fan_in) instead of Linear's documented U(+-1/sqrt(fan_in))."""

    def reset_parameters(self):
        nn.init.normal_(self.weight, std=1 / math.sqrt(self.in_features))
        nn.init.zeros_(self.bias)


class _WrongFanTranspose(nn.ConvTranspose2d):
    """A transposed convolution initialised with the fan of the forward layout (C_in instead of C_out)."""

    def reset_parameters(self):
        bound = 1 / math.sqrt(self.weight.shape[0] * math.prod(self.kernel_size) / self.groups)
        nn.init.uniform_(self.weight, -bound, bound)


@pytest.mark.slow  # a quick verification each (tox -e verify-torch-layers runs them)
@pytest.mark.parametrize(
    ("name", "module"), [("linear_weight_", _NormalLinear), ("conv_transpose2d_weight_", _WrongFanTranspose)]
)
def test_a_module_with_another_default_is_caught(monkeypatch, name, module):
    import dataclasses

    monkeypatch.setitem(layers.PARAMS, name, dataclasses.replace(layers.PARAMS[name], module=module))
    outcome = verification.verify(targets.load("torch-layers"), only=[name], budget="quick")
    assert outcome.failed, f"{name}: a wrong default passed"


@pytest.mark.slow
def test_verify_cli_on_torch_layers():
    only = "linear_bias_,lstm_weight_hh_l0_,multihead_attention_in_proj_weight_,embedding_weight_padding_row_,"
    only += "batch_norm2d_running_var_,prelu_weight_,conv_transpose3d_weight_"
    result = suite("verify", "--target", "torch-layers", "--only", only, "--budget", "quick")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


@pytest.mark.parametrize("budget", ["quick", "default"])
def test_every_bound_check_reaches_its_rare_event_sample_within_the_call_cap(budget):
    """Each call builds a module, so a bound check (suite.engine.rare) must reach its n values within the
    budget's cap of further calls for the fixed call and for any drawn call (at least ``min_numel`` values):
    n = ceil(ln(0.01) / ln(1 - r)), 4,605,168 at r = 1e-6 (default), 460,515 at r = 1e-5 (quick)."""
    from suite.engine import rare
    from suite.stats.budget import BUDGETS

    plan = BUDGETS[budget]
    needed = rare.values_needed(plan.rare_rate)
    assert needed == {"quick": 460_515, "default": 4_605_168}[budget]
    bounded = 0
    for name, entry in layers.PARAMS.items():
        spec = layers.LAYER_TABLE[name]
        example = spec.fixed[0]
        law = spec.claim(example).marginal
        if not spec.random or law is None or not law.bounded:
            continue
        bounded += 1
        assert example.numel * plan.rare_calls >= needed, f"{name}: its fixed call of {example.numel} values"
        assert entry.min_numel * plan.rare_calls >= needed, f"{name}: drawn calls of {entry.min_numel} values"
    assert bounded >= 60  # the uniform defaults of Linear, Conv, RNN, attention, Transformer layers


_RESET = [name for name, entry in layers.PARAMS.items() if issubclass(entry.module, torch_layers.RESET_IS_CONSTRUCTION)]


@pytest.mark.parametrize("name", _RESET)
def test_a_module_reinitialized_by_reset_parameters_gives_a_fresh_modules_values_bit_for_bit(name):
    """The adapter builds a module of these types once per arguments and re-initializes it on later calls
    (their construction draws nothing but reset_parameters()): the values must be a fresh module's."""
    entry = layers.PARAMS[name]
    shape = layers.shape_of(entry, entry.example)
    fill = getattr(LAYERS, name)
    torch_layers._BUILT.clear()
    fill(torch.empty(shape), generator=_gen(1), **entry.example)  # built, then kept
    assert len(torch_layers._BUILT) == 1, f"{name}: its module was not kept (the test would compare two builds)"
    reset = fill(torch.empty(shape), generator=_gen(2), **entry.example)
    torch_layers._BUILT.clear()
    fresh = fill(torch.empty(shape), generator=_gen(2), **entry.example)
    assert torch.equal(reset, fresh), f"{name}: reset_parameters() drew other values than a fresh module"
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(int(torch.randint(0, 2**62, (1,), generator=_gen(2))))  # the adapter's seeding
        direct = layers.tensor_of(layers.build(entry, entry.example), entry.param)  # torch's own module
    assert torch.equal(fresh, direct.detach())


def test_only_modules_whose_construction_is_reset_parameters_are_reinitialized():
    """nn.MultiheadAttention's _reset_parameters leaves out_proj.weight alone, and the Transformer layers
    draw in their submodules' constructors: those are built anew on every call."""
    kept = {layers.PARAMS[name].module for name in _RESET}
    assert nn.MultiheadAttention not in kept and nn.TransformerEncoderLayer not in kept
    assert {nn.Linear, nn.Conv2d, nn.LazyConv3d, nn.Embedding, nn.LSTM, nn.GRUCell} <= kept
