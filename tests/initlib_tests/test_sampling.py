"""The truncated-normal sampler's fast CPU paths: chunked drawing that is bit for bit one ``normal_``
call, the two-thread pipeline giving the same tensor as the sequential path, only out-of-bounds values
redrawn, and the distribution (Kolmogorov-Smirnov against scipy's truncnorm at fixed seeds); and the
uniformity of sparse_'s zero patterns."""

import itertools
import math
import os
import signal

import pytest
import scipy.stats
import torch
from hypothesis import given
from hypothesis import strategies as st

import initlib
from initlib import sampling
from initlib.structured import _random_column_subsets

from .helpers import seeded

#: Small chunks so that multi-chunk tensors stay small in these tests.
CHUNK, PIECE = 1024, 256
DTYPES = (torch.float16, torch.bfloat16, torch.float32, torch.float64)


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(sampling, "_SCAN_CHUNK", CHUNK)
    monkeypatch.setattr(sampling, "_SERIAL_PIECE", PIECE)


def force_pipeline(monkeypatch, enabled: bool):
    monkeypatch.setattr(sampling, "_PIPELINE_MIN_CHUNKS", 1 if enabled else 10**9)


@given(n=st.integers(1, 20 * CHUNK))
def test_chunks_cover_the_tensor_in_blocks_of_16(n):
    bounds = sampling._chunks(n)
    assert bounds[0][0] == 0 and bounds[-1][1] == n
    assert all(stop == next_start for (_, stop), (next_start, _) in itertools.pairwise(bounds))
    assert all(start % sampling._SCAN_CHUNK == 0 for start, _ in bounds)
    assert all(stop - start >= min(16, n) for start, stop in bounds)


@given(sizes=st.lists(st.integers(0, 3 * PIECE), max_size=12))
def test_index_pieces_keep_the_order_and_stay_short(sizes):
    parts, start = [], 0
    for size in sizes:
        parts.append(torch.arange(start, start + size))
        start += size
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sampling, "_SERIAL_PIECE", PIECE)
        pieces = sampling._as_pieces(parts, cpu=True)
        elsewhere = sampling._as_pieces(parts, cpu=False)
    assert all(0 < piece.numel() <= PIECE for piece in pieces)
    everything = torch.arange(start)
    assert torch.equal(torch.cat([*pieces, torch.empty(0, dtype=torch.long)]), everything)
    assert len(elsewhere) == (1 if start else 0)
    assert torch.equal(torch.cat([*elsewhere, torch.empty(0, dtype=torch.long)]), everything)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("n", [16, 4 * CHUNK, 4 * CHUNK + 7, 4 * CHUNK + 16, 6 * CHUNK + 300])
def test_chunked_draws_are_one_normal_call(small_chunks, dtype, n):
    whole = torch.empty(n, dtype=dtype).normal_(0.5, 2.0, generator=seeded(3))
    chunked, generator = torch.empty(n, dtype=dtype), seeded(3)
    for start, stop in sampling._chunks(n):
        chunked[start:stop].normal_(0.5, 2.0, generator=generator)
    assert torch.equal(whole, chunked)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("n", [4 * CHUNK + 7, 9 * CHUNK + 123])
@pytest.mark.parametrize("bounds", [(-2.0, 2.0), (-0.3, 1.7), (-1.0, float("inf"))])
def test_pipeline_keeps_the_first_draw_inside_and_redraws_only_outside(small_chunks, monkeypatch, dtype, n, bounds):
    """Half-precision tensors are drawn in float32 and rounded once (one block at these sizes)."""
    a, b = bounds
    mean, std, seed = 0.25, 1.5, 17
    drawn_in = torch.float32 if dtype in (torch.float16, torch.bfloat16) else dtype
    first_draw = torch.empty(n, dtype=drawn_in).normal_(mean, std, generator=seeded(seed))
    results = {}
    for pipelined in (True, False):
        force_pipeline(monkeypatch, pipelined)
        tensor = torch.empty(n, dtype=dtype)
        initlib.trunc_normal_(tensor, mean, std, a, b, generator=seeded(seed))
        results[pipelined] = tensor
    assert torch.equal(results[True], results[False])
    tensor = results[True]
    low, high = torch.tensor([a, b], dtype=dtype).tolist()
    assert tensor.ge(low).all() and tensor.le(high).all()
    low, high = torch.tensor([a, b], dtype=drawn_in).tolist()
    inside = first_draw.ge(low) & first_draw.le(high)
    assert torch.equal(tensor[inside], first_draw[inside].to(dtype))
    assert not torch.equal(tensor[~inside], first_draw[~inside].to(dtype))


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16], ids=str)
def test_pipeline_fills_parameters_that_require_grad(small_chunks, monkeypatch, dtype):
    """The helper thread runs in its own grad mode: it must not trip autograd on a Parameter's views."""
    force_pipeline(monkeypatch, True)
    weight = torch.nn.Parameter(torch.empty(40, 8 * CHUNK // 40 + 3, dtype=dtype))
    expected = torch.empty(weight.shape, dtype=dtype)
    initlib.trunc_normal_(weight, 0.1, 1.0, -1.5, 2.0, generator=seeded(4))
    initlib.trunc_normal_(expected, 0.1, 1.0, -1.5, 2.0, generator=seeded(4))
    assert weight.requires_grad and weight.grad_fn is None
    assert torch.equal(weight.detach(), expected)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_pipeline_works_in_a_forked_child(small_chunks, monkeypatch):
    """The helper thread is kept between calls; a forked child (without it) must start its own."""
    force_pipeline(monkeypatch, True)
    expected = initlib.trunc_normal_(torch.empty(8 * CHUNK), generator=seeded(1))
    pid = os.fork()
    if pid == 0:  # the child: exit 0 only if it draws the same tensor, within 60 s
        code = 1
        try:
            signal.alarm(60)
            code = 0 if torch.equal(initlib.trunc_normal_(torch.empty(8 * CHUNK), generator=seeded(1)), expected) else 1
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


def test_pipeline_is_used_on_long_cpu_tensors_and_honours_the_generator(small_chunks, monkeypatch):
    calls = []
    real = sampling._ChunkScanner.indices_outside

    def spy(self, part, offset):
        calls.append(self.piece)
        return real(self, part, offset)

    monkeypatch.setattr(sampling._ChunkScanner, "indices_outside", spy)
    before = torch.get_rng_state()
    tensor = torch.empty(8 * CHUNK)
    initlib.trunc_normal_(tensor, generator=seeded(1))
    assert torch.equal(torch.get_rng_state(), before)
    expected = PIECE if torch.get_num_threads() > 1 else CHUNK
    assert calls and set(calls) == {expected}


@pytest.mark.parametrize(
    "mean, std, a, b",
    [(0.0, 1.0, -2.0, 2.0), (0.5, 2.0, -1.0, 4.0), (-1.0, 0.5, -1.2, 0.0), (0.0, 0.02, -0.04, 0.04)],
)
def test_distribution_is_the_truncated_normal(mean, std, a, b):
    """2^20 samples (the pipelined path on a multi-thread CPU) against scipy.stats.truncnorm, fixed seed."""
    tensor = torch.empty(1024, 1024, dtype=torch.float64)
    initlib.trunc_normal_(tensor, mean, std, a, b, generator=seeded(2024))
    reference = scipy.stats.truncnorm((a - mean) / std, (b - mean) / std, loc=mean, scale=std)
    result = scipy.stats.kstest(tensor.view(-1).numpy(), reference.cdf)
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
