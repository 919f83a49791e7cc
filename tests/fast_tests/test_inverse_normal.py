"""The float32 log and erfcinv of initlib/fast/inverse_normal.py against scipy's float64 functions."""

import numpy as np
import pytest
from scipy import special

numba = pytest.importorskip("numba")

from initlib.fast import inverse_normal  # noqa: E402


@numba.njit
def _apply_log(values, out):
    for i in range(values.size):
        out[i] = inverse_normal.log32(values[i])


@numba.njit
def _apply_erfcinv(values, out):
    for i in range(values.size):
        out[i] = inverse_normal.erfcinv32(values[i])


def test_log32_within_a_few_ulps():
    y = np.exp(np.random.default_rng(0).uniform(-87.0, 0.0, 100_000)).astype(np.float32)
    out = np.empty_like(y)
    _apply_log(y, out)
    exact = np.log(y.astype(np.float64))
    assert np.max(np.abs(out - exact)) < 4 * np.spacing(np.float32(87.0))


@pytest.mark.parametrize("low, high", [(-1e-3, 0.0), (-5.0, 0.0), (-16.0, -5.0), (-36.0, -16.0), (-69.0, -36.0)])
def test_erfcinv32_relative_error_below_1e_6(low, high):
    # q from 1e-30 (w = 69) to 1: Giles' two ranges and the fitted far tail.
    q = np.exp(np.random.default_rng(1).uniform(low, high, 100_000)).astype(np.float32)
    out = np.empty_like(q)
    _apply_erfcinv(q, out)
    exact = special.erfcinv(q.astype(np.float64))
    nonzero = exact > 0
    assert np.max(np.abs(out[nonzero] / exact[nonzero] - 1.0)) < 1e-6
