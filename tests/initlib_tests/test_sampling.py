"""The truncated-normal sampler's CPU paths: the choice of method by interval, streams that give the
same tensor whatever the number of threads and honour the generator, the erfinv inversion it relies
on, only out-of-bounds values redrawn by the resampling path, and the distribution of every path
(Kolmogorov-Smirnov against scipy's truncnorm at fixed seeds); and the uniformity of sparse_'s zero
patterns."""

import math
import os
import signal

import mpmath
import numpy as np
import pytest
import scipy.stats
import torch

import initlib
from initlib import sampling
from initlib.structured import _random_column_subsets

from .helpers import seeded

#: Short streams, so that multi-stream tensors stay small in these tests.
STREAM = 1000
DTYPES = (torch.float16, torch.bfloat16, torch.float32, torch.float64)
#: (mean, std, a, b) and the method the sampler's docstring promises for them on the CPU.
INTERVALS = [
    ((0.0, 1.0, -2.0, 2.0), "_invert_erf"),
    ((0.5, 2.0, -1.0, 4.0), "_invert_erf"),  # [-0.75, 1.75] std units, 73% of the mass
    ((0.0, 0.02, -0.04, 0.04), "_invert_erf"),
    ((-1.0, 0.5, -1.2, 0.0), "_invert_erf"),  # [-0.4, 2] std units, 63% of the mass
    ((0.0, 1.0, -1.0, float("inf")), "_resample_outside"),
    ((0.0, 1.0, -4.0, 5.0), "_resample_outside"),  # bounds beyond 3 std units
    ((0.0, 1.0, -0.3, 0.3), "_resample_outside"),  # 24% of the mass: below half
    ((0.0, 1.0, 2.5, 4.0), "_invert_cdf"),
    ((0.0, 1.0, -0.1, 0.1), "_invert_cdf"),
]


@pytest.fixture
def short_streams(monkeypatch):
    monkeypatch.setattr(sampling, "_STREAM", STREAM)


@pytest.fixture
def threads():
    """Restores torch's thread count after a test that changes it."""
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


@pytest.mark.parametrize("interval, method", INTERVALS, ids=str)
def test_the_method_follows_the_interval(monkeypatch, interval, method):
    used = []
    for name in ("_invert_erf", "_resample_outside", "_invert_cdf"):
        real = getattr(sampling, name)
        monkeypatch.setattr(sampling, name, lambda *args, _real=real, _name=name: used.append(_name) or _real(*args))
    initlib.trunc_normal_(torch.empty(100), *interval, generator=seeded(0))
    assert used == [method]


@pytest.mark.parametrize("interval, method", INTERVALS, ids=str)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=str)
def test_streams_give_the_same_tensor_whatever_the_thread_count(short_streams, threads, interval, method, dtype):
    results = []
    for count in (1, 2, 3):
        torch.set_num_threads(count)
        results.append(initlib.trunc_normal_(torch.empty(7 * STREAM + 13, dtype=dtype), *interval, generator=seeded(5)))
    assert all(torch.equal(results[0], other) for other in results[1:])


def test_each_stream_is_drawn_from_its_own_seed(short_streams):
    """The documented scheme: stream k is drawn from a generator seeded with the k-th of the distinct
    32-bit seeds drawn from the caller's generator; the caller's generator draws nothing else."""
    n, (lower, upper) = 3 * STREAM + 10, (math.erf(-2 / math.sqrt(2)), math.erf(2 / math.sqrt(2)))
    seeds = torch.randint(0, 2**32, (4,), generator=seeded(9)).tolist()
    assert len(set(seeds)) == 4
    expected = torch.empty(n)
    for k, seed in enumerate(seeds):
        expected[k * STREAM : (k + 1) * STREAM].uniform_(lower, upper, generator=seeded(seed))
    expected = expected.erfinv_().mul_(math.sqrt(2)).clamp_(-2.0, 2.0)
    generator = seeded(9)
    tensor = initlib.trunc_normal_(torch.empty(n), generator=generator)
    torch.testing.assert_close(tensor, expected, rtol=0, atol=0)
    after_seeds = seeded(9)
    torch.randint(0, 2**32, (4,), generator=after_seeds)
    assert torch.equal(generator.get_state(), after_seeds.get_state())


def test_stream_seeds_are_distinct(monkeypatch):
    """With 3-bit seeds, 8 seeds can only be distinct if every repeated draw is drawn again."""
    monkeypatch.setattr(sampling, "_SEED_BITS", 3)
    seeds = sampling._distinct_seeds(8, seeded(1))
    assert sorted(seeds) == list(range(8))
    assert seeds == sampling._distinct_seeds(8, seeded(1))


