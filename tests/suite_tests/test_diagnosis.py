"""suite.engine.diagnosis: what a sample looks like, with expected values from the formulas (oracle) and the
known mistakes' factors, never from the code under test."""

from __future__ import annotations

import math

import numpy as np
import pytest

from suite.engine import diagnosis


def _normal(std: float, n: int = 40_000, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(0.0, std, n)


def test_fans_swapped_reads_as_fan_out():
    """kaiming_normal_ on (256, 128) claims gain/sqrt(fan_in) = sqrt(2)/sqrt(128); drawn with fan_out = 256."""
    shape, gain = (256, 128), math.sqrt(2.0)
    claimed, drawn = gain / math.sqrt(128), gain / math.sqrt(256)
    x = _normal(drawn)
    record = diagnosis.describe(x, x.mean(), x.std(), shape, claimed)
    assert record["family"] == "normal"
    assert record["looks_like"].startswith("matches fan_out")
    assert record["std_sqrt_fan_out"] == pytest.approx(gain, rel=0.02)  # std = gain / sqrt(fan_out)
    assert "matches fan_out" in record["text"]


def test_a_truncation_correction_applied_twice_is_named():
    """std divided by 0.8796 (the std of N(0, 1) truncated to +-2, scipy): the correction applied to a normal."""
    x = _normal(0.1 / 0.87962566103423978)
    record = diagnosis.describe(x, x.mean(), x.std(), (64, 64), 0.1)
    assert record["looks_like"] == "matches the std divided by 0.8796"


def test_uniform_and_constant_families():
    x = np.random.default_rng(1).uniform(-1, 1, 40_000)
    assert diagnosis.describe(x, x.mean(), x.std(), (100, 100))["family"] == "uniform"
    c = np.full(100, 0.5)
    assert diagnosis.describe(c, 0.5, 0.0, (10, 10))["family"] == "constant"


def test_a_sample_close_to_its_claim_names_no_mistake():
    x = _normal(0.1)
    record = diagnosis.describe(x, x.mean(), x.std(), (300, 100), 0.1)
    assert "looks_like" not in record or not record["looks_like"].startswith("matches")
