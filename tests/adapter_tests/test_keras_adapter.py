"""The Keras 3 adapter: Keras's initializers reach the suite with torch's layout, generator and dtypes.

Expected values are restated from Keras's documentation (https://keras.io/api/layers/initializers/):
GlorotUniform's limit sqrt(6 / (fan_in + fan_out)), LecunUniform's sqrt(3 / fan_in), fans of a Dense
kernel (in, out) and of a convolution kernel (*kernel, in, out), TruncatedNormal's cut at two standard
deviations, VarianceScaling's std "after truncation" sqrt(scale / n), and the seed promises of every random
initializer's ``seed`` argument. The last tests pin the causes of the ledgered deviations
(suite/ledgers/keras.initializers.toml) so that a Keras that changes them is noticed here, and run every
ledger entry's reproduction.
"""

import ast
import math
import os
import subprocess
import sys
import tomllib

import pytest
import torch

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras", reason="Keras is not installed (tox -e verify-keras installs it)")

from suite.adapters import keras_initializers as kx  # noqa: E402
from suite.engine import targets  # noqa: E402
from suite.engine.ledger import LEDGERS, Ledger  # noqa: E402
from tests.suite_tests.helpers import suite  # noqa: E402

LEDGER = LEDGERS / "keras.initializers.toml"


def _gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def _numpy(values):
    return keras.ops.convert_to_numpy(values)


def test_dense_fans_are_those_of_the_keras_kernel():
    """torch (out, in) is Keras's Dense kernel (in, out): LecunUniform's limit is sqrt(3 / in)."""
    out_features, in_features = 10, 1000
    tensor = torch.empty(out_features, in_features)
    kx.lecun_uniform_(tensor, generator=_gen(0))
    bound = math.sqrt(3.0 / in_features)
    assert tensor.abs().max() <= bound
    assert tensor.abs().max() > 0.99 * bound  # 10000 draws reach the top 1% of the interval


def test_convolution_fans_are_those_of_the_keras_kernel():
    """torch (out, in, k) is Keras's (k, in, out): fan_in = in * k, fan_out = out * k."""
    out_channels, in_channels, kernel = 20, 30, 3
    tensor = torch.empty(out_channels, in_channels, kernel)
    kx.xavier_uniform_(tensor, generator=_gen(0))
    bound = math.sqrt(6.0 / (in_channels * kernel + out_channels * kernel))
    assert tensor.abs().max() <= bound
    assert tensor.abs().max() > 0.99 * bound


def test_fills_in_place_and_honours_the_generator():
    first, second, other = (torch.empty(16, 8) for _ in range(3))
    state = torch.get_rng_state()
    assert kx.kaiming_uniform_(first, generator=_gen(3)) is first
    assert torch.equal(torch.get_rng_state(), state)  # the global RNG is left alone
    kx.kaiming_uniform_(second, generator=_gen(3))
    kx.kaiming_uniform_(other, generator=_gen(4))
    assert torch.equal(first, second) and not torch.equal(first, other)


def test_keras_seed_promises():
    """Keras documents: an initializer seeded with an integer or None "will produce the same random values
    across multiple calls"; "to get different random values across multiple calls, use as seed an instance
    of keras.random.SeedGenerator". The same int seed in two instances gives the same values."""
    shape = (64, 32)
    seeded = keras.initializers.GlorotNormal(seed=7)
    assert (_numpy(seeded(shape)) == _numpy(seeded(shape))).all()
    assert (_numpy(seeded(shape)) == _numpy(keras.initializers.GlorotNormal(seed=7)(shape))).all()
    assert not (_numpy(seeded(shape)) == _numpy(keras.initializers.GlorotNormal(seed=8)(shape))).all()
    unseeded = keras.initializers.RandomUniform()
    assert (_numpy(unseeded(shape)) == _numpy(unseeded(shape))).all()
    generated = keras.initializers.RandomNormal(seed=keras.random.SeedGenerator(3))
    assert not (_numpy(generated(shape)) == _numpy(generated(shape))).all()


