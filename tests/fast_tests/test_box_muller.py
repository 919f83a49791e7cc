"""The float32 normal sampler of initlib.fast (Box-Muller, initlib/fast/box_muller.py) against the
documented formula computed in float64 by numpy, and its law against scipy's normal distribution."""

import math

import numpy as np
import pytest
import torch
from scipy import stats

numba = pytest.importorskip("numba")

import initlib.fast as fast  # noqa: E402
from initlib.fast import box_muller, kernels, stream  # noqa: E402

MASK = (1 << 64) - 1
GAMMA = 0x9E3779B97F4A7C15


def _mix(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def _words(seed, block, count):
    """Words 0 .. count - 1 of a block, from stream.py's docstring (splitmix64, pure Python)."""
    key = _mix((seed + (block + 1) * GAMMA) & MASK)
    return [_mix((key + (i + 1) * GAMMA) & MASK) for i in range(count)]


def _documented_pair(x):
    """(r cos theta, r sin theta) in float64 from box_muller.py's docstring: u = fl32((h + (l + 1/2) 2^-16)
    2^-24), h = bits 16-39, l = bits 0-15; theta = 2 pi (t + 1/2) 2^-24, t = bits 40-63."""
    h, low, t = (x >> 16) & ((1 << 24) - 1), x & 0xFFFF, x >> 40
    u = float(np.float32((h + (low + 0.5) * 2.0**-16) * 2.0**-24))
    r = math.sqrt(-2.0 * math.log(u))
    theta = 2.0 * math.pi * (t + 0.5) * 2.0**-24
    return r, r * math.cos(theta), r * math.sin(theta)


def test_normal32_is_the_documented_box_muller_within_3e_7_of_the_radius():
    # pair p of block k at positions p (r cos theta) and p + BLOCK / 2 (r sin theta): two blocks, a mean
    # and std of 0 and 1 so that the kernel's values are z itself.
    seed, half = 0xDEADBEEF12345678, stream.BLOCK // 2
    out = np.empty(2 * stream.BLOCK, dtype=np.float32)
    kernels.KERNELS.normal32(out, np.uint64(seed), 0, 0.0, 1.0)
    worst = 0.0
    for block in range(2):
        for p, x in enumerate(_words(seed, block, half)):
            r, cosine, sine = _documented_pair(x)
            base = block * stream.BLOCK
            worst = max(worst, abs(out[base + p] - cosine) / r, abs(out[base + half + p] - sine) / r)
    assert worst < 3e-7, worst


@numba.njit
def _apply_pairs(words, out):
    for i in range(words.size):
        out[0, i], out[1, i] = box_muller.normal_pair32(words[i])


def test_extreme_words_give_the_extreme_radius_and_every_quadrant():
    # u's smallest value (h = l = 0): u = 2^-41, r = sqrt(82 ln 2) = 7.5393; t at each quadrant's edges.
    ts = [0, (1 << 22) - 1, 1 << 22, (1 << 23) - 1, 1 << 23, 3 << 22, (1 << 24) - 1]
    words = np.array([t << 40 for t in ts], dtype=np.uint64)
    out = np.empty((2, words.size), dtype=np.float32)
    _apply_pairs(words, out)
    r = math.sqrt(-2.0 * math.log(2.0**-41))
    for i, t in enumerate(ts):
        theta = 2.0 * math.pi * (t + 0.5) * 2.0**-24
        assert abs(out[0, i] - r * math.cos(theta)) < 4e-7 * r, t
        assert abs(out[1, i] - r * math.sin(theta)) < 4e-7 * r, t


def test_normal_law_against_scipy():
    # 2^22 values (4096 blocks) with a fixed seed: Kolmogorov-Smirnov, and the tail fractions at 3 and 4
    # std within 5 standard errors of the normal's.
    t = fast.normal_(torch.empty(1 << 22), 1.5, 2.0, generator=torch.Generator().manual_seed(5))
    z = (t.double().numpy() - 1.5) / 2.0
    assert stats.kstest(z, "norm").pvalue > 1e-4
    for c in (3.0, 4.0):
        p = 2.0 * stats.norm.sf(c)
        share = float(np.mean(np.abs(z) > c))
        assert abs(share - p) < 5.0 * math.sqrt(p / z.size), (c, share, p)


def test_pair_halves_are_uncorrelated():
    # r cos theta at position p and r sin theta at p + BLOCK / 2: independent, so uncorrelated, and so are
    # their squares (a shared radius would correlate them).
    t = fast.normal_(torch.empty(1 << 22), generator=torch.Generator().manual_seed(6)).double().numpy()
    blocks = t.reshape(-1, stream.BLOCK)
    first, second = blocks[:, : stream.BLOCK // 2].ravel(), blocks[:, stream.BLOCK // 2 :].ravel()
    bound = 5.0 / math.sqrt(first.size)
    assert abs(np.corrcoef(first, second)[0, 1]) < bound
    assert abs(np.corrcoef(first**2, second**2)[0, 1]) < bound


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16], ids=str)
def test_half_precision_normals_are_the_float32_values_rounded_once(dtype):
    g1, g2 = torch.Generator().manual_seed(8), torch.Generator().manual_seed(8)
    single = fast.normal_(torch.empty(5000), 0.5, 3.0, generator=g1)
    half = fast.normal_(torch.empty(5000, dtype=dtype), 0.5, 3.0, generator=g2)
    assert torch.equal(half, single.to(dtype))