def test_streams_honour_the_generator_and_leave_the_global_rng_alone(short_streams):
    before = torch.get_rng_state()
    first = initlib.trunc_normal_(torch.empty(5 * STREAM), generator=seeded(1))
    again = initlib.trunc_normal_(torch.empty(5 * STREAM), generator=seeded(1))
    other = initlib.trunc_normal_(torch.empty(5 * STREAM), generator=seeded(2))
    assert torch.equal(torch.get_rng_state(), before)
    assert torch.equal(first, again) and not torch.equal(first, other)
    torch.manual_seed(3)
    global_first = initlib.trunc_normal_(torch.empty(5 * STREAM))
    torch.manual_seed(3)
    assert torch.equal(initlib.trunc_normal_(torch.empty(5 * STREAM)), global_first)


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16], ids=str)
def test_streams_fill_parameters_that_require_grad(short_streams, dtype):
    """The worker threads run in their own grad mode: they must not trip autograd on a Parameter's views."""
    weight = torch.nn.Parameter(torch.empty(40, 8 * STREAM // 40 + 3, dtype=dtype))
    expected = torch.empty(weight.shape, dtype=dtype)
    initlib.trunc_normal_(weight, 0.1, 1.0, -1.5, 2.0, generator=seeded(4))
    initlib.trunc_normal_(expected, 0.1, 1.0, -1.5, 2.0, generator=seeded(4))
    assert weight.requires_grad and weight.grad_fn is None
    assert torch.equal(weight.detach(), expected)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_streams_work_in_a_forked_child(short_streams):
    """The worker threads are kept between calls; a forked child (without them) must start its own.
    The resampling path at these sizes runs no OpenMP region (erfinv runs one through MKL at any size,
    after which a forked child must call torch.set_num_threads(1) first, as after any parallel torch
    operation), so the child can draw streams on several threads."""
    draw = lambda: initlib.trunc_normal_(torch.empty(8 * STREAM), 0.0, 1.0, -1.0, float("inf"), generator=seeded(1))  # noqa: E731
    expected = draw()
    pid = os.fork()
    if pid == 0:  # the child: exit 0 only if it draws the same tensor, within 60 s
        code = 1
        try:
            signal.alarm(60)
            code = 0 if torch.equal(draw(), expected) else 1
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=str)
def test_erfinv_is_accurate_where_the_inversion_uses_it(dtype):
    """The erfinv inversion's premise: torch's erfinv within an ulp of the exact value (mpmath, 40
    digits) on [-erf(3 / sqrt 2), erf(3 / sqrt 2)], the range of U for |alpha|, |beta| <= 3.
    (scipy's float64 erfinv is 3 ulps off there: no reference.)"""
    edge = math.erf(3 / math.sqrt(2))
    u = torch.linspace(-edge, edge, 2_001, dtype=dtype)
    with mpmath.workdps(40):
        exact = np.array([float(mpmath.erfinv(value)) for value in u.double().tolist()])
    ulp = np.spacing(np.abs(exact).astype(np.float32 if dtype == torch.float32 else np.float64)).astype(np.float64)
    assert np.all(np.abs(torch.erfinv(u).double().numpy() - exact) <= ulp)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("n", [999, 4 * STREAM + 7])
@pytest.mark.parametrize("bounds", [(-1.0, float("inf")), (-2.0, 5.0), (-0.5, 0.9)])
def test_resampling_keeps_the_first_draw_inside_and_redraws_only_outside(short_streams, dtype, n, bounds):
    """The first draw is one normal_ call (from the caller's generator, or one per stream);
    half-precision tensors are drawn in float32 and rounded once (one block at these sizes)."""
    (a, b), (mean, std, seed) = bounds, (0.25, 1.5, 17)
    drawn_in = torch.float32 if dtype in (torch.float16, torch.bfloat16) else dtype
    first_draw = torch.empty(n, dtype=drawn_in)
    if n <= STREAM:
        first_draw.normal_(mean, std, generator=seeded(seed))
    else:
        for k, stream_seed in enumerate(sampling._distinct_seeds(math.ceil(n / STREAM), seeded(seed))):
            first_draw[k * STREAM : (k + 1) * STREAM].normal_(mean, std, generator=seeded(stream_seed))
    tensor = initlib.trunc_normal_(torch.empty(n, dtype=dtype), mean, std, a, b, generator=seeded(seed))
    low, high = torch.tensor([a, b], dtype=dtype).tolist()
    assert tensor.ge(low).all() and tensor.le(high).all()
    low, high = torch.tensor([a, b], dtype=drawn_in).tolist()
    inside = first_draw.ge(low) & first_draw.le(high)
    assert torch.equal(tensor[inside], first_draw[inside].to(dtype))
    assert not torch.equal(tensor[~inside], first_draw[~inside].to(dtype))


@pytest.mark.parametrize("n", [1, 99, 100, 101, 1234])
def test_the_chunked_scan_finds_every_value_outside_in_order(monkeypatch, n):
    monkeypatch.setattr(sampling, "_SCAN_CHUNK", 100)
    values = torch.randn(n, generator=seeded(n)).mul_(2)
    expected = ((values < -1.5) | (values > 2.0)).nonzero().view(-1)
    assert torch.equal(sampling._indices_outside(values, -1.5, 2.0), expected)


@pytest.mark.parametrize("interval, method", INTERVALS, ids=str)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=str)
def test_distribution_is_the_truncated_normal(interval, method, dtype):
    """2^21 samples (two streams) of every path against scipy.stats.truncnorm, fixed seed."""
    mean, std, a, b = interval
    tensor = initlib.trunc_normal_(torch.empty(2048, 1024, dtype=dtype), *interval, generator=seeded(2024))
    reference = scipy.stats.truncnorm((a - mean) / std, (b - mean) / std, loc=mean, scale=std)
    result = scipy.stats.kstest(tensor.view(-1).double().numpy(), reference.cdf)
    assert result.pvalue > 1e-3, result


@pytest.mark.parametrize("rows, k, cols, samples", [(6, 2, 6000, 1), (6, 4, 6000, 1), (6, 3, 1, 6000)])
def test_sparse_zero_patterns_are_uniform_subsets(rows, k, cols, samples):
    """Both subset samplers (Floyd for wide matrices; one permutation per column for a single column,
    drawn ``samples`` times): every k-subset of the rows equally likely (chi-square, fixed seeds)."""
    counts = {}
    for seed in range(samples):
        mask = _random_column_subsets(rows, cols, k, "cpu", seeded(seed))
        assert mask.sum(dim=0).eq(k).all()
        for column in mask.T.tolist():
            counts[tuple(column)] = counts.get(tuple(column), 0) + 1
    assert len(counts) == math.comb(rows, k)
    assert scipy.stats.chisquare(list(counts.values())).pvalue > 1e-3
