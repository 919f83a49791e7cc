"""The check statistics: p-values uniform under the null (rejection rate within its binomial band), the
interval null, and the ordering test's direction."""

import numpy as np
from scipy.stats import binomtest

from suite.theory import record


def rejection_rate(test, draw, reps=1500, level=0.05):
    rng = np.random.default_rng(2024)
    return sum(test(draw(rng)) < level for _ in range(reps)), reps


def test_mean_test_calibrated_under_the_null():
    k, n = rejection_rate(lambda x: record.mean_test(x, 1.0)[2], lambda g: g.exponential(1.0, 60))
    assert binomtest(k, n, 0.05).pvalue > 1e-3


def test_variance_test_calibrated_for_a_non_normal_law():
    # Uniform(0, 1): variance 1/12, kurtosis 1.8; a test assuming normality would be far too conservative.
    k, n = rejection_rate(lambda x: record.variance_test(x, 1 / 12)[2], lambda g: g.random(2000))
    assert binomtest(k, n, 0.05).pvalue > 1e-3


def test_mean_test_detects_a_shift_and_honours_the_interval_null():
    x = np.random.default_rng(1).normal(1.1, 0.1, 200)
    assert record.mean_test(x, 1.0)[2] < 1e-6
    assert record.mean_test(x, 1.0, high=1.2)[2] == 1.0


def test_ordering_test_flags_only_a_reversal():
    g = np.random.default_rng(3)
    big, small = g.normal(2, 0.1, 20), g.normal(1, 0.1, 20)
    assert record.ordering_test(big, small)[2] > 0.5
    assert record.ordering_test(small, big)[2] < 1e-6
