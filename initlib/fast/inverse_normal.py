"""The inverse of the normal distribution's tail, in branch-free float32 arithmetic that vectorizes.

A normal value is ``z = s * sqrt(2) * erfcinv(q)``: ``s`` a random sign and ``q`` uniform on (0, 1], since
``P(|Z| > t) = erfc(t / sqrt 2)``. Working with the two-sided tail probability ``q`` keeps the relative
precision of q where the tails need it (q near 0), and ``x = 1 - q`` is exact in float32 where z is
near 0.

``erfcinv(q) = erfinv(1 - q)`` is Giles' single-precision approximation (M. Giles, "Approximating the
erfinv function", GPU Computing Gems Jade Edition, 2011, ch. 10): with ``w = -log(q (2 - q))``,
``erfinv(x) = x p(w)``, ``p`` a polynomial in ``w - 2.5`` for ``w < 5`` and in ``sqrt(w) - 3`` for
``5 <= w < 16`` (Giles' fit covers float32's 1 - q, so w < 16); past w = 16 (q < 1e-7, |z| > 5.3) a
polynomial in ``sqrt(w) - 6`` fitted here (:mod:`initlib.fast.fit_far_tail`, up to w = 72, q = 1e-31).
It serves the truncated float32 sampler's inversion (intervals holding less than half the mass) and the
float64 samplers' starting values (float32 normals are Box-Muller's, :mod:`initlib.fast.box_muller`):
the truncated sampler (:mod:`initlib.fast.kernels`) computes the central polynomial for a whole block
in one vectorized loop, then the outer ones in a second pass for the values that need them (none for an
interval within 2.7 std); :func:`erfcinv32` computes every branch and selects one.
The log is Cephes' ``logf`` (S. Moshier, Cephes Math Library, ``logf.c``: the exponent split off, a
degree-9 polynomial on [sqrt(1/2), sqrt 2), ln 2 in two parts), because numba's ``math.log`` is a libm
call the loop cannot vectorize. ``tests/fast_tests/test_inverse_normal.py`` measures both against
scipy's float64 functions.
"""

from __future__ import annotations

import numpy as np

from ._jit import float32_exponent, float32_significand, inline

f32 = np.float32

_SQRT_HALF = f32(0.70710678118654752440)
_LN2_HIGH, _LN2_LOW = f32(0.693359375), f32(-2.12194440e-4)
_LOGF = tuple(
    f32(c)
    for c in (
        7.0376836292e-2,
        -1.1514610310e-1,
        1.1676998740e-1,
        -1.2420140846e-1,
        1.4249322787e-1,
        -1.6668057665e-1,
        2.0000714765e-1,
        -2.4999993993e-1,
        3.3333331174e-1,
    )
)
_L0, _L1, _L2, _L3, _L4, _L5, _L6, _L7, _L8 = _LOGF
_HALF, _ONE, _TWO = f32(0.5), f32(1.0), f32(2.0)

