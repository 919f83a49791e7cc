"""Spectrum of the input-output Jacobian of a deep network at criticality, by free probability
(Pennington, Schoenholz and Ganguli 2017, "Resurrecting the sigmoid in deep learning through dynamical
isometry", eqs. 12-16).

J = D_L W_L ... D_1 W_1 with D_l = diag(phi'(h_l)). The S-transforms of freely independent factors
multiply, and the first coefficient of S relative to S(0) is minus the normalised variance, so the
normalised variances add over factors:

    m1 = E[s^2] = (sw2 mu_1)^L  (= chi_1^L = 1 at criticality),
    sigma^2 / m1^2 = L (mu_2 / mu_1^2 - 1 - s_1),

with mu_k = E[phi'(sqrt(q*) Z)^(2k)] and s_1 the first S-transform coefficient of W^T W: -1 for Gaussian
weights (Marchenko-Pastur), 0 for orthogonal weights (all singular values equal).
"""

from __future__ import annotations

from . import meanfield

S1 = {"orthogonal": 0.0, "gaussian": -1.0}


def normalised_variance(depth: int, sb2: float, weights: str) -> float:
    sw2 = meanfield.critical_sw2(sb2)
    q = meanfield.q_star(sw2, sb2)
    return depth * (meanfield.mu(2, q) / meanfield.mu(1, q) ** 2 - 1.0 - S1[weights])


def mean_squared_singular_value(depth: int, sw2: float, sb2: float) -> float:
    return meanfield.chi1(sw2, sb2) ** depth
