"""The compiled samplers: each fills ``out`` with the values ``first .. first + len(out) - 1`` of a call's
stream (:mod:`initlib.fast.stream`), from the words ``x_k(i)`` of each block ``k``.

* uniform, float32 out: ``u = (x >> 40) 2^-24`` (24 random bits, every float32 in [0, 1) of the form
  m 2^-24, as torch's CPU ``uniform_``), value ``low + span u`` computed in float64 and rounded once;
  the value at position i of a block is made from word i.
* uniform, float64 out: ``u = (x >> 11) 2^-53`` (53 random bits, every float64 in [0, 1) of the form
  m 2^-53), value ``low + span u``; word i for position i.
* normal, float32 out: Box-Muller (:mod:`initlib.fast.box_muller`): word p (p < BLOCK / 2) gives the
  pair (r cos theta, r sin theta), written ``mean + std z`` (float32, one fused multiply-add) at
  positions p and p + BLOCK / 2 of its block; |z| up to 7.5. Every block is computed whole (a block
  cut by the ends of ``out`` into a scratch block, its part copied), so a value does not depend on
  where a piece of work starts.
* normal, float64 out: ``z = s sqrt(2) erfcinv(q)`` with ``s`` the sign given by bit 63 and
  ``q = (bits 10-62 + 1/2) 2^-53`` (word i for position i): the float32 erfcinv
  (:mod:`initlib.fast.inverse_normal`) refined by two Newton steps on ``erfc(t / sqrt 2) = q`` in float64
  (quadratic convergence: 3e-7 relative, then about 1e-13, then a float64 ulp). Then ``mean + std z``.
* truncated normal on [alpha, beta] (standard units; absolute bounds [low, high] in the output's dtype),
  float32 out, when P = Phi(beta) - Phi(alpha) >= 1/2: rejection (von Neumann 1951; Devroye 1986,
  section II.3) with a candidate sequence per block. The proposals are the block's float32 normals
  ``x = mean + std z`` exactly as above (the same values as ``normal_`` from the same seed); each proposal
  outside [low, high] is replaced, in position order, by the next candidate inside [low, high] of the
  block's pool: words BLOCK / 2, BLOCK / 2 + 1, ... taken in chunks of 32 pairs, each chunk laid out
  as a block is (r cos theta of its 32 pairs, then their r sin theta). A value is then the first
  candidate inside the interval of a sequence of independent normal candidates: exactly the normal
  conditioned on the interval, and the values are independent. The expected work is 1 / P proposals
  per value (1.05 for +-2 std).
* truncated normal otherwise (P < 1/2, and every float64 one): inverse transform sampling (Devroye 1986,
  section II.2), the interval reflected by the caller so that it lies mostly below 0:
  ``u = P_alpha + (P_beta - P_alpha) v``, v from 53 bits of word i, ``P = Phi`` computed by the caller
  in float64; ``z = Phi^-1(u)``, that is ``-sqrt(2) erfcinv(2 u)`` for u < 1/2 and
  ``sqrt(2) erfcinv(2 (1 - u))`` beyond, clamped to [alpha, beta] against rounding; then
  ``mean + scale z`` (scale = -std when reflected), clamped to the bounds in the output's dtype.

:data:`KERNELS` is the compiled set (cached on disk, keyed by the hash of every file in :data:`JITTED`).
:func:`build` compiles the same code with some of the helpers it calls replaced, so that the mutant
catalogue can build a set with one part broken (suite/selfcheck/fast_mutants.py).
"""

from __future__ import annotations

import math
import sys
import types as pytypes
from dataclasses import dataclass

import numba
import numpy as np
from numba import types
from numba.cpython.unsafe.numbers import trailing_zeros

from . import box_muller, inverse_normal, stream
from ._jit import KERNEL, compile_cached, inline, source_hash
from .box_muller import normal_pair32
from .inverse_normal import central, erfcinv32, giles_w, in_tail, outer
from .stream import block_key, word