def test_truncated_variance_scaling_has_the_claimed_std_after_truncation():
    """VarianceScaling: std "(after truncation, if used) sqrt(scale / n)"; the cut at 2 parent stds is
    2 / 0.87962566 = 2.2737 claimed stds. The jax backend is exact here; torch's leaks (ledgered)."""
    tensor = torch.empty(1000, 1000, dtype=torch.float64)
    kx.variance_scaling_(tensor, scale=2.0, mode="fan_in", generator=_gen(5))
    std = math.sqrt(2.0 / 1000)
    assert abs(tensor.std().item() / std - 1) < 0.005  # 1e6 draws: the std's relative error is about 0.0005
    inside = tensor.abs() <= 2 / 0.87962566103423978 * std * (1 + 1e-12)
    assert inside.float().mean() > 1 - 1e-4


def test_the_suites_normal_is_kerass_untruncated_normal():
    """The adapter maps distribution="normal" to Keras's "untruncated_normal" (Keras itself reads "normal"
    as "truncated_normal", keras/src/initializers/random_initializers.py)."""
    tensor = torch.empty(500, 400)
    kx.variance_scaling_(tensor, distribution="normal", generator=_gen(6))
    beyond = (tensor.abs() > 2.5 * math.sqrt(1 / 400)).float().mean().item()
    assert 0.008 < beyond < 0.017  # N(0, 1): P(|Z| > 2.5) = 0.0124; a truncated normal has none
    assert keras.initializers.VarianceScaling(distribution="normal").distribution == "truncated_normal"


def test_orthogonal_rows_of_the_torch_view():
    tensor = torch.empty(6, 4, 3, dtype=torch.float64)
    kx.orthogonal_(tensor, gain=2.0, generator=_gen(2))
    rows = tensor.view(6, -1)
    assert torch.allclose(rows @ rows.T, 4.0 * torch.eye(6, dtype=torch.float64), atol=1e-10)


def test_identity_of_a_non_square_kernel():
    tensor = torch.empty(3, 5)
    assert torch.equal(kx.eye_(tensor), torch.eye(3, 5))


def test_trunc_normal_refuses_bounds_keras_cannot_express():
    with pytest.raises(ValueError, match=r"^a, b: "):
        kx.trunc_normal_(torch.empty(4, 4), std=0.02)
    tensor = kx.trunc_normal_(torch.empty(100, 100), mean=1.0, std=0.5, a=0.0, b=2.0, generator=_gen(1))
    assert tensor.min() >= 0.0 and tensor.max() <= 2.0


def test_the_target_is_named_after_its_backend_and_shares_the_ledger():
    target = targets.load("keras.initializers")
    assert target.name == f"keras.initializers[{keras.backend.backend()}]"
    assert Ledger.for_target(target.name).path == str(LEDGER)
    assert target.function("glorot_uniform") is None and target.function("xavier_uniform_") is not None


@pytest.mark.skipif(keras.backend.backend() != "torch", reason="the torch backend's truncated normal")
def test_torch_backend_truncated_normal_leaves_its_bounds():
    """The ledgered DEFECT's cause: 4 candidates per value, the first kept when none lies in (-2, 2), so a
    fraction P(|Z| > 2)^4 = 4.3e-6 of the values lie beyond 2 std."""
    values = keras.random.truncated_normal((10_000_000,), seed=1)
    outside = int((values.abs() > 2).sum())
    assert 10 <= outside <= 100  # 43 expected; Keras documents 0


def test_every_ledger_entry_has_a_short_reproduction_that_runs():
    entries = tomllib.loads(LEDGER.read_text())["deviation"]
    for entry in entries:
        code = entry["reproduce"].strip()
        assert len(code.splitlines()) <= 5, entry["check"]
        ast.parse(code)
        if 'KERAS_BACKEND"] = "jax"' in code and not _installed("jax"):
            continue
        run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
        expected_error = code.splitlines()[-1].split("# ")[-1].split(":")[0].split(",")[0]
        assert run.returncode == 0 or expected_error in run.stderr, (entry["check"], run.stderr[-2000:])


def _installed(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


def test_verify_cli_through_the_adapter():
    result = suite(
        "verify", "--target", "keras.initializers", "--only", "orthogonal_,xavier_uniform_,ones_", "--budget", "quick"
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "Known deviations (suite/ledgers/keras.initializers.toml)" in result.stdout
