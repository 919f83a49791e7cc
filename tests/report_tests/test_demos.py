"""The demonstrations reproduce what the mathematics predicts (each test names its formula and source)."""

import math

import pytest

from reports import demos

from .helpers import fixture_demos

# The per-layer ratio of second moments has relative variance 5/n for ReLU with n units (Hanin & Rolnick
# 2018; 2/n for linear layers). The geometric mean over L - 1 layers then has a relative standard
# deviation of at most sqrt(5 / (n (L - 1))); the batch average only shrinks it. Six of those.
Z = 6.0


def _tolerance(p: demos.Propagation) -> float:
    return Z * math.sqrt(5.0 / (p.width * (p.depth - 1)))


@pytest.mark.parametrize("nonlinearity", ["relu", "linear"])
@pytest.mark.parametrize("init", demos.INITS)
def test_propagation_ratio_per_layer(nonlinearity, init):
    p = fixture_demos().propagation
    expected = demos.expected_ratio(nonlinearity, init, p.width)
    tol = _tolerance(p)
    assert p.forward_ratio(nonlinearity, init) == pytest.approx(expected, rel=tol)
    # square layers: fan_out = fan_in, so the backward ratio is the same
    assert p.backward_ratio(nonlinearity, init) == pytest.approx(expected, rel=tol)


def test_the_classic_relu_numbers():
    n = 256
    assert demos.expected_ratio("relu", "he", n) == pytest.approx(1.0)
    assert demos.expected_ratio("relu", "xavier", n) == pytest.approx(0.5)
    assert demos.expected_ratio("relu", "lecun", n) == pytest.approx(0.5)
    assert demos.expected_ratio("relu", "default", n) == pytest.approx(1 / 6)
    assert demos.expected_ratio("tanh", "he", n) is None


def test_tanh_default_vanishes_and_he_does_not():
    p = fixture_demos().propagation
    assert p.forward["tanh"]["default"][-1] < 1e-15
    assert 0.1 < p.forward["tanh"]["he"][-1] < 10


def test_symmetry():
    s = fixture_demos().symmetry
    assert set(s.distinct["constant"]) == {1}, "constant initialization must keep one distinct unit"
    assert set(s.distinct["random"]) == {s.hidden}
    dropout = s.distinct["constant + dropout"]
    assert dropout[0] == 1
    assert dropout[-1] == s.hidden, "dropout breaks the symmetry"
    assert len(s.distinct["constant"]) == s.steps + 1


def test_distinct_units_counts_rows():
    import torch

    rows = torch.tensor([[1.0, 2.0], [1.0, 2.0], [1.0, 2.0 + 1e-14], [3.0, 4.0]], dtype=torch.float64)
    assert demos.distinct_units(rows) == 2


def test_sigmoid_gradient_peaks_at_a_quarter():
    s = fixture_demos().sigmoid
    assert s.max_gradient == pytest.approx(0.25, abs=1e-12)
    step = s.x[1] - s.x[0]
    assert abs(s.argmax) <= step


def test_gaussian_product_theory_and_measurement():
    gp = fixture_demos().gaussian_product
    # the reference's numbers: 0.55797 per factor for n = 4, sd 4.02 at L = 100
    assert gp.per_factor == pytest.approx(0.55797, abs=1e-5)
    assert gp.theory_std(100) == pytest.approx(4.02, abs=0.005)
    for depth in (10, 50, gp.depth):
        sem = gp.theory_std(depth) / math.sqrt(gp.trials)
        assert abs(gp.mean[depth] - gp.theory_mean(depth)) < Z * sem
        # sd of a sample sd is about sd / sqrt(2 T)
        assert gp.std[depth] == pytest.approx(gp.theory_std(depth), rel=Z / math.sqrt(2 * gp.trials))
    # with N(0, 1/n) entries the typical norm decays: ln 2 + psi(2) - ln 4 < 0
    assert gp.theory_mean(100, 1 / gp.n) < 0


def test_deterministic_for_a_seed():
    a = demos.propagation(seed=3, width=32, depth=5, batch=8)
    b = demos.propagation(seed=3, width=32, depth=5, batch=8)
    c = demos.propagation(seed=4, width=32, depth=5, batch=8)
    assert a.forward == b.forward and a.backward == b.backward
    assert a.forward != c.forward
    assert demos.gaussian_product(1, trials=50, depth=5).mean == demos.gaussian_product(1, trials=50, depth=5).mean
