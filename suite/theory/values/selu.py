"""SELU's self-normalising map (Klambauer et al. 2017, "Self-normalizing neural networks").

With lecun_normal weights (variance 1 / fan_in) and inputs of mean mu and variance nu, the
pre-activations are centred Gaussians of variance s = mu^2 + nu (the row sums of the weights are N(0, 1)),
so the activations' mean and second moment after one layer are h(s) and g(s), with
z ~ N(0, s), selu(z) = lam z (z > 0), lam alpha (e^z - 1) (z <= 0), in closed form:

    h(s) = lam [sqrt(s / 2 pi) + alpha (e^{s/2} Phi(-sqrt s) - 1/2)]
    g(s) = lam^2 [s / 2 + alpha^2 (e^{2s} Phi(-2 sqrt s) - 2 e^{s/2} Phi(-sqrt s) + 1/2)]

(E[e^{t z}; z < 0] = e^{t^2 s / 2} Phi(-t sqrt s)). The fixed point is (mean, variance) = (0, 1): h(1) = 0,
g(1) = 1 by the choice of lam and alpha. Near it the variance's deviation contracts by g'(1) per layer
(Klambauer et al.'s Jacobian at (0, 1) with omega = 0, tau = 1: d nu~ / d nu = 0.7826).
"""

from __future__ import annotations

import math

from scipy.stats import norm

LAMBDA = 1.0507009873554804934193349852946
ALPHA = 1.6732632423543772848170429916717


def mean_after(s: float) -> float:
    r = math.sqrt(s)
    return LAMBDA * (r / math.sqrt(2 * math.pi) + ALPHA * (math.exp(s / 2) * norm.cdf(-r) - 0.5))


def second_moment_after(s: float) -> float:
    r = math.sqrt(s)
    neg = math.exp(2 * s) * norm.cdf(-2 * r) - 2 * math.exp(s / 2) * norm.cdf(-r) + 0.5
    return LAMBDA**2 * (s / 2 + ALPHA**2 * neg)


def trajectory(mean0: float, var0: float, depth: int) -> list[tuple[float, float]]:
    """[(mean_l, variance_l)] for l = 0..depth from the start (mean0, var0)."""
    out = [(mean0, var0)]
    s = mean0 * mean0 + var0
    for _ in range(depth):
        m, s = mean_after(s), second_moment_after(s)
        out.append((m, s - m * m))
    return out


def contraction_rate(h: float = 1e-5) -> float:
    """g'(1): the per-layer factor of the variance's deviation from 1 near the fixed point."""
    return (second_moment_after(1 + h) - second_moment_after(1 - h)) / (2 * h)