f32, f64, u64 = np.float32, np.float64, np.uint64
_BLOCK = stream.BLOCK
_PAIRS = u64(_BLOCK // 2)
#: Pairs per chunk of a block's rejection pool (64 candidates), and the acceptance probability from
#: which a truncated float32 normal is drawn by rejection (below it, by inverting the distribution function).
_POOL_PAIRS, _REJECTION_FROM = u64(32), 0.5
#: At acceptance 1/2 a block needs 16 chunks on average; 4096 chunks (2^18 candidates) fall short only
#: where float32 cannot resolve the interval (a std far below the ulp of the mean): values clamped then.
_MAX_POOL_CHUNKS = u64(4096)
_ALL_64 = u64((1 << 64) - 1)
_SHIFT_24, _SHIFT_53 = u64(40), u64(11)
_MASK_53 = u64((1 << 53) - 1)
_TWO_M24_64, _TWO_M53 = f64(2.0**-24), f64(2.0**-53)
_HALF64, _ONE64, _TWO64 = f64(0.5), f64(1.0), f64(2.0)
_SQRT2_32 = f32(math.sqrt(2.0))
_INV_SQRT2 = f64(1.0 / math.sqrt(2.0))
_SQRT_HALF_PI = f64(math.sqrt(math.pi / 2.0))
_SIGN, _Q64 = u64(63), u64(10)
_ONE32 = f32(1.0)


@inline
def uniform53(x):
    """A float64 uniform on [0, 1): the word's top 53 bits times 2^-53."""
    return f64(x >> _SHIFT_53) * _TWO_M53


@inline
def refine(t, q):
    """Two Newton steps on erfc(t / sqrt 2) = q for t >= 0 (float64)."""
    for _ in range(2):
        t = t + (math.erfc(t * _INV_SQRT2) - q) * _SQRT_HALF_PI * math.exp(0.5 * t * t)
    return t


@inline
def normal64(x):
    """A standard normal float64: q from bits 10-62, the float32 erfcinv refined in float64."""
    q = (f64((x >> _Q64) & _MASK_53) + _HALF64) * _TWO_M53
    t = refine(f64(_SQRT2_32 * erfcinv32(f32(q))), q)
    return -t if (x >> _SIGN) else t


@inline
def inverse_cdf64(u):
    """Phi^-1(u) in float64: the float32 inverse refined by Newton steps."""
    lower = u < _HALF64
    q = u * _TWO64 if lower else (_ONE64 - u) * _TWO64
    t = refine(f64(_SQRT2_32 * erfcinv32(f32(q))), q)
    return -t if lower else t


@inline
def run_length(first, done, n):
    """(block, position in it, values to fill in it) for the next value, ``first + done``."""
    j = first + done
    block, start = j // _BLOCK, j % _BLOCK
    return block, start, min(_BLOCK - start, n - done)


def uniform32_kernel(out, seed, first, low, span):
    done, n = 0, out.shape[0]
    while done < n:
        block, start, count = run_length(first, done, n)
        key = block_key(seed, block)
        for i in range(u64(count)):
            out[u64(done) + i] = f32(low + span * (f64(word(key, u64(start) + i) >> _SHIFT_24) * _TWO_M24_64))
        done += count


def uniform64_kernel(out, seed, first, low, span):
    done, n = 0, out.shape[0]
    while done < n:
        block, start, count = run_length(first, done, n)
        key = block_key(seed, block)
        for i in range(u64(count)):
            out[u64(done) + i] = low + span * uniform53(word(key, u64(start) + i))
        done += count


def normal32_kernel(out, seed, first, mean, std):
    scratch = np.empty(_BLOCK, f32)
    mean32, std32 = f32(mean), f32(std)
    done, n = 0, out.shape[0]
    while done < n:
        block, start, count = run_length(first, done, n)
        key = block_key(seed, block)
        if count == _BLOCK:
            normal_block32(out[done : done + _BLOCK], key, mean32, std32)
        else:  # a block cut by the ends of ``out``: computed whole, the part in ``out`` copied
            normal_block32(scratch, key, mean32, std32)
            out[done : done + count] = scratch[start : start + count]
        done += count


@inline
def normal_block32(target, key, mean, std):
    """A whole block of normals: pair p's r cos theta at position p, its r sin theta at p + BLOCK / 2."""
    for p in range(_PAIRS):  # vectorized: no branch
        z0, z1 = normal_pair32(word(key, p))
        target[p] = mean + std * z0
        target[p + _PAIRS] = mean + std * z1


def normal64_kernel(out, seed, first, mean, std):
    done, n = 0, out.shape[0]
    while done < n:
        block, start, count = run_length(first, done, n)
        key = block_key(seed, block)
        for i in range(u64(count)):
            out[u64(done) + i] = mean + std * normal64(word(key, u64(start) + i))
        done += count


def truncated32_kernel(out, seed, first, p_low, p_width, z_low, z_high, mean, scale, low, high):
    if p_width >= _REJECTION_FROM:
        truncated32_by_rejection(out, seed, first, mean, scale, low, high)
        return
    w_of, scaled_of = np.empty(_BLOCK, f32), np.empty(_BLOCK, f32)
    low32, high32 = f32(low), f32(high)
    done, n = 0, out.shape[0]
    while done < n:
        block, start, count = run_length(first, done, n)
        key = block_key(seed, block)
        base = u64(done)
        for i in range(u64(count)):  # vectorized: the central polynomial for every value
            w, scaled = truncated_w_scaled(word(key, u64(start) + i), p_low, p_width)
            w_of[i], scaled_of[i] = w, scaled
            z = min(max(f64(central(w) * scaled), z_low), z_high)
            out[base + i] = min(max(f32(mean + scale * z), low32), high32)
        for i in range(u64(count)):  # values past 2.7 std (none for the usual +-2 std interval)
            if in_tail(w_of[i]):
                z = min(max(f64(outer(w_of[i]) * scaled_of[i]), z_low), z_high)
                out[base + i] = min(max(f32(mean + scale * z), low32), high32)
        done += count


@inline
def truncated32_by_rejection(out, seed, first, mean, scale, low, high):
    """The truncated normal for an interval holding half the mass or more, each block by rejection:
    the proposals are normal32's values (``std = |scale|``; the reflection does not matter to a
    symmetric proposal), compared with [low, high] as float32 values, so rounding cannot carry an
    accepted value across a bound."""
    scratch, pool = np.empty(_BLOCK, f32), np.empty(2 * _POOL_PAIRS, f32)
    pending = np.empty(_BLOCK, np.int64)
    mean32, std32, low32, high32 = f32(mean), f32(abs(scale)), f32(low), f32(high)
    done, n = 0, out.shape[0]
    while done < n:
        block, start, count = run_length(first, done, n)
        key = block_key(seed, block)
        target = out[done : done + _BLOCK] if count == _BLOCK else scratch
        # proposals: the block's normals, as normal32 lays them out
        normal_block32(target, key, mean32, std32)
        rejected = outside_positions(target, _BLOCK, low32, high32, pending)
        # each rejected value replaced, in position order, by the next accepted candidate of the pool
        filled, chunk = 0, u64(0)
        while filled < rejected and chunk < _MAX_POOL_CHUNKS:
            pool_block(pool, key, _PAIRS + chunk * _POOL_PAIRS, mean32, std32)
            filled = replace_from_pool(target, pending, filled, rejected, pool, low32, high32)
            chunk += u64(1)
        for k in range(filled, rejected):  # float32 cannot resolve the interval (std << ulp of mean)
            target[pending[k]] = min(max(target[pending[k]], low32), high32)
        if count != _BLOCK:
            out[done : done + count] = scratch[start : start + count]
        done += count


@inline
def pool_block(pool, key, first_pair, mean, std):
    """A chunk of the rejection pool: pairs ``first_pair .. first_pair + POOL_PAIRS - 1``, their
    r cos theta then their r sin theta, as ``mean + std z``."""
    for p in range(_POOL_PAIRS):  # vectorized: no branch
        z0, z1 = normal_pair32(word(key, first_pair + p))
        pool[p] = mean + std * z0
        pool[p + _POOL_PAIRS] = mean + std * z1


@inline
def outside_mask(values, first, low, high):
    """Bit i set where values[first + i] lies outside [low, high], for i < 64 (one vectorized pass)."""
    bits = u64(0)
    for i in range(64):
        v = values[first + i]
        bits |= u64((v < low) | (v > high)) << u64(i)
    return bits


@inline
def outside_positions(values, n, low, high, positions):
    """The positions (ascending) of values[:n] outside [low, high] written to ``positions``; their count."""
    m = 0
    for c in range(0, n, 64):
        bits = outside_mask(values, c, low, high)
        while bits:
            positions[m] = c + trailing_zeros(bits)
            m += 1
            bits &= bits - u64(1)
    return m


@inline
def replace_from_pool(target, pending, filled, rejected, pool, low, high):
    """The pool's values inside [low, high], in pool order, written to the pending positions from
    ``filled`` on; the new count of filled positions."""
    for c in range(0, 2 * _POOL_PAIRS, 64):
        bits = outside_mask(pool, c, low, high) ^ _ALL_64
        while bits and filled < rejected:
            target[pending[filled]] = pool[c + trailing_zeros(bits)]
            filled += 1
            bits &= bits - u64(1)
    return filled


@inline
def truncated_w_scaled(x, p_low, p_width):
    """(w, sqrt(2) (1 - q) s) for u = p_low + p_width v: q = 2 u, s = -1 below 1/2, q = 2 (1 - u) above."""
    u = p_low + p_width * uniform53(x)
    lower = u < _HALF64
    q = f32(u * _TWO64) if lower else f32((_ONE64 - u) * _TWO64)
    return giles_w(q), _SQRT2_32 * (_ONE32 - q) * (f32(-1.0) if lower else _ONE32)


def truncated64_kernel(out, seed, first, p_low, p_width, z_low, z_high, mean, scale, low, high):
    done, n = 0, out.shape[0]
    while done < n:
        block, start, count = run_length(first, done, n)
        key = block_key(seed, block)
        for i in range(u64(count)):
            z = min(max(inverse_cdf64(p_low + p_width * uniform53(word(key, u64(start) + i))), z_low), z_high)
            out[u64(done) + i] = min(max(mean + scale * z, low), high)
        done += count


_TWO_PARAMETERS = (types.uint64, types.int64, types.float64, types.float64)
_NINE_PARAMETERS = (types.uint64, types.int64, *([types.float64] * 8))
#: Each kernel's Python function and signature.
SIGNATURES = {
    "uniform32": (uniform32_kernel, types.void(types.float32[::1], *_TWO_PARAMETERS)),
    "uniform64": (uniform64_kernel, types.void(types.float64[::1], *_TWO_PARAMETERS)),
    "normal32": (normal32_kernel, types.void(types.float32[::1], *_TWO_PARAMETERS)),
    "normal64": (normal64_kernel, types.void(types.float64[::1], *_TWO_PARAMETERS)),
    "truncated32": (truncated32_kernel, types.void(types.float32[::1], *_NINE_PARAMETERS)),
    "truncated64": (truncated64_kernel, types.void(types.float64[::1], *_NINE_PARAMETERS)),
}


#: The modules of compiled code the kernels are made of: what :func:`build` recompiles, and whose files'
#: hash keys the disk cache (``initlib.fast._jit.compile_cached``).
JITTED = (stream, inverse_normal, box_muller, sys.modules[__name__])


@dataclass(frozen=True)
class Kernels:
    """One compiled set: ``uniform32/64(out, seed, first, low, span)``, ``normal32/64(out, seed, first,
    mean, std)``, ``truncated32/64(out, seed, first, p_low, p_width, z_low, z_high, mean, scale, low, high)``."""

    uniform32: object
    uniform64: object
    normal32: object
    normal64: object
    truncated32: object
    truncated64: object


def build(**replacements) -> Kernels:
    """This module's kernels compiled (uncached) with some of the helpers they use replaced, e.g.
    ``build(block_key=...)`` (names of this module's globals): every compiled function of :mod:`.stream`,
    :mod:`.inverse_normal` and this module is recompiled so that its callers see the replacement."""
    swap = {id(globals()[name]): value for name, value in replacements.items()}
    options = dict(KERNEL, cache=False)
    for module in JITTED:
        namespace = dict(vars(module))
        for name, value in namespace.items():
            namespace[name] = swap.get(id(value), value)
        for name, value in list(namespace.items()):
            home = getattr(getattr(value, "py_func", None), "__module__", None)
            if isinstance(value, numba.core.registry.CPUDispatcher) and home == module.__name__:
                renewed = numba.njit(inline="always", **options)(_rebound(value.py_func, namespace))
                swap.setdefault(id(value), renewed)
                namespace[name] = swap[id(value)]
    compiled = {
        name: numba.njit([signature], **options)(_rebound(function, namespace))
        for name, (function, signature) in SIGNATURES.items()
    }
    return Kernels(**compiled)


def _rebound(function, namespace: dict):
    return pytypes.FunctionType(function.__code__, namespace, function.__name__, function.__defaults__)


def _compile() -> Kernels:
    source = source_hash(JITTED)
    return Kernels(**{name: compile_cached(fn, sig, source) for name, (fn, sig) in SIGNATURES.items()})


#: The correct kernels (compiled on import, from the disk cache after the first time).
KERNELS = _compile()
