"""The claimed laws' own arithmetic: the truncated normal's CDF, which every truncated initializer's PIT and
KS test go through, against the definition evaluated in 400-digit arithmetic (mpmath), in the body and deep in
both tails, where a naive Phi(z) - Phi(alpha) in double precision loses every digit."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest

from suite.stats import laws

INTERVALS = [
    (0.0, 1.0, -2.0, 2.0),  # trunc_normal_'s default
    (0.0, 1.0, -8.0, -4.0),  # deep in the lower tail: mass 3.2e-5
    (0.0, 1.0, 4.0, 8.0),  # the same, mirrored
    (0.5, 0.5, 2.0, 3.5),  # 3 to 6 std above the mean
    (0.0, 1.0, -30.0, -29.0),  # mass 1e-185
    (0.0, 1.0, 29.0, 30.0),  # the same, mirrored: 1 - Phi(29) is 0 in double precision
    (1.0, 2.0, -3.0, 5.0),
    (0.0, 1.0, -0.5, 40.0),
    (0.0, 1.0, -1e-3, 1e-3),  # narrow, around the mean
]


def reference_cdf(x: float, mean: float, std: float, a: float, b: float) -> float:
    """(Phi(z) - Phi(alpha)) / (Phi(beta) - Phi(alpha)), z clipped to [alpha, beta], at 400 digits (enough
    for 1 - Phi(30))."""
    with mpmath.workdps(400):
        alpha, beta = (mpmath.mpf(a) - mean) / std, (mpmath.mpf(b) - mean) / std
        z = min(max((mpmath.mpf(x) - mean) / std, alpha), beta)
        return float((mpmath.ncdf(z) - mpmath.ncdf(alpha)) / (mpmath.ncdf(beta) - mpmath.ncdf(alpha)))


@pytest.mark.parametrize("params", INTERVALS, ids=lambda p: f"N({p[0]},{p[1]}^2)[{p[2]},{p[3]}]")
def test_truncated_normal_cdf_matches_the_definition_to_ten_digits(params):
    _, _, a, b = params
    points = np.concatenate([np.linspace(a, b, 17), [a - 1.0, b + 1.0, (a + b) / 2]])
    got = laws.truncated_normal(*params).cdf(points)
    expected = np.array([reference_cdf(x, *params) for x in points])
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-14)
    assert got[0] == 0.0 and got[16] == 1.0 and got[17] == 0.0 and got[18] == 1.0


def test_an_interval_too_far_out_for_double_precision_is_left_to_scipy():
    far = laws.truncated_normal(0.0, 1.0, -40.0, -39.0)  # mass 1e-350: Phi underflows
    assert laws.truncated_normal_cdf(np.array([-39.5]), *far.params) is None
    assert 0.9 < float(far.cdf(np.array([-39.0 - 1e-3]))[0]) < 1.0  # scipy's log-space evaluation


@pytest.mark.parametrize("law", [laws.normal(0.3, 1.7), laws.normal(0.0, 1e-3), laws.uniform(-0.5, 2.0)], ids=str)
def test_normal_and_uniform_cdfs_match_their_definitions(law):
    points = np.linspace(-6.0, 6.0, 49)
    if law.family == "normal":
        mean, std = law.params
        expected = [float(mpmath.ncdf((mpmath.mpf(x) - mean) / std)) for x in points]
    else:
        low, high = law.params
        expected = [min(1.0, max(0.0, (x - low) / (high - low))) for x in points]
    np.testing.assert_allclose(law.cdf(points), expected, rtol=1e-12, atol=1e-300)
