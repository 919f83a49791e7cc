"""Mean-field theory values against a second method: the trapezoidal rule on a fine grid (spectrally accurate
for smooth integrands against the Gaussian density) and adaptive quadrature (scipy.integrate.quad) in place
of Gauss-Hermite, fixed points checked by substitution, and the published critical point."""

import math

import numpy as np
import pytest
from scipy.optimize import brentq
from scipy.stats import norm

from suite.theory.values import meanfield as mf

GRID = np.linspace(-12.0, 12.0, 6001)
WEIGHTS = norm.pdf(GRID) * (GRID[1] - GRID[0])


def gauss(f, q):
    """E[f(sqrt(q) Z)] by the trapezoidal rule (the density vanishes at the ends)."""
    return float(np.dot(WEIGHTS, f(math.sqrt(q) * GRID)))


def q_star_by_root(sw2, sb2):
    return brentq(lambda q: sw2 * gauss(lambda u: np.tanh(u) ** 2, q) + sb2 - q, 1e-9, 50.0, xtol=1e-14)


def chi1_by_quad(sw2, sb2):
    q = q_star_by_root(sw2, sb2)
    return sw2 * gauss(lambda u: 1 / np.cosh(u) ** 4, q)


POINTS = [(1.0, 0.05), (2.5, 0.05), (4.0, 0.05), (1.3, 0.01), (2.0, 0.2)]


@pytest.mark.parametrize(("sw2", "sb2"), POINTS)
def test_q_star_and_chi1_against_adaptive_quadrature(sw2, sb2):
    assert mf.q_star(sw2, sb2) == pytest.approx(q_star_by_root(sw2, sb2), rel=1e-9)
    assert mf.chi1(sw2, sb2) == pytest.approx(chi1_by_quad(sw2, sb2), rel=1e-9)


@pytest.mark.parametrize("sb2", [0.01, 0.2])
def test_critical_line_is_where_quadrature_chi1_crosses_one(sb2):
    sw2 = mf.critical_sw2(sb2)
    assert chi1_by_quad(sw2, sb2) == pytest.approx(1.0, abs=1e-10)
    assert chi1_by_quad(sw2 * (1 - 1e-6), sb2) < 1.0 < chi1_by_quad(sw2 * (1 + 1e-6), sb2)


def test_critical_point_published():
    # Schoenholz et al. (2017), fig. 1 / Poole et al. (2016), fig. 2: the order-to-chaos line passes
    # sigma_w^2 ~ 1.76 at sigma_b^2 = 0.05.
    assert mf.critical_sw2(0.05) == pytest.approx(1.76, abs=0.01)


def test_relu_free_limit_tanh_small_bias():
    # As sb2 -> 0 the critical tanh point tends to (sw2, q*) = (1, 0): tanh is linear near 0 (Poole et al. 2016).
    assert mf.critical_sw2(1e-8) == pytest.approx(1.0, abs=0.01)
    assert mf.q_star(mf.critical_sw2(1e-8), 1e-8) < 0.01


def test_chaotic_correlation_fixed_point_by_2d_trapezoid():
    sw2, sb2 = 2.5, 0.05
    q, c = mf.q_star(sw2, sb2), mf.c_star(sw2, sb2)
    assert 0 < c < 1
    z = np.linspace(-9.0, 9.0, 1801)
    w = norm.pdf(z) * (z[1] - z[0])
    z1, z2 = np.meshgrid(z, z, indexing="ij")
    s = math.sqrt(q)
    both = np.tanh(s * z1) * np.tanh(s * (c * z1 + math.sqrt(1 - c * c) * z2))
    assert (sw2 * float(w @ both @ w) + sb2) / q == pytest.approx(c, abs=1e-9)
    assert mf.chi_c(sw2, sb2) < 1.0  # the chaotic fixed point attracts


def test_depth_scale_ordered_phase_is_minus_one_over_log_chi1():
    # In the ordered phase c* = 1 and chi_c = chi_1 (Schoenholz et al. 2017, eq. 9 and below).
    sw2, sb2 = 1.0, 0.05
    assert mf.depth_scale(sw2, sb2) == pytest.approx(-1.0 / math.log(chi1_by_quad(sw2, sb2)), rel=1e-8)
    assert math.isinf(mf.depth_scale(mf.critical_sw2(sb2), sb2))


def test_finite_width_bias_scales_as_one_over_width():
    a, b = mf.finite_width_bias(1.5, 0.05, 256), mf.finite_width_bias(1.5, 0.05, 512)
    assert a["q"] == pytest.approx(2 * b["q"], rel=1e-6)
    assert a["chi1"] == pytest.approx(2 * b["chi1"], rel=1e-6)
