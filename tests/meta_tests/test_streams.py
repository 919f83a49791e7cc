"""Meta tests of the long-stream and resolution statistics (issue 19): exact values from their
definitions, calibration under the null, power as stated. Deterministic: numpy generators with fixed
seeds."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from suite.stats import laws as d
from suite.stats import significance as s

from .test_statistics import ALPHA, band


def test_equal_values_counts_pairs_and_lags_between_successive_occurrences():
    # 1 at positions 0, 2, 5 (C(3, 2) = 3 pairs; lags 2 and 3); 2 at 1 and 4 (1 pair; lag 3); 3 once
    pairs, lags = s.equal_values(np.array([1.0, 2.0, 1.0, 3.0, 2.0, 1.0]))
    assert pairs == 4
    assert sorted(lags.tolist()) == [2, 3, 3]
    assert s.equal_values(np.arange(10.0))[0] == 0


def test_a_stream_with_period_p_repeats_at_lag_p():
    rng = np.random.default_rng(1)
    period, n = 4096, 1 << 16
    stream = np.tile(rng.standard_normal(period), n // period)
    pairs, lags = s.equal_values(stream)
    result = s.repeat_lag_test(n, pairs, lags, 1e-9)
    assert result.p_value < 1e-12 and f"lag {period}" in result.measured


def test_repeat_lag_test_is_conservative_under_the_null():
    """Independent draws from a coarse law (512 equally likely values: thousands of repeats, the
    successive occurrences of a value mostly a few hundred apart): the false-alarm rate at 0.05 is at
    most the binomial band's upper end."""

    def p_value(rng):
        values = rng.integers(0, 512, 4096).astype(float)
        return s.repeat_lag_test(values.size, *s.equal_values(values), ALPHA).p_value

    rng = np.random.default_rng(7)
    rate = np.mean([p_value(rng) <= ALPHA for _ in range(200)])
    assert rate <= band(ALPHA, 200)[1]


@pytest.mark.parametrize(
    ("law", "integral"),
    [
        (d.normal(0.0, 1.0), 1 / (2 * math.pi)),  # 2 int_0^inf x exp(-x^2) / (2 pi) dx
        (d.uniform(-3.0, 3.0), 0.25),  # int_-3^3 |x| / 36 dx = 9 / 36
        (d.uniform(1.0, 3.0), 0.5),  # int_1^3 x / 4 dx = (9 - 1) / 8
    ],
)
def test_pair_collision_bound_is_the_integral_of_f_squared_times_x(law, integral):
    assert s.pair_collision_bound(law, 52) == pytest.approx(integral * 2.0**-52, rel=1e-6)


def test_float64_from_53_bits_passes_and_from_float32_fails():
    rng = np.random.default_rng(3)
    law = d.normal(0.0, 1.0)
    bound = s.pair_collision_bound(law, 52)
    full = rng.standard_normal(1 << 18)
    assert s.resolution_test(full.size, s.equal_values(full)[0], bound, 1e-7, 53, 16.0).p_value > 0.01
    coarse = full.astype(np.float32).astype(np.float64)
    assert s.resolution_test(coarse.size, s.equal_values(coarse)[0], bound, 1e-7, 53, 16.0).p_value < 1e-12


def test_resolution_power_as_stated():
    """Values carrying the stated number of random bits (2^b equally likely values) are found at least
    as often as the stated power 0.99 says (19 of 20 runs at the least)."""
    n, alpha = 1 << 16, 1e-7
    bound = s.pair_collision_bound(d.uniform(0.0, 1.0), 52)
    stated = s.resolution_test(n, 0, bound, alpha, 53, 16.0)
    bits = int(re.search(r"carrying (\d+) random bits", stated.effect).group(1))
    rng = np.random.default_rng(11)
    found = 0
    for _ in range(20):
        values = rng.integers(0, 2**bits, n) / 2.0**bits
        found += s.resolution_test(n, s.equal_values(values)[0], bound, alpha, 53, 16.0).p_value <= alpha
    assert found >= 19
