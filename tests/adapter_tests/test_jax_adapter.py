"""The JAX adapter: JAX's initializers reach the suite with torch's layout, generator and dtypes.

Expected values are restated from JAX's documented definitions (fans in the layout (*kernel, in, out),
glorot_uniform's bound sqrt(6 / (fan_in + fan_out))), never taken from the adapter. The last tests pin
the causes of the ledgered deviations (suite/ledgers/jax.nn.initializers.toml), so that a JAX that
changes them is noticed here.
"""

import math

import pytest
import torch

pytest.importorskip("jax", reason="JAX is not installed (tox -e verify-jax installs it)")

from suite.adapters import jax_initializers as jx
from tests.suite_tests.helpers import suite


def _gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def test_fans_are_those_of_the_torch_layout():
    out_channels, in_channels, kernel = 20, 30, 3
    tensor = torch.empty(out_channels, in_channels, kernel)
    jx.xavier_uniform_(tensor, generator=_gen(0))
    bound = math.sqrt(6.0 / (in_channels * kernel + out_channels * kernel))
    assert tensor.abs().max() <= bound
    assert tensor.abs().max() > 0.99 * bound  # 1800 draws reach the top 1% of the interval


def test_fills_in_place_and_honours_the_generator():
    first, second, other = (torch.empty(16, 8) for _ in range(3))
    state = torch.get_rng_state()
    assert jx.kaiming_normal_(first, generator=_gen(3)) is first
    assert torch.equal(torch.get_rng_state(), state)  # the global RNG is left alone
    jx.kaiming_normal_(second, generator=_gen(3))
    jx.kaiming_normal_(other, generator=_gen(4))
    assert torch.equal(first, second) and not torch.equal(first, other)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float32, torch.float64])
def test_every_floating_dtype_is_drawn_in_that_dtype(dtype):
    tensor = torch.empty(64, 64, dtype=dtype)
    jx.normal_(tensor, generator=_gen(1))
    assert tensor.dtype == dtype and torch.isfinite(tensor).all()
    if dtype == torch.float64:  # 64-bit mode on: not float32 draws widened
        assert (tensor.float().double() != tensor).any()


def test_orthogonal_rows_of_the_torch_view():
    tensor = torch.empty(6, 4, 3, dtype=torch.float64)
    jx.orthogonal_(tensor, gain=2.0, generator=_gen(2))
    rows = tensor.view(6, -1)
    assert torch.allclose(rows @ rows.T, 4.0 * torch.eye(6, dtype=torch.float64), atol=1e-12)


def test_delta_orthogonal_centre_is_jax_convention():
    """JAX's centre tap is (k - 1) // 2; torch's dirac_ and initlib use k // 2 (ledgered)."""
    tensor = torch.empty(5, 3, 4, 3, dtype=torch.float64)
    jx.delta_orthogonal_(tensor, generator=_gen(5))
    taps = tensor.abs().sum(dim=(0, 1))
    assert taps.nonzero().tolist() == [[(4 - 1) // 2, (3 - 1) // 2]]


def test_half_precision_uniform_has_as_many_values_as_mantissa_steps():
    """The ledgered cause: bfloat16 uniforms take 128 values, 0 included, 1 - 2^-7 the largest."""
    tensor = torch.empty(200_000, dtype=torch.bfloat16)
    jx.uniform_(tensor, generator=_gen(6))
    values = tensor.float().unique()
    assert len(values) == 128 and values.min() == 0 and values.max() == 1 - 2**-7


def test_verify_cli_through_the_adapter():
    result = suite(
        "verify", "--target", "jax.nn.initializers", "--only", "orthogonal_,xavier_uniform_", "--budget", "quick"
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "Known deviations (suite/ledgers/jax.nn.initializers.toml)" in result.stdout


def _normal_cdf(x: float) -> float:
    return 0.5 * math.erfc(-x / math.sqrt(2))


def test_truncated_normal_far_tail_in_float32_is_heavier_than_the_law():
    """The ledgered cause (trunc_normal_ on [-8, -4]): jax.random.truncated_normal inverts erf in float32,
    where erf(-8 / sqrt 2) rounds to -1, so the values below -6 are far more than the law's share. The
    law's share is (Phi(-6) - Phi(-8)) / (Phi(-4) - Phi(-8)) = 3.1e-5 (31 of the 1,000,000 values
    expected); JAX puts about 15 times that there. If this fails, JAX changed and the ledger entry is stale."""
    import jax
    import jax.numpy as jnp
    import numpy as np

    share = (_normal_cdf(-6) - _normal_cdf(-8)) / (_normal_cdf(-4) - _normal_cdf(-8))
    assert 3.0e-5 < share < 3.2e-5
    assert np.float32(math.erf(-8 / math.sqrt(2))) == -1.0  # 1 - erf(8 / sqrt 2) ~ 1e-15, under float32's 2^-24
    n = 1_000_000
    x = np.asarray(jax.random.truncated_normal(jax.random.key(0), -8.0, -4.0, (n,), dtype=jnp.float32))
    assert x.min() >= -8 and x.max() <= -4
    below = int((x <= -6).sum())
    # under the law the count is Poisson(31): P(count >= 10 * 31) is below 1e-200; JAX gives about 460
    assert below >= 10 * share * n, f"{below} of {n} below -6: JAX now follows the law; the ledger entry is stale"
