"""initlib.fast's truncated normal: rejection from the normal sampler where the interval holds half the
mass or more, inversion of the distribution function otherwise (initlib/fast/kernels.py). Laws against
scipy's truncnorm, bounds, the documented rejection, thread counts."""

import math

import numpy as np
import pytest
import torch
from scipy import stats

pytest.importorskip("numba")

import initlib.fast as fast
from initlib.fast import sampling, stream

# (mean, std, a, b) and the acceptance P = Phi(beta) - Phi(alpha) that picks the method:
CASES = [
    (0.0, 1.0, -2.0, 2.0),  # P = 0.954: rejection, about 47 replacements a block
    (0.3, 0.02, 0.26, 0.34),  # the same in another place and scale
    (0.0, 1.0, -0.68, 0.68),  # P = 0.503: rejection, several pool chunks a block
    (1.0, 2.0, -3.0, 13.0),  # P = 0.977, reaching far into one tail
    (0.0, 1.0, -0.5, 0.4),  # P = 0.347: inversion
    (0.0, 1.0, 2.0, 2.5),  # P = 0.0165: inversion, Giles' tail polynomial
    (0.0, 1.0, -7.0, -5.5),  # P = 1.9e-8: inversion, the fitted far tail
]


@pytest.mark.parametrize("mean, std, a, b", CASES)
def test_law_against_scipy_and_bounds_never_exceeded(mean, std, a, b):
    t = fast.trunc_normal_(torch.empty(1 << 20), mean, std, a, b, generator=torch.Generator().manual_seed(4))
    x = t.double().numpy()
    assert a <= x.min() and x.max() <= b
    law = stats.truncnorm((a - mean) / std, (b - mean) / std, loc=mean, scale=std)
    assert stats.kstest(x, law.cdf).pvalue > 1e-4
    assert abs(x.mean() - law.mean()) < 5.0 * law.std() / math.sqrt(x.size)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16], ids=str)
@pytest.mark.parametrize("mean, std, a, b", [(0.0, 1.0, -2.0, 2.0), (0.1, 0.3, 0.09, 0.1001), (0.0, 1.0, 0.0, 5e-3)])
def test_bounds_hold_in_every_dtype_even_for_narrow_intervals(dtype, mean, std, a, b):
    g = torch.Generator().manual_seed(1)
    t = fast.trunc_normal_(torch.empty(50_000, dtype=dtype), mean, std, a, b, generator=g)
    low, high = (float(v) for v in torch.tensor([a, b], dtype=torch.float64).to(dtype))
    assert low <= float(t.min()) and float(t.max()) <= high


def test_rejection_keeps_the_normal_values_inside_the_interval():
    # The documented rejection: proposals are normal_'s values from the same seed; those inside [a, b]
    # are kept where they are, the others replaced by values inside [a, b].
    mean, std, a, b = 0.5, 2.0, -3.0, 3.5
    n = 3 * stream.BLOCK + 100
    normal = fast.normal_(torch.empty(n), mean, std, generator=torch.Generator().manual_seed(9))
    truncated = fast.trunc_normal_(torch.empty(n), mean, std, a, b, generator=torch.Generator().manual_seed(9))
    inside = (normal >= a) & (normal <= b)
    assert 0 < int((~inside).sum()) < n // 10
    assert torch.equal(truncated[inside], normal[inside])
    replaced = truncated[~inside]
    assert bool(((replaced >= a) & (replaced <= b)).all())
    # a replacement is a fresh candidate, not the proposal pulled back to a bound
    assert int((replaced == a).sum() + (replaced == b).sum()) == 0


@pytest.mark.parametrize("a, b", [(-2.0, 2.0), (-0.6, 0.7), (0.5, 1.0)])
def test_same_values_for_any_thread_count_and_piece_boundaries(a, b):
    n = 2 * sampling.PIECE + 3 * stream.BLOCK + 7
    results = []
    previous = torch.get_num_threads()
    try:
        for threads in (1, 2, 3):
            torch.set_num_threads(threads)
            t = torch.empty(n)
            results.append(fast.trunc_normal_(t, 0.0, 1.0, a, b, generator=torch.Generator().manual_seed(2)))
    finally:
        torch.set_num_threads(previous)
    assert torch.equal(results[0], results[1]) and torch.equal(results[0], results[2])


def test_a_prefix_of_a_tensor_holds_the_same_values():
    # every block is computed whole, so the first values of a longer tensor are those of a shorter one
    g1, g2 = torch.Generator().manual_seed(3), torch.Generator().manual_seed(3)
    short = fast.trunc_normal_(torch.empty(1500), generator=g1)
    long = fast.trunc_normal_(torch.empty(5000), generator=g2)
    assert torch.equal(short, long[:1500])


def test_values_are_independent_of_their_neighbours():
    # lag-1 and pair-half (p, p + BLOCK / 2) correlations of 2^20 rejection draws, within 5 standard errors
    t = fast.trunc_normal_(torch.empty(1 << 20), generator=torch.Generator().manual_seed(12)).double().numpy()
    bound = 5.0 / math.sqrt(t.size / 2)
    assert abs(np.corrcoef(t[:-1], t[1:])[0, 1]) < bound
    blocks = t.reshape(-1, stream.BLOCK)
    half = stream.BLOCK // 2
    assert abs(np.corrcoef(blocks[:, :half].ravel() ** 2, blocks[:, half:].ravel() ** 2)[0, 1]) < bound


def test_bfloat16_bound_rounded_outwards_gets_only_its_share():
    # b = 2.13343 rounds up to 2.140625 in bfloat16. Only values in (2.1328125, b] (the real ones that
    # round to 2.140625) may land there: expected n P(2.1328125 < X <= b) / P(a <= X <= b) = 21.6 for
    # 2^20 values (scipy), where accepting float32 values up to 2.140625 would give 10 times as many.
    mean, std, a, b = 0.8383984543882206, 0.48996842212271485, 0.5302168458773733, 2.1334305023890723
    g = torch.Generator().manual_seed(1000)
    t = fast.trunc_normal_(torch.empty(1 << 20, dtype=torch.bfloat16), mean, std, a, b, generator=g)
    law = stats.norm(mean, std)
    expected = t.numel() * (law.cdf(b) - law.cdf(2.1328125)) / (law.cdf(b) - law.cdf(a))
    top = int((t.float() == 2.140625).sum())
    assert top <= expected + 5 * math.sqrt(expected), (top, expected)
    assert float(t.float().max()) == 2.140625  # and the bound is reached


def test_interval_without_resolution_terminates_inside_the_bounds():
    # std far below the ulp of the mean: every float32 proposal is the mean itself
    t = fast.trunc_normal_(torch.empty(4096), 0.1, 1e-12, 0.1 - 1e-12, 0.1 + 2e-12)
    assert torch.equal(t, torch.full((4096,), 0.1))
