"""Log-norm of a product of L Gaussian matrices applied to a unit vector: exact moments.

For W_1..W_L with iid N(0, 1) entries (n x n) and a unit vector x, rotation invariance makes the
per-factor ratios ||W_k y||^2 / ||y||^2 independent chi-square(n) variables, so log ||W_L..W_1 x||^2 is
a sum of L iid log chi2(n) (Newman 1986, "The distribution of Lyapunov exponents: exact results for
random matrices"; Cohen and Newman 1984). With E log chi2(n) = ln 2 + psi(n / 2) and
Var log chi2(n) = psi'(n / 2):

    E log ||P x||^2 = L (ln 2 + psi(n / 2)),   Var log ||P x||^2 = L psi'(n / 2).
"""

from __future__ import annotations

import math

from scipy.special import polygamma, psi


def lognorm_mean(depth: int, n: int) -> float:
    return depth * (math.log(2.0) + float(psi(n / 2.0)))


def lognorm_variance(depth: int, n: int) -> float:
    return depth * float(polygamma(1, n / 2.0))
