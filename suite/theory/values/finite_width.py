"""Finite-width fluctuations of deep He-initialised ReLU networks (Hanin and Rolnick 2018, "How to start
training: the effect of initialization and architecture").

Weights N(0, 2 / fan_in), zero bias, widths n_0, n_1, ..., n_L. Given layer j - 1, the pre-activations of
layer j are iid N(0, 2 |x_{j-1}|^2 / n_{j-1}), so the ratio of mean squared activations
r_j = (|x_j|^2 / n_j) / (|x_{j-1}|^2 / n_{j-1}) = (2 / n_j) chi2(K_j), K_j ~ Binomial(n_j, 1/2) (the units
that are on), independently over layers. Hence E r_j = 1, Var r_j = 5 / n_j and, exactly,

    Var log(M_L / M_0) = sum_j Var[log chi2(K_j)],
    Var log chi2(K) = Var_K[psi(K / 2)] + E_K[psi'(K / 2)]  (K > 0; P(K = 0) = 2^-n is excluded),

which Hanin and Rolnick's theorem 5 gives to leading order as 5 sum_j 1 / n_j.
"""

from __future__ import annotations

import numpy as np
from scipy.special import polygamma, psi
from scipy.stats import binom


def log_ratio_variance(width: int) -> float:
    """Var log r for one layer of width ``width`` (conditioned on some unit being on)."""
    k = np.arange(1, width + 1)
    p = binom.pmf(k, width, 0.5)
    p = p / p.sum()
    m = psi(k / 2.0)
    return float(np.dot(p, (m - np.dot(p, m)) ** 2) + np.dot(p, polygamma(1, k / 2.0)))


def log_norm_variance(widths: list[int]) -> float:
    """Var log(M_L / M_0) over the hidden/output widths n_1..n_L."""
    return float(sum(log_ratio_variance(n) for n in widths))


def leading_order(widths: list[int]) -> float:
    """Hanin and Rolnick's 5 sum 1 / n_j."""
    return 5.0 * sum(1.0 / n for n in widths)
