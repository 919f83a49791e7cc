"""How the far-tail polynomial of :mod:`initlib.fast.inverse_normal` was obtained (not imported at run time).

Giles' single-precision erfinv (2011) covers ``w = -log(q (2 - q)) < 16`` (q down to about 1e-7, |z| up to
5.3, float32's own range of 1 - q); the sampler's q goes down to 2^-49 and a truncated normal's to 1e-30
(w up to 70). For 16 <= w <= 72 the ratio ``erfcinv(q) / (1 - q)`` is fitted by a degree-8 polynomial in
``t = sqrt(w) - 6`` by least squares in relative error at 4000 Chebyshev points of sqrt(w), q computed
from w with mpmath at 120 digits (where ``1 - sqrt(1 - e^-w)`` would cancel in float64) and erfcinv
by scipy (which agrees with mpmath's root of erfc(z) = q to a float64 ulp at 1e-8 ... 1e-30).

Run ``python -m initlib.fast.fit_far_tail`` to print the coefficients and the fit's maximum relative
error (9.6e-9, below float32's 6e-8 ulp).
"""

from __future__ import annotations

LOW_W, HIGH_W, CENTRE, DEGREE, POINTS = 16.0, 72.0, 6.0, 8, 4000


def fit():
    """(coefficients highest degree first, maximum relative error of the fit)."""
    import mpmath
    import numpy as np
    from scipy import special

    mpmath.mp.dps = 120
    lo, hi = np.sqrt(LOW_W), np.sqrt(HIGH_W)
    nodes = np.cos(np.pi * (np.arange(POINTS) + 0.5) / POINTS)
    s = (lo + hi) / 2 + (hi - lo) / 2 * nodes
    q = np.array([float(1 - mpmath.sqrt(1 - mpmath.exp(-mpmath.mpf(float(x * x))))) for x in s])
    ratio = special.erfcinv(q) / (1 - q)
    design = np.vander(s - CENTRE, DEGREE + 1)
    coefficients, *_ = np.linalg.lstsq(design / ratio[:, None], np.ones_like(ratio), rcond=None)
    error = float(np.max(np.abs(design @ coefficients / ratio - 1)))
    return [float(c) for c in coefficients], error


if __name__ == "__main__":
    coefficients, error = fit()
    print("coefficients (highest degree first):")
    for c in coefficients:
        print(f"    {c!r},")
    print(f"maximum relative error of the fit: {error:.2e}")
