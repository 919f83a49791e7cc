"""Exact, deterministic properties: orthogonality, Dirac identity convolution, sparse zero counts,
delta-orthogonal norm preservation, fans, truncation bounds, agreement with torch where torch is
deterministic. (Distributional claims are the suite's job.)"""

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

import initlib

from .helpers import DTYPES, seeded

seeds = st.integers(min_value=0, max_value=2**32 - 1)
CONV = {3: F.conv1d, 4: F.conv2d, 5: F.conv3d}


def orthogonality_tolerance(dtype: torch.dtype, n: int) -> float:
    """Rounding every entry of an exactly orthogonal matrix to ``dtype`` moves W W^T by at most about
    eps(dtype); the QR itself (float32, or float64 for float64) adds O(eps * sqrt(n))."""
    compute = torch.float64 if dtype == torch.float64 else torch.float32
    return 2 * torch.finfo(dtype).eps + 20 * torch.finfo(compute).eps * math.sqrt(n)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@given(
    rows=st.integers(1, 48),
    cols=st.integers(1, 48),
    kernel=st.sampled_from([(), (1,), (3,), (2, 2)]),
    gain=st.sampled_from([1.0, 0.5, math.sqrt(2)]),
    seed=seeds,
)
def test_orthogonal_rows_or_columns_to_dtype_tolerance(dtype, rows, cols, kernel, gain, seed):
    tensor = torch.empty(rows, cols, *kernel, dtype=dtype)
    initlib.orthogonal_(tensor, gain=gain, generator=seeded(seed))
    w = tensor.reshape(rows, -1).double() / gain
    gram = w @ w.T if w.shape[0] <= w.shape[1] else w.T @ w
    error = (gram - torch.eye(gram.shape[0], dtype=torch.float64)).abs().max().item()
    assert error <= orthogonality_tolerance(dtype, max(w.shape)), f"seed {seed}: error {error}"


