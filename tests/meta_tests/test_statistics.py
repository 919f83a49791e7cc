"""Meta tests: every statistical test of the suite, judged on fixed-seed batteries the way RNG
batteries are judged. Under the null its rejection rate at alpha = 0.05 lies inside the binomial band
alpha +- 3 sqrt(alpha (1 - alpha) / R) (conservative tests: at most the upper end) and its p-values are
uniform (KS over the R p-values); under a known alternative its empirical power agrees with the power
it reports (or exceeds it, for lower bounds). Deterministic: numpy generators with fixed seeds."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from suite.stats import laws as d
from suite.stats import significance as s

ALPHA = 0.05
R = 400


def band(p: float, r: int = R) -> tuple[float, float]:
    half = 3 * math.sqrt(p * (1 - p) / r)
    return p - half, p + half


def rejection_rate(draw, test, seed: int, r: int = R):
    rng = np.random.default_rng(seed)
    results = [test(draw(rng)) for _ in range(r)]
    pvalues = np.array([x.p_value for x in results])
    return float(np.mean(pvalues <= ALPHA)), pvalues, results


def assert_calibrated(draw, test, seed, conservative=False):
    rate, pvalues, _ = rejection_rate(draw, test, seed)
    low, high = band(ALPHA)
    assert rate <= high, f"false-alarm rate {rate} above {high}"
    if not conservative:
        assert rate >= low, f"rejection rate {rate} below {low}"
        assert stats.kstest(pvalues, "uniform").pvalue > 1e-3


def assert_power(draw, test, seed, lower_bound=False):
    rate, _, results = rejection_rate(draw, test, seed)
    claimed = float(np.mean([x.power for x in results]))
    low, high = band(claimed)
    assert rate >= low, f"empirical power {rate} below the reported {claimed}"
    if not lower_bound:
        assert rate <= high, f"empirical power {rate} above the reported {claimed}"


LAWS = {
    "normal": (d.normal(0.0, 1.0), lambda rng, n, f=1.0: rng.normal(0, f, n)),
    "uniform": (d.uniform(-1.0, 1.0), lambda rng, n, f=1.0: rng.uniform(-f, f, n)),
    "truncated_normal": (
        d.truncated_normal(0.0, 1.0, -2.0, 2.0),
        lambda rng, n, f=1.0: f * d.standard_truncated_draws(rng, n),
    ),
}


@pytest.mark.parametrize("family", list(LAWS))
def test_variance_test_size_and_power(family):
    law, sample = LAWS[family]
    n = 3000
    assert_calibrated(lambda rng: sample(rng, n), lambda x: s.variance_test(x, law, ALPHA, 0.05), seed=1)
    assert_power(lambda rng: sample(rng, n, 1.04), lambda x: s.variance_test(x, law, ALPHA, 0.04), seed=2)


@pytest.mark.parametrize("family", list(LAWS))
def test_mean_test_size_and_power(family):
    law, sample = LAWS[family]
    assert_calibrated(lambda rng: sample(rng, 2000), lambda x: s.mean_test(x, law, ALPHA, 0.06), seed=3)
    shift = 0.06 * law.std
    assert_power(lambda rng: sample(rng, 2000) + shift, lambda x: s.mean_test(x, law, ALPHA, 0.06), seed=4)


@pytest.mark.parametrize("family", list(LAWS))
def test_ks_test_size_and_power_bound(family):
    law, sample = LAWS[family]
    assert_calibrated(lambda rng: sample(rng, 2000), lambda x: s.ks_test(law.cdf(x), law, ALPHA, 0.05), seed=5)
    assert_power(
        lambda rng: sample(rng, 2000, 1.08), lambda x: s.ks_test(law.cdf(x), law, ALPHA, 0.08), seed=6, lower_bound=True
    )


@pytest.mark.parametrize("n", [1, 7, 2000, 10_000, 10_001, 300_000])
@pytest.mark.parametrize("order", ["ascending", "shuffled", "ties", "outside"])
def test_ks_uniform_is_scipys_kstest(n, order):
    """The hand-written statistic and p-value equal scipy's, bit for bit, on ordered and unordered input,
    with repeated values and with values outside [0, 1] (which scipy's uniform CDF clips)."""
    rng = np.random.default_rng(n)
    u = rng.uniform(size=n)
    if order == "ascending":
        u = np.sort(u)
    elif order == "ties":
        u = np.sort(np.round(u, 2))
    elif order == "outside":
        u = u * 1.2 - 0.1
    method = "exact" if n <= 10_000 else "asymp"
    expected = stats.kstest(u, "uniform", method=method)
    assert s.ks_uniform(u) == (float(expected.statistic), float(expected.pvalue))


def test_ks_asymptotic_branch_is_calibrated():
    law, sample = LAWS["normal"]
    assert_calibrated(lambda rng: sample(rng, 20_000), lambda x: s.ks_test(law.cdf(x), law, ALPHA, 0.02), seed=7)


def test_extremes_test_size_and_clamping():
    law, sample = LAWS["normal"]
    assert_calibrated(
        lambda rng: sample(rng, 2000), lambda x: s.extremes_test(law.cdf(x), ALPHA, float(np.abs(x).max())), seed=8
    )
    rate, _, _ = rejection_rate(
        lambda rng: np.clip(sample(rng, 2000), -3, 3),
        lambda x: s.extremes_test(law.cdf(x), ALPHA, float(np.abs(x).max())),
        seed=9,
    )
    assert rate > 0.99
    heavy = rejection_rate(
        lambda rng: rng.standard_t(5, 2000) * math.sqrt(3 / 5),
        lambda x: s.extremes_test(law.cdf(x), ALPHA, float(np.abs(x).max())),
        seed=10,
    )[0]
    assert heavy > 0.5


@pytest.mark.parametrize("family", ["uniform", "truncated_normal"])
def test_range_and_bound_mass_tests(family):
    law, sample = LAWS[family]
    low, high = law.support

    def range_test(x):
        return s.range_test(law.cdf(x), law, ALPHA)

    def mass_test(x):
        band_width = 1e-3 * (high - low)
        return s.bound_mass_test(x, law, ALPHA, (low + band_width,) * 2, (high - band_width,) * 2)

    assert_calibrated(lambda rng: sample(rng, 2000), range_test, seed=11)  # Sidak: exact
    assert_calibrated(lambda rng: sample(rng, 20_000), mass_test, seed=12, conservative=True)
    narrow = rejection_rate(lambda rng: sample(rng, 2000) * 0.98, range_test, seed=13)[0]  # 1% of the width
    assert narrow > 0.99
    piled = rejection_rate(lambda rng: np.clip(sample(rng, 20_000) * 1.01, low, high), mass_test, seed=14)[0]
    assert piled > 0.99


def test_lag_correlation_size_and_power():
    def ar1(rng, rho):
        z = rng.normal(size=3000)
        x = np.empty_like(z)
        x[0] = z[0]
        for i in range(1, z.size):
            x[i] = rho * x[i - 1] + math.sqrt(1 - rho**2) * z[i]
        return [x.reshape(30, 100)]

    assert_calibrated(lambda rng: ar1(rng, 0.0), lambda m: s.lag_correlation_test(m, 1, ALPHA, 0.06), seed=15)
    assert_power(lambda rng: ar1(rng, 0.06), lambda m: s.lag_correlation_test(m, 1, ALPHA, 0.06), seed=16)


@pytest.mark.parametrize("axis", [0, 1])
def test_group_mean_dispersion_size_and_power(axis):
    def matrices(rng, rho):
        shared = rng.normal(size=(40, 1) if axis == 1 else (1, 50))
        return [math.sqrt(1 - rho) * rng.normal(size=(40, 50)) + math.sqrt(rho) * shared]

    assert_calibrated(
        lambda rng: matrices(rng, 0.0), lambda m: s.group_mean_dispersion_test(m, axis, ALPHA, 0.03), seed=17
    )
    assert_power(lambda rng: matrices(rng, 0.03), lambda m: s.group_mean_dispersion_test(m, axis, ALPHA, 0.03), seed=18)


def _pair(rng, grid: float, duplicated: float = 0.0, n: int = 4000):
    a, b = (np.round(rng.normal(size=n) / grid) * grid for _ in range(2))
    k = int(duplicated * n)
    if k:
        a[:k] = a[k : 2 * k]
    return [(a, b)]


def test_collision_test_is_conservative_on_coarse_grids():
    """Values on a coarse grid collide all the time; within and across tensors alike."""
    assert_calibrated(
        lambda rng: _pair(rng, 0.01), lambda p: s.collision_test(p, ALPHA, 0.01), seed=19, conservative=True
    )
    assert_power(
        lambda rng: _pair(rng, 0.01, 0.05), lambda p: s.collision_test(p, ALPHA, 0.05), seed=20, lower_bound=True
    )


def test_collision_test_sees_duplicates_among_fine_values():
    assert_calibrated(
        lambda rng: _pair(rng, 2.0**-20), lambda p: s.collision_test(p, ALPHA, 0.01), seed=21, conservative=True
    )
    rate = rejection_rate(
        lambda rng: _pair(rng, 2.0**-20, 0.005), lambda p: s.collision_test(p, ALPHA, 0.005), seed=22
    )[0]
    assert rate > 0.99


@pytest.mark.parametrize("batch", [0, s.BATCH_VALUES], ids=["pair by pair", "batched"])
def test_collision_counts_match_a_count_by_hand(batch, monkeypatch):
    """The within-tensor equal pairs the collision test observes, against counting every pair of positions
    (NaN equals nothing, -0.0 equals 0.0), counted pair by pair and in batches."""
    monkeypatch.setattr(s, "BATCH_VALUES", batch)
    rng = np.random.default_rng(23)
    for size_a, size_b in [(40, 40), (60, 25), (1, 30), (30, 1)]:
        a = rng.integers(-6, 7, size_a).astype(np.float64)
        b = rng.integers(-6, 7, size_b).astype(np.float64)
        a[:3], b[:2] = np.nan, -0.0
        by_hand = sum(a[i] == a[k] for i in range(a.size) for k in range(i)) + sum(
            b[i] == b[k] for i in range(b.size) for k in range(i)
        )
        result = s.collision_test([(a, b)], ALPHA, 0.01)
        assert result.measured == by_hand
        pairs_by_hand = sum(x == y for x in np.concatenate([a, b]) for y in np.concatenate([a, b])) - np.sum(
            ~np.isnan(np.concatenate([a, b]))
        )
        assert f"({pairs_by_hand // 2} equal pairs in all)" in result.claimed


def test_batched_collision_counts_are_the_pair_by_pair_counts(monkeypatch):
    """Many small pairs of two sizes (and one large pair), with repeats, NaN and signed zeros: the same
    repeated values, multiplicities and verdict whether counted in batches or pair by pair."""
    rng = np.random.default_rng(24)
    pairs = []
    for size in [30] * 50 + [7] * 20 + [5000]:
        a, b = (rng.integers(-20, 21, size).astype(np.float32) for _ in range(2))
        a[0], b[1] = np.nan, -0.0
        pairs.append((a, b))
    batched = s._pair_counts(pairs)
    result = s.collision_test(pairs, ALPHA, 0.01)
    monkeypatch.setattr(s, "BATCH_VALUES", 0)
    one_by_one = s._pair_counts(pairs)
    assert batched[2] == one_by_one[2]
    assert sorted(zip(*batched[:2], strict=True)) == sorted(zip(*one_by_one[:2], strict=True))
    again = s.collision_test(pairs, ALPHA, 0.01)
    assert (again.measured, again.claimed) == (result.measured, result.claimed)
    assert again.statistic == pytest.approx(result.statistic, rel=1e-12)


def test_proportion_and_moment_tests():
    assert_calibrated(
        lambda rng: rng.random(2000) < 0.5,
        lambda x: s.proportion_test(int(x.sum()), x.size, 0.5, ALPHA, 0.04),
        seed=21,
        conservative=True,
    )
    assert_power(
        lambda rng: rng.random(2000) < 0.54,
        lambda x: s.proportion_test(int(x.sum()), x.size, 0.5, ALPHA, 0.04),
        seed=22,
    )
    assert_calibrated(lambda rng: rng.normal(size=500) ** 2, lambda x: s.moment_test(x, 1.0, 2.0, ALPHA, 0.2), seed=23)


def test_sample_size_planning_meets_its_power():
    """The planned n gives the requested power at the requested threshold (normal and uniform)."""
    for kurtosis, exact in ((3.0, True), (1.8, False)):
        n = s.variance_sample_size(1e-4, 0.02, 0.99, kurtosis, exact)
        assert s.variance_power(n, 1e-4, 0.02, kurtosis, exact) >= 0.99
        assert s.variance_power(int(n * 0.9), 1e-4, 0.02, kurtosis, exact) < 0.99
        mde = s.minimum_detectable_std_error(n, 1e-4, 0.99, kurtosis, exact)
        assert 0.0195 < mde <= 0.0201


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_rounded_law_moments_and_randomised_transform_are_exact(dtype):
    """A support only a few ulps wide: the rounded law's variance differs from the continuous one, the
    tests use the rounded one and stay calibrated; the randomised PIT is uniform."""
    import torch

    from suite.stats import rounding

    law = d.uniform(2.6137, 2.6237)
    torch_dtype = getattr(torch, dtype)
    rounded = rounding.moments(law, torch_dtype)
    assert abs(rounded.variance / law.variance - 1) > 0.01

    def draw(rng):
        values = torch.from_numpy(rng.uniform(2.6137, 2.6237, 3000)).to(torch_dtype)
        return values, np.random.default_rng(int(rng.integers(2**32)))  # the transform's own randomness

    def scale(drawn):
        return s.variance_test(drawn[0].double().numpy(), rounded, ALPHA, 0.05)

    def shape(drawn):
        return s.ks_test(rounding.pit(drawn[0], law, drawn[1]), law, ALPHA, 0.05)

    assert_calibrated(draw, scale, seed=30)
    assert_calibrated(draw, shape, seed=31)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_randomised_transform_of_ordered_values_is_ordered_and_uniform(dtype):
    """Values in ascending order (as the marginal checks pass them) get randomised transforms in ascending
    order, each inside its value's cell; the Kolmogorov-Smirnov test on them stays calibrated."""
    import torch

    from suite.stats import rounding

    law = d.normal(0.0, 0.01)
    torch_dtype = getattr(torch, dtype)

    def draw(rng):
        values = torch.from_numpy(rng.normal(0.0, 0.01, 3000)).to(torch_dtype).sort().values
        return values, np.random.default_rng(int(rng.integers(2**32)))

    values, rng = draw(np.random.default_rng(0))
    u = rounding.pit(values, law, rng)
    lower, upper = rounding.cell_edges(values)
    assert np.all(u[1:] >= u[:-1])
    assert np.all((u >= law.cdf(lower)) & (u <= law.cdf(upper)))
    assert_calibrated(draw, lambda drawn: s.ks_test(rounding.pit(drawn[0], law, drawn[1]), law, ALPHA, 0.05), seed=32)


def test_offsets_of_a_run_of_equal_values_are_uniform_order_statistics():
    """k equal values get the order statistics of k uniforms: the i-th has mean i / (k + 1) and variance
    i (k + 1 - i) / ((k + 1)^2 (k + 2)); 20,000 runs of 3, each mean within 5 standard errors."""
    import torch

    from suite.stats import rounding

    runs, k = 20_000, 3
    flat = torch.arange(runs, dtype=torch.float32).repeat_interleave(k)
    offsets = rounding.ordered_offsets(*rounding.equal_runs(flat), np.random.default_rng(7)).reshape(runs, k)
    assert np.all(np.diff(offsets, axis=1) >= 0) and offsets.min() >= 0 and offsets.max() <= 1
    for i in range(1, k + 1):
        mean, variance = i / (k + 1), i * (k + 1 - i) / ((k + 1) ** 2 * (k + 2))
        assert abs(offsets[:, i - 1].mean() - mean) < 5 * math.sqrt(variance / runs)


def test_an_undefined_p_value_stays_undefined_instead_of_reading_as_one():
    """min(1.0, nan) is 1.0 in Python: a p-value capped that way would pass an undefined statistic."""
    nan = float("nan")
    assert math.isnan(s.two_sided(nan, 0.5)) and math.isnan(s.two_sided(0.5, nan))
    assert math.isnan(s.at_most_one(nan)) and math.isnan(s.sidak(nan, 2))
    assert s.two_sided(0.3, 0.7) == 0.6 and s.at_most_one(1.7) == 1.0


def test_constant_matrices_fail_the_dispersion_test_unless_the_rounded_law_allows_them():
    """A constant matrix leaves its dispersion term 0 / 0: a violation under a continuous law (NaN, which
    the decision fails), left out where the law rounded to a coarse grid puts most of its mass on one value."""
    rng = np.random.default_rng(3)
    stack = rng.standard_normal((6, 16, 8))
    stack[:3] = 1.5  # three constant matrices
    strict = s.group_mean_dispersion_test(stack, 1, 1e-3, 0.01)
    assert math.isnan(strict.p_value)
    lenient = s.group_mean_dispersion_test(stack, 1, 1e-3, 0.01, constant_possible=True)
    reference = s.group_mean_dispersion_test(stack[3:], 1, 1e-3, 0.01)
    assert lenient.statistic == reference.statistic and lenient.p_value == reference.p_value
    assert "3 constant matrices left out" in lenient.detail
    every = s.group_mean_dispersion_test(np.full((2, 4, 4), 2.0), 0, 1e-3, 0.01, constant_possible=True)
    assert every.p_value == 1.0


def test_the_largest_value_probability_of_a_rounded_law():
    """U(2.5, 2.51) rounded to bfloat16 (spacing 2^-6 there): the cell of 2.5, [2.4921875, 2.5078125],
    holds (2.5078125 - 2.5) / 0.01 of the mass; float32 counts as continuous."""
    import torch

    from suite.stats import rounding

    law = d.uniform(2.5, 2.51)
    assert math.isclose(rounding.largest_value_probability(law, torch.bfloat16), 0.78125, rel_tol=1e-9)
    assert rounding.largest_value_probability(law, torch.float32) == 0.0


@pytest.mark.parametrize("alpha", [0.05, 1e-3, 1e-7])
def test_z_power_is_the_two_sided_normal_power(alpha):
    """Power of the two-sided z-test: alpha itself at no shift; Phi(d sqrt n - z) + Phi(-d sqrt n - z) by
    hand (math.erfc, z found by bisection on the tail), symmetric in the shift's sign; and what statsmodels'
    NormalIndPower (one sample, ratio 0) computes."""
    from statsmodels.stats.power import NormalIndPower

    def phi(x):
        return 0.5 * math.erfc(-x / math.sqrt(2))

    low, high = 0.0, 40.0  # z with P(|Z| > z) = alpha
    for _ in range(200):
        mid = (low + high) / 2
        low, high = (mid, high) if 2 * phi(-mid) > alpha else (low, mid)
    z = (low + high) / 2
    assert s.z_power(0.0, 100, alpha) == pytest.approx(alpha, rel=1e-9)
    for shift, n in [(0.01, 10_000), (0.1, 50), (0.3, 200), (1.0, 3)]:
        by_hand = phi(shift * math.sqrt(n) - z) + phi(-shift * math.sqrt(n) - z)
        assert s.z_power(shift, n, alpha) == pytest.approx(by_hand, rel=1e-9)
        assert s.z_power(-shift, n, alpha) == pytest.approx(by_hand, rel=1e-12)
        statsmodels = NormalIndPower().power(effect_size=shift, nobs1=n, alpha=alpha, ratio=0, alternative="two-sided")
        assert s.z_power(shift, n, alpha) == pytest.approx(float(statsmodels), rel=1e-12)
    assert s.z_power(0.5, 0, alpha) == 0.0