#: Giles' central polynomial (w < 5), highest degree first, in w - 2.5.
_CENTRAL = tuple(
    f32(c)
    for c in (
        2.81022636e-08,
        3.43273939e-07,
        -3.5233877e-06,
        -4.39150654e-06,
        0.00021858087,
        -0.00125372503,
        -0.00417768164,
        0.246640727,
        1.50140941,
    )
)
#: Giles' tail polynomial (w >= 5), highest degree first, in sqrt(w) - 3.
_TAIL = tuple(
    f32(c)
    for c in (
        -0.000200214257,
        0.000100950558,
        0.00134934322,
        -0.00367342844,
        0.00573950773,
        -0.0076224613,
        0.00943887047,
        1.00167406,
        2.83297682,
    )
)
#: The far tail (w >= 16, beyond Giles' single-precision range), highest degree first, in sqrt(w) - 6:
#: fitted to erfcinv by :mod:`initlib.fast.fit_far_tail` (relative error 1e-8 for 16 <= w <= 72).
_FAR = tuple(
    f32(c)
    for c in (
        4.122180846311177e-08,
        -2.903953886315702e-07,
        1.1377182570611303e-06,
        -5.05455050438444e-06,
        2.1441465446475897e-05,
        -4.333690826380781e-05,
        -0.0004727139026491251,
        1.009605277276114,
        5.859913128984028,
    )
)
_C0, _C1, _C2, _C3, _C4, _C5, _C6, _C7, _C8 = _CENTRAL
_T0, _T1, _T2, _T3, _T4, _T5, _T6, _T7, _T8 = _TAIL
_F0, _F1, _F2, _F3, _F4, _F5, _F6, _F7, _F8 = _FAR
_W_SPLIT, _W_CENTRE, _SQRT_W_CENTRE = f32(5.0), f32(2.5), f32(3.0)
_W_FAR, _SQRT_W_FAR_CENTRE = f32(16.0), f32(6.0)


@inline
def log32(y):
    """ln y for a positive, normal float32 ``y`` (Cephes ``logf``): y = m 2^e, m in [sqrt(1/2), sqrt 2),
    ln y = f + (-f^2 / 2 + f^3 P(f)) + e ln 2, f = m - 1."""
    exponent = float32_exponent(y) + _ONE
    m = float32_significand(y) * _HALF  # [0.5, 1)
    low = m < _SQRT_HALF
    m = m + m if low else m
    exponent = exponent - _ONE if low else exponent
    f = m - _ONE
    z = f * f
    p = _L0
    p = p * f + _L1
    p = p * f + _L2
    p = p * f + _L3
    p = p * f + _L4
    p = p * f + _L5
    p = p * f + _L6
    p = p * f + _L7
    p = p * f + _L8
    p = p * f * z + exponent * _LN2_LOW - _HALF * z
    return f + p + exponent * _LN2_HIGH


@inline
def central(w):
    """Giles' p(w) for w < 5, in float32."""
    t = w - _W_CENTRE
    p = _C0
    p = p * t + _C1
    p = p * t + _C2
    p = p * t + _C3
    p = p * t + _C4
    p = p * t + _C5
    p = p * t + _C6
    p = p * t + _C7
    return p * t + _C8


@inline
def tail(w):
    """Giles' p(w) for w >= 5, in float32."""
    t = np.sqrt(w) - _SQRT_W_CENTRE
    p = _T0
    p = p * t + _T1
    p = p * t + _T2
    p = p * t + _T3
    p = p * t + _T4
    p = p * t + _T5
    p = p * t + _T6
    p = p * t + _T7
    return p * t + _T8


@inline
def far_tail(w):
    """The fitted p(w) for w >= 16, in float32."""
    t = np.sqrt(w) - _SQRT_W_FAR_CENTRE
    p = _F0
    p = p * t + _F1
    p = p * t + _F2
    p = p * t + _F3
    p = p * t + _F4
    p = p * t + _F5
    p = p * t + _F6
    p = p * t + _F7
    return p * t + _F8


@inline
def giles_w(q):
    """w = -log(q (2 - q)) = -log(1 - x^2), x = 1 - q."""
    return -log32(q * (_TWO - q))


@inline
def outer(w):
    """p(w) for w >= 5: Giles' tail polynomial below w = 16, the fitted one beyond."""
    return tail(w) if w < _W_FAR else far_tail(w)


@inline
def in_tail(w):
    """Whether w is past the central polynomial's range (q < 0.0067, |z| > 2.7: 0.7% of normal values)."""
    return w >= _W_SPLIT


@inline
def erfcinv32(q):
    """erfcinv(q) for float32 q in [1e-30, 1]: every branch computed, one selected."""
    w = giles_w(q)
    p = central(w)
    p = outer(w) if in_tail(w) else p
    return p * (_ONE - q)
