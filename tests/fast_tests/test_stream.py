"""The stream of initlib.fast as documented in initlib/fast/stream.py: splitmix64 words, one 64-bit seed
drawn from the generator, values that depend on (seed, index) alone."""

import numpy as np
import pytest
import torch

pytest.importorskip("numba")

import initlib.fast as fast
from initlib.fast import kernels, sampling, stream

MASK = (1 << 64) - 1


def test_block_key_is_splitmix64():
    # Vigna's splitmix64.c seeded with x = 0 returns 0xE220A8397B1DCDAF, then 0x6E789E6AA1B965F4
    # (the published first outputs); key_k is the k-th output for seed s.
    assert int(stream.block_key(np.uint64(0), 0)) == 0xE220A8397B1DCDAF
    assert int(stream.block_key(np.uint64(0), 1)) == 0x6E789E6AA1B965F4


def test_float32_uniform_words_follow_the_documented_formula():
    # value j = low + span * (word >> 40) 2^-24, word = mix64(key_k + (i + 1) GAMMA), from the docstring.
    seed, low, span = 0x0123456789ABCDEF, -1.0, 2.0
    out = np.empty(3 * stream.BLOCK, dtype=np.float32)
    kernels.KERNELS.uniform32(out, np.uint64(seed), 0, low, span)

    def mix(z):
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    gamma = 0x9E3779B97F4A7C15
    for j in (0, 1, stream.BLOCK - 1, stream.BLOCK, 2 * stream.BLOCK + 7):
        k, i = divmod(j, stream.BLOCK)
        key = mix((seed + (k + 1) * gamma) & MASK)
        word = mix((key + (i + 1) * gamma) & MASK)
        assert out[j] == np.float32(low + span * ((word >> 40) * 2.0**-24)), j


@pytest.mark.parametrize("name", ["uniform_", "normal_", "trunc_normal_"])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.bfloat16], ids=str)
def test_same_values_for_any_thread_count(name, dtype):
    n = 3 * sampling.PIECE + 5
    results = []
    previous = torch.get_num_threads()
    try:
        for threads in (1, 2, 3):
            torch.set_num_threads(threads)
            t = torch.empty(n, dtype=dtype)
            getattr(fast, name)(t, generator=torch.Generator().manual_seed(7))
            results.append(t)
    finally:
        torch.set_num_threads(previous)
    assert torch.equal(results[0], results[1]) and torch.equal(results[0], results[2])


def test_a_call_draws_one_64_bit_value_from_the_generator():
    g, reference = torch.Generator().manual_seed(3), torch.Generator().manual_seed(3)
    fast.normal_(torch.empty(5000), generator=g)
    torch.empty((), dtype=torch.int64).random_(-(2**63), None, generator=reference)
    assert torch.equal(g.get_state(), reference.get_state())


def test_global_generator_when_none_and_untouched_otherwise():
    torch.manual_seed(11)
    before = torch.get_rng_state()
    fast.uniform_(torch.empty(100), generator=torch.Generator().manual_seed(1))
    assert torch.equal(torch.get_rng_state(), before)
    fast.uniform_(torch.empty(100))
    assert not torch.equal(torch.get_rng_state(), before)


def test_float64_uniforms_have_53_random_bits():
    t = fast.uniform_(torch.empty(1 << 14, dtype=torch.float64), generator=torch.Generator().manual_seed(2))
    scaled = t.numpy() * 2.0**53
    assert np.array_equal(scaled, np.floor(scaled))  # on the grid m 2^-53
    # each of the low bits is set in about half of the values (a 32-bit uniform would have none set)
    low_bits = scaled.astype(np.uint64) & np.uint64(0xFF)
    for bit in range(8):
        share = float(np.mean((low_bits >> np.uint64(bit)) & np.uint64(1)))
        assert 0.45 < share < 0.55, (bit, share)


def test_float32_uniforms_have_24_random_bits():
    t = fast.uniform_(torch.empty(1 << 14), generator=torch.Generator().manual_seed(2))
    scaled = t.double().numpy() * 2.0**24
    assert np.array_equal(scaled, np.floor(scaled)) and len(np.unique(scaled)) > (1 << 14) - 20


def test_float64_normals_are_not_on_a_float32_grid():
    t = fast.normal_(torch.empty(4096, dtype=torch.float64), generator=torch.Generator().manual_seed(4))
    assert torch.mean((t.float().double() != t).double()) > 0.99
