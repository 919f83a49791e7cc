"""Mean-field signal propagation through deep tanh networks: the theory values (no measurement here).

Weights N(0, sw2 / fan_in), biases N(0, sb2), phi = tanh (Poole et al. 2016, "Exponential expressivity in
deep neural networks through transient chaos"; Schoenholz et al. 2017, "Deep information propagation"):

- length map       q_l = sw2 E[phi(sqrt(q_{l-1}) Z)^2] + sb2, fixed point q* (its root by brentq);
- correlation map  c_l = (sw2 E[phi(u1) phi(u2)] + sb2) / q*, (u1, u2) with variance q* and correlation c_{l-1};
- chi_1 = sw2 E[phi'(sqrt(q*) Z)^2], the per-layer growth of a squared perturbation; chi_1 = 1 is the
  critical line (the edge of chaos) separating the ordered (chi_1 < 1, c* = 1) and chaotic phases;
- chi_c = sw2 E[phi'(u1) phi'(u2)] at the correlation fixed point c*, and the correlation depth scale
  xi_c = -1 / ln chi_c (Schoenholz et al. 2017, eq. 9); at c* = 1, chi_c = chi_1.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq

from ..gauss import expect, expect2


def phi(x):
    return np.tanh(x)


def dphi(x):
    return 1.0 / np.cosh(x) ** 2


def length_map(q: float, sw2: float, sb2: float) -> float:
    return sw2 * expect(lambda u: phi(u) ** 2, q) + sb2


def q_star(sw2: float, sb2: float) -> float:
    """The fixed point of the length map: the root of f(q) - q on [sb2, sw2 + sb2] (f is increasing and
    concave with sb2 <= f(q) < sw2 + sb2, so the root is unique; q* = 0 when sb2 = 0 and sw2 <= 1)."""
    lo, hi = sb2, sw2 + sb2
    if length_map(lo, sw2, sb2) - lo <= 0.0:
        return lo
    return brentq(lambda q: length_map(q, sw2, sb2) - q, lo, hi, xtol=1e-15, rtol=1e-14)


def mu(k: int, q: float) -> float:
    """mu_k = E[phi'(sqrt(q) Z)^(2k)] (Pennington et al. 2017, eq. 11)."""
    return expect(lambda u: dphi(u) ** (2 * k), q)


def chi1(sw2: float, sb2: float) -> float:
    return sw2 * mu(1, q_star(sw2, sb2))


def critical_sw2(sb2: float) -> float:
    """sw2 with chi_1 = 1 at bias variance sb2 (chi_1 increases with sw2 along the line)."""
    return brentq(lambda s: chi1(s, sb2) - 1.0, 1.0, 10.0, xtol=1e-13)


def correlation_map(c: float, sw2: float, sb2: float, q: float) -> float:
    return (sw2 * expect2(lambda a, b: phi(a) * phi(b), q, c) + sb2) / q


def c_star(sw2: float, sb2: float) -> float:
    """The stable correlation fixed point: 1 in the ordered phase, below 1 in the chaotic phase."""
    q = q_star(sw2, sb2)
    if sw2 * mu(1, q) <= 1.0 + 1e-9:
        return 1.0
    c = 0.0
    for _ in range(100_000):
        nxt = correlation_map(c, sw2, sb2, q)
        if abs(nxt - c) < 1e-14:
            return nxt
        c = nxt
    raise ArithmeticError(f"correlation map did not converge at sw2={sw2}, sb2={sb2}")


def chi_c(sw2: float, sb2: float) -> float:
    q = q_star(sw2, sb2)
    c = c_star(sw2, sb2)
    return sw2 * expect2(lambda a, b: dphi(a) * dphi(b), q, c)


def depth_scale(sw2: float, sb2: float) -> float:
    """xi_c = -1 / ln chi_c (infinite on the critical line)."""
    x = chi_c(sw2, sb2)
    return math.inf if x >= 1.0 else -1.0 / math.log(x)


def derivative(f, x: float, h: float) -> tuple[float, float]:
    """(f'(x), f''(x)) by central differences of step h."""
    f0, fp, fm = f(x), f(x + h), f(x - h)
    return (fp - fm) / (2 * h), (fp - 2 * f0 + fm) / (h * h)


def finite_width_bias(sw2: float, sb2: float, width: int) -> dict:
    """Leading 1/width bias of the stationary q and of the per-layer JVP growth of a width-``width`` network.

    At finite width the pre-activation variance v_l = sw2 |phi(h_{l-1})|^2 / N + sb2 is a Markov chain with
    E[v_l | v_{l-1}] = f(v_{l-1}) (f the length map) and Var[v_l | v_{l-1}] = sw2^2 Var[phi(sqrt(v) Z)^2] / N.
    Linearised at q*: Var v = s2 / (1 - f'^2), E v - q* = f'' Var v / (2 (1 - f')). The growth of a fresh
    random direction u through D W (D = diag phi'(h)) has E = sw2 [(1 - 1/N) A(v) + C(v) / N] with
    A(v) = E phi'(sqrt(v) Z)^2 and C the same weighted by the squared component of u along W phi(h).
    """
    q = q_star(sw2, sb2)
    h = 1e-4 * q
    f1, f2 = derivative(lambda v: length_map(v, sw2, sb2), q, h)
    s2 = sw2**2 * (expect(lambda u: phi(u) ** 4, q) - expect(lambda u: phi(u) ** 2, q) ** 2) / width
    var_v = s2 / (1.0 - f1 * f1)
    bias_q = f2 * var_v / (2.0 * (1.0 - f1))
    a1, a2 = derivative(lambda v: mu(1, v), q, h)
    # C(v): h = sqrt(v - sb2) g + sqrt(sb2) z', weight g^2 (the component of u along the row direction).
    pre = q - sb2
    c_term = expect2(
        lambda g, z: dphi(math.sqrt(pre) * g / math.sqrt(q) + math.sqrt(sb2 / q) * z) ** 2 * g * g / q, q, 0.0
    )
    bias_chi = sw2 * (a1 * bias_q + 0.5 * a2 * var_v + (c_term - mu(1, q)) / width)
    return {"q": bias_q, "chi1": bias_chi, "var_q": var_v}
