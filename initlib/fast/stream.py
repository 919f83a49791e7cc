"""The random stream of :mod:`initlib.fast`: counter-based splitmix64, one stream per block.

A call draws ONE 64-bit seed ``s`` from the caller's ``torch.Generator`` (the global one when ``None``),
which advances it by one draw: ``torch.empty((), dtype=torch.int64).random_(-2**63, None, generator=g)``,
the full 64-bit range, read as unsigned. The flattened tensor's values are cut into blocks of
:data:`BLOCK`; value ``j`` lies in block ``k = j // BLOCK`` at position ``j % BLOCK``, and is made from
the block's words

    key_k  = mix64(s + (k + 1) * GAMMA)        (the k-th output of splitmix64 seeded with s)
    x_k(i) = mix64(key_k + (i + 1) * GAMMA)    (the i-th output of splitmix64 seeded with key_k)

all arithmetic modulo 2^64, where ``GAMMA = 0x9E3779B97F4A7C15`` (the odd integer nearest 2^64 / phi)
and ``mix64`` is Stafford's "Mix13" finalizer, the output function of splitmix64 (Steele, Lea & Flood
2014, "Fast splittable pseudorandom number generators", OOPSLA; the constants are java.util.SplittableRandom's):

    z ^= z >> 30;  z *= 0xBF58476D1CE4E5B9;  z ^= z >> 27;  z *= 0x94D049BB133111EB;  z ^= z >> 31

Every word is a function of (s, k, i) alone: no state passes from one block to the next, so the blocks
are filled in any order, on any number of threads, with the same result. Which words make which value
is in :mod:`initlib.fast.kernels` (the uniform samplers: word i for position i; the float32 normal
samplers: word p for the pair of values at positions p and p + BLOCK / 2).
"""

from __future__ import annotations

import numpy as np
import torch

from ._jit import inline

#: Values per block (one stream each). Small enough that the suite's tensors (up to 2^16 values) span
#: many blocks, so that blocks seeded alike would show as repeats; threads take many blocks at a time.
BLOCK = 1 << 10
GAMMA = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31 = np.uint64(30), np.uint64(27), np.uint64(31)
_ONE = np.uint64(1)


def draw_seed(generator: torch.Generator | None) -> int:
    """One 64-bit draw from ``generator`` (the global generator when ``None``), as an unsigned integer."""
    drawn = torch.empty((), dtype=torch.int64).random_(-(2**63), None, generator=generator)
    return int(drawn) & (2**64 - 1)


@inline
def mix64(z):
    """Stafford's Mix13, splitmix64's output function (uint64 in, uint64 out)."""
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@inline
def block_key(seed, block):
    """key_k = mix64(s + (k + 1) * GAMMA): block ``block``'s own splitmix64 seed."""
    return mix64(seed + (np.uint64(block) + _ONE) * GAMMA)


@inline
def word(key, position):
    """x_k(i) = mix64(key_k + (i + 1) * GAMMA): word ``position`` of the block keyed ``key``."""
    return mix64(key + (np.uint64(position) + _ONE) * GAMMA)
