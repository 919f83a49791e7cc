"""Products, SELU, finite-width and isometry theory values against independent computations and published
numbers."""

import math

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.special import comb
from scipy.stats import chi2, norm

from suite.theory.values import finite_width, isometry, meanfield, products, selu


@pytest.mark.parametrize("n", [2, 4, 16])
def test_log_chi2_moments_by_quadrature(n):
    mean = chi2(n).expect(np.log)
    var = chi2(n).expect(lambda x: (np.log(x) - mean) ** 2)
    assert products.lognorm_mean(7, n) == pytest.approx(7 * mean, rel=1e-7)
    assert products.lognorm_variance(7, n) == pytest.approx(7 * var, rel=1e-6)


def selu_np(x):
    return selu.LAMBDA * np.where(x > 0, x, selu.ALPHA * np.expm1(np.minimum(x, 0)))


@pytest.mark.parametrize("s", [0.3, 1.0, 2.5])
def test_selu_closed_forms_by_quadrature(s):
    r = math.sqrt(s)
    m = quad(lambda z: selu_np(r * z) * norm.pdf(z), -40, 0)[0] + quad(lambda z: selu_np(r * z) * norm.pdf(z), 0, 40)[0]
    m2 = sum(quad(lambda z: selu_np(r * z) ** 2 * norm.pdf(z), a, b)[0] for a, b in ((-40, 0), (0, 40)))
    assert selu.mean_after(s) == pytest.approx(m, abs=1e-10)
    assert selu.second_moment_after(s) == pytest.approx(m2, rel=1e-10)


def test_selu_fixed_point_and_published_jacobian():
    # Klambauer et al. (2017), section "Stable and attracting fixed point (0, 1)": for omega = 0, tau = 1 the
    # Jacobian of the (mu, nu) map at (0, 1) is [[0.0, 0.088834], [0.0, 0.782648]].
    assert selu.mean_after(1.0) == pytest.approx(0.0, abs=1e-12)
    assert selu.second_moment_after(1.0) == pytest.approx(1.0, abs=1e-12)
    assert selu.contraction_rate() == pytest.approx(0.782648, abs=2e-6)
    d_mean = (selu.mean_after(1 + 1e-5) - selu.mean_after(1 - 1e-5)) / 2e-5
    assert d_mean == pytest.approx(0.088834, abs=2e-6)


@pytest.mark.parametrize("n", [3, 8, 32])
def test_relu_log_ratio_variance_by_simulation(n):
    # An independent route: simulate the per-layer ratio r = (2/n) sum_i B_i g_i^2 directly (numpy, seeded).
    rng = np.random.default_rng(12345)
    reps = 200_000
    r = (2.0 / n) * ((rng.random((reps, n)) < 0.5) * rng.standard_normal((reps, n)) ** 2).sum(axis=1)
    logs = np.log(r[r > 0])
    se = math.sqrt(np.var(logs) ** 2 * (np.mean((logs - logs.mean()) ** 4) / np.var(logs) ** 2 - 1) / logs.size)
    assert abs(np.var(logs) - finite_width.log_ratio_variance(n)) < 5 * se


def test_relu_ratio_moments_and_hanin_rolnick_leading_order():
    # E r = 1 and Var r = 5/n exactly; Var log r -> 5/n (Hanin and Rolnick 2018, theorem 5).
    assert finite_width.log_ratio_variance(2000) * 2000 == pytest.approx(5.0, rel=0.01)
    assert finite_width.leading_order([10, 20]) == pytest.approx(0.75)


def test_isometry_gaussian_linear_limit_is_fuss_catalan():
    # Without the nonlinearity (mu2 = mu1^2) the Gaussian product's squared singular values follow the
    # Fuss-Catalan law of order L, whose second moment is binom(2L + 2, 2) / (2L + 1) = L + 1 (variance L).
    for depth in (1, 5, 40):
        fc2 = comb(2 * depth + 2, 2, exact=True) / (2 * depth + 1)
        assert depth * (0 - isometry.S1["gaussian"]) == pytest.approx(fc2 - 1)


def test_isometry_one_layer_by_free_moment_formula():
    # Free variables a, b: m2(ab) = m2(a) m1(b)^2 + m1(a)^2 m2(b) - m1(a)^2 m1(b)^2 (Nica and Speicher, lecture 14).
    # a = D^2 (moments mu1, mu2), b = sw2 W W^T: Marchenko-Pastur (m1 = sw2, m2 = 2 sw2^2) or orthogonal (sw2, sw2^2).
    sb2 = 1e-3
    sw2 = meanfield.critical_sw2(sb2)
    q = meanfield.q_star(sw2, sb2)
    mu1, mu2 = meanfield.mu(1, q), meanfield.mu(2, q)
    for weights, b2 in (("gaussian", 2 * sw2**2), ("orthogonal", sw2**2)):
        m1 = mu1 * sw2
        m2 = mu2 * sw2**2 + mu1**2 * b2 - mu1**2 * sw2**2
        assert isometry.normalised_variance(1, sb2, weights) == pytest.approx(m2 / m1**2 - 1, rel=1e-9)
