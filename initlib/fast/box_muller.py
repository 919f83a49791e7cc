"""Pairs of standard normal float32 values from one 64-bit word, by the Box-Muller transform, in
branch-free float32 arithmetic that vectorizes.

Box & Muller (1958, "A note on the generation of random normal deviates", Ann. Math. Statist. 29,
610-611): for ``u`` uniform on (0, 1] and ``theta`` uniform on [0, 2 pi), independent, ``r cos theta`` and
``r sin theta`` with ``r = sqrt(-2 ln u)`` are two independent standard normal values. From the word
``x`` (bits numbered from 0, the least significant):

* ``u = fl32((h + (l + 1/2) 2^-16) 2^-24)`` with ``h`` = bits 16-39 and ``l`` = bits 0-15: 40 random bits,
  with float32's relative precision 2^-24 wherever u > 2^-16 and a grid of 2^-40 below, so that r reaches
  sqrt(-2 ln 2^-41) = 7.5 (a 24-bit u, as in torch's float32 Box-Muller, stops at 5.8);
* ``theta = 2 pi (t + 1/2) 2^-24`` with ``t`` = bits 40-63, reduced exactly in integer arithmetic to a
  quadrant ``k`` and an angle ``a`` in (-pi/4, pi/4): ``theta = k pi/2 + a``.

``ln u`` is Cephes' ``logf`` (:func:`initlib.fast.inverse_normal.log32`); ``sin a`` and ``cos a`` are
Cephes' ``sinf`` and ``cosf`` polynomials on [-pi/4, pi/4] (S. Moshier, Cephes Math Library, ``sinf.c``,
``cosf.c``: peak relative error 1.2e-7 and 1.0e-7); the quadrant swaps and negates them. Against the
float64 Box-Muller of the same bits, each value is off by less than 3e-7 r (measured: 1.7e-7 r, about
three float32 ulps of r), which ``tests/fast_tests/test_box_muller.py`` checks. The law sampled is
Box-Muller's on the grid of (u, theta) above: its distribution function is within about 2^-24 of the
normal's (the grid steps), the resolution of float32 itself.
"""

from __future__ import annotations

import math

import numpy as np

from ._jit import inline
from .inverse_normal import log32

f32, u64, i32 = np.float32, np.uint64, np.int32

_S0, _S1, _S2 = f32(-1.9515295891e-4), f32(8.3321608736e-3), f32(-1.6666654611e-1)
_C0, _C1, _C2 = f32(2.443315711809948e-5), f32(-1.388731625493765e-3), f32(4.166664568298827e-2)
_HALF, _ONE, _MINUS_TWO = f32(0.5), f32(1.0), f32(-2.0)
_TWO_M16, _TWO_M24 = f32(2.0**-16), f32(2.0**-24)
_MASK_24, _MASK_16 = u64((1 << 24) - 1), u64((1 << 16) - 1)
_SHIFT_H, _SHIFT_T = u64(16), u64(40)
#: theta = (pi / 2) (t + 1/2) 2^-22: quadrant k = round(t / 2^22) mod 4, remainder in [-2^21, 2^21).
_HALF_QUADRANT, _QUADRANT_MASK = i32(1 << 21), i32((1 << 22) - 1)
_QUADRANT_SHIFT, _THREE, _ONE_I, _TWO_I = i32(22), i32(3), i32(1), i32(2)
_RADIANS_PER_STEP = f32(math.pi / 2.0 * 2.0**-22)


@inline
def radius_u(x):
    """u in (0, 1] from bits 0-39: fl32((h + (l + 1/2) 2^-16) 2^-24), h = bits 16-39, l = bits 0-15."""
    h = f32((x >> _SHIFT_H) & _MASK_24)
    low = f32(x & _MASK_16)
    return (h + (low + _HALF) * _TWO_M16) * _TWO_M24


@inline
def radius(x):
    """r = sqrt(-2 ln u), u from bits 0-39."""
    return np.sqrt(_MINUS_TWO * log32(radius_u(x)))


@inline
def sin_small(a, a2):
    """Cephes sinf on [-pi/4, pi/4]: a + a^3 P(a^2)."""
    return ((_S0 * a2 + _S1) * a2 + _S2) * a2 * a + a


@inline
def cos_small(a2):
    """Cephes cosf on [-pi/4, pi/4]: 1 - a^2 / 2 + a^4 Q(a^2)."""
    return ((_C0 * a2 + _C1) * a2 + _C2) * a2 * a2 - _HALF * a2 + _ONE


@inline
def cos_sin(x):
    """(cos theta, sin theta), theta = 2 pi (t + 1/2) 2^-24, t = bits 40-63 of the word."""
    t = i32(x >> _SHIFT_T) + _HALF_QUADRANT
    k = (t >> _QUADRANT_SHIFT) & _THREE
    a = (f32((t & _QUADRANT_MASK) - _HALF_QUADRANT) + _HALF) * _RADIANS_PER_STEP
    a2 = a * a
    s, c = sin_small(a, a2), cos_small(a2)
    odd = (k & _ONE_I) != 0
    cosine, sine = (s if odd else c), (c if odd else s)  # theta = k pi/2 + a
    cosine = -cosine if (k == _ONE_I) | (k == _TWO_I) else cosine
    sine = -sine if k >= _TWO_I else sine
    return cosine, sine


@inline
def normal_pair32(x):
    """Two independent standard normal float32 values (r cos theta, r sin theta) from one word."""
    r = radius(x)
    cosine, sine = cos_sin(x)
    return r * cosine, r * sine