@pytest.mark.parametrize("dims", [3, 4, 5])
@given(data=st.data())
def test_dirac_is_the_identity_convolution_per_group(dims, data):
    groups = data.draw(st.integers(1, 3), label="groups")
    out_per_group = data.draw(st.integers(1, 4), label="out_per_group")
    in_channels = data.draw(st.integers(1, 4), label="in_channels")
    kernel = tuple(data.draw(st.lists(st.integers(1, 4), min_size=dims - 2, max_size=dims - 2), label="kernel"))
    weight = torch.empty(groups * out_per_group, in_channels, *kernel, dtype=torch.float64)
    initlib.dirac_(weight, groups=groups)
    spatial = (5,) * (dims - 2)
    x = torch.randn(2, groups * in_channels, *spatial, dtype=torch.float64, generator=seeded(0))
    y = CONV[dims](x, weight, padding=[k // 2 for k in kernel], groups=groups)
    y = y[(slice(None), slice(None), *(slice(0, s) for s in spatial))]
    for g in range(groups):
        for d in range(out_per_group):
            out = y[:, g * out_per_group + d]
            if d < in_channels:
                assert torch.equal(out, x[:, g * in_channels + d])
            else:
                assert torch.equal(out, torch.zeros_like(out))


@given(
    rows=st.integers(1, 60),
    cols=st.integers(1, 60),
    sparsity=st.floats(0.0, 1.0, allow_nan=False),
    seed=seeds,
)
def test_sparse_zeros_every_column_exactly(rows, cols, sparsity, seed):
    tensor = torch.empty(rows, cols, dtype=torch.float64)
    initlib.sparse_(tensor, sparsity, std=1.0, generator=seeded(seed))
    zeros = tensor.eq(0).sum(dim=0)
    assert zeros.eq(math.ceil(sparsity * rows)).all(), f"seed {seed}: {zeros.tolist()}"


def test_sparse_both_subset_samplers_zero_exactly_per_column():
    """Wide matrices take Floyd's sampler, tall narrow ones one permutation per column."""
    for shape in [(64, 512), (5000, 2)]:
        tensor = torch.empty(shape, dtype=torch.float64)
        initlib.sparse_(tensor, 0.3, std=1.0, generator=seeded(4))
        assert tensor.eq(0).sum(dim=0).eq(math.ceil(0.3 * shape[0])).all()


@pytest.mark.parametrize("dims", [3, 4, 5])
@given(
    channels=st.integers(1, 6),
    extra_out=st.integers(0, 3),
    k=st.integers(1, 4),
    gain=st.sampled_from([1.0, 2.0]),
    seed=seeds,
)
def test_delta_orthogonal_preserves_the_norm_under_circular_padding(dims, channels, extra_out, k, gain, seed):
    weight = torch.empty(channels + extra_out, channels, *(k,) * (dims - 2), dtype=torch.float64)
    initlib.delta_orthogonal_(weight, gain=gain, generator=seeded(seed))
    centre = (slice(None), slice(None), *(k // 2,) * (dims - 2))
    off_centre = weight.clone()
    off_centre[centre] = 0
    assert torch.equal(off_centre, torch.zeros_like(weight))
    x = torch.randn(3, channels, *(6,) * (dims - 2), dtype=torch.float64, generator=seeded(seed + 1))
    padded = F.pad(x, [k // 2, k - 1 - k // 2] * (dims - 2), mode="circular")
    y = CONV[dims](padded, weight)
    assert y.shape[2:] == x.shape[2:]
    assert torch.allclose(y.flatten(1).norm(dim=1), gain * x.flatten(1).norm(dim=1), rtol=1e-12), f"seed {seed}"


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16])
@given(mean=st.floats(-2, 2), std=st.floats(0.1, 3), lo=st.floats(-4, 0), width=st.floats(0.05, 8), seed=seeds)
def test_trunc_normal_stays_within_the_bounds_in_the_dtype(dtype, mean, std, lo, width, seed):
    """Every path (erfinv inversion, resampling, float64 inversion; tests/initlib_tests/test_sampling.py
    tests each) keeps every value within the bounds rounded to the dtype, and is reproducible."""
    a, b = mean + lo * std, mean + (lo + width) * std
    tensor = initlib.trunc_normal_(torch.empty(500, dtype=dtype), mean, std, a, b, generator=seeded(seed))
    low, high = torch.tensor([a, b], dtype=dtype).tolist()
    assert tensor.ge(low).all() and tensor.le(high).all(), f"seed {seed}"
    again = initlib.trunc_normal_(torch.empty(500, dtype=dtype), mean, std, a, b, generator=seeded(seed))
    assert torch.equal(tensor, again), f"seed {seed}"


@pytest.mark.parametrize("a, b", [(3.0, 4.0), (-1e9, -6.0), (8.0, float("inf")), (-0.01, 0.01)])
def test_trunc_normal_far_and_narrow_intervals_stay_inside(a, b):
    tensor = torch.empty(10_000)
    initlib.trunc_normal_(tensor, 0.0, 1.0, a, b, generator=seeded(2))
    assert torch.isfinite(tensor).all() and tensor.ge(a).all() and tensor.le(b).all()
    assert tensor.unique().numel() > 9_000


@pytest.mark.parametrize(
    "shape, layout, fans",
    [
        ((6, 4), "torch", (4, 6)),
        ((6, 4, 3, 5), "torch", (60, 90)),
        ((8, 2, 3), "torch", (6, 24)),
        ((4, 6), "jax", (4, 6)),
        ((3, 5, 4, 6), "jax", (60, 90)),
        ((1, 1), "torch", (1, 1)),
        ((0, 3), "torch", (3, 0)),
    ],
)
def test_compute_fans(shape, layout, fans):
    assert initlib.compute_fans(shape, layout) == fans


@pytest.mark.parametrize(
    "mode, fan", [("fan_in", 60), ("fan_out", 90), ("fan_avg", 75), ("fan_geo_avg", math.sqrt(5400))]
)
def test_variance_scaling_truncated_normal_is_cut_at_two_parent_stds(mode, fan):
    tensor = torch.empty(6, 4, 3, 5, dtype=torch.float64)
    initlib.variance_scaling_(tensor, scale=2.0, mode=mode, generator=seeded(1))
    parent_std = math.sqrt(2.0 / fan) / 0.87962566103423978  # JAX's constant
    assert tensor.abs().max().item() <= 2 * parent_std


@pytest.mark.parametrize(
    "nonlinearity",
    [
        "linear",
        "conv1d",
        "conv2d",
        "conv3d",
        "conv_transpose1d",
        "conv_transpose2d",
        "conv_transpose3d",
        "sigmoid",
        "tanh",
        "relu",
        "leaky_relu",
        "selu",
    ],
)
@pytest.mark.parametrize("param", [None, 0, 0.2, 3])
def test_calculate_gain_agrees_with_torch(nonlinearity, param):
    assert initlib.calculate_gain(nonlinearity, param) == torch.nn.init.calculate_gain(nonlinearity, param)


@given(
    dims=st.integers(3, 5),
    groups=st.integers(1, 3),
    per_group=st.integers(1, 4),
    in_channels=st.integers(1, 5),
    k=st.integers(1, 4),
)
def test_dirac_agrees_with_torch(dims, groups, per_group, in_channels, k):
    shape = (groups * per_group, in_channels, *(k,) * (dims - 2))
    ours, theirs = torch.full(shape, 9.0), torch.full(shape, 9.0)
    initlib.dirac_(ours, groups)
    torch.nn.init.dirac_(theirs, groups)
    assert torch.equal(ours, theirs)


@given(rows=st.integers(0, 9), cols=st.integers(0, 9))
def test_eye_agrees_with_torch(rows, cols):
    ours, theirs = torch.full((rows, cols), 9.0), torch.full((rows, cols), 9.0)
    initlib.eye_(ours)
    torch.nn.init.eye_(theirs)
    assert torch.equal(ours, theirs)


@pytest.mark.parametrize("fn, args", [(initlib.constant_, (0.25,)), (initlib.ones_, ()), (initlib.zeros_, ())])
def test_fills_agree_with_torch(fn, args):
    ours, theirs = torch.full((3, 4), 9.0), torch.full((3, 4), 9.0)
    fn(ours, *args)
    getattr(torch.nn.init, fn.__name__)(theirs, *args)
    assert torch.equal(ours, theirs)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_half_precision_draws_are_float32_draws_rounded_to_nearest(dtype):
    """torch's own bfloat16 uniform_ never returns the representable value just below b; initlib draws
    in float32 and rounds once, so that top cell gets its share."""
    ours = torch.empty(300_000, dtype=dtype)
    initlib.uniform_(ours, -0.167054, 0.167054, generator=seeded(0))
    expected = torch.empty(300_000).uniform_(-0.167054, 0.167054, generator=seeded(0)).to(dtype)
    assert torch.equal(ours, expected)


def test_bfloat16_uniform_reaches_the_top_representable_cell():
    ours = torch.empty(300_000, dtype=torch.bfloat16)
    initlib.uniform_(ours, -0.167054, 0.167054, generator=seeded(0))
    assert ours.max().item() == torch.tensor(0.167054, dtype=torch.bfloat16).item()
