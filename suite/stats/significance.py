"""Statistical tests, each with its power function, and sample-size planning.

Every test returns a :class:`TestResult` with a p-value under the claim (the null) and its power against
a stated alternative at the per-check threshold ``alpha``. Library code does the statistics
(scipy.stats distributions and tests, scipy.special's normal distribution function for the z-test's
power); what is written here is the glue no library has: the variance test with the family's kurtosis,
extreme-value and bound-mass tests against a fully specified law, and the collision test for repeated
values.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
from scipy import special, stats

from suite.stats.laws import Distribution


@dataclass
class TestResult:
    statistic: float
    p_value: float
    measured: float | str
    claimed: float | str
    power: float | None
    effect: str
    detail: str = ""
    #: Whether the p-value is uniform on (0, 1) under the claim (exactly or asymptotically); False for
    #: discrete counts and for bounds that are conservative by design (its false-alarm rate is at most
    #: the threshold, and calibration judges it by its failure proportion only).
    uniform: bool = True


def at_most_one(p: float) -> float:
    """min(1, p), with NaN kept: an undefined statistic must not read as p = 1 (``min(1.0, nan)`` is 1.0);
    the decision counts a NaN p-value as a violation (:func:`suite.engine.decision.holm`)."""
    return math.nan if math.isnan(p) else min(1.0, float(p))


def two_sided(cdf_value: float, sf_value: float) -> float:
    """Twice the smaller tail, at most 1; NaN when either tail is."""
    if math.isnan(cdf_value) or math.isnan(sf_value):
        return math.nan
    return at_most_one(2.0 * min(cdf_value, sf_value))


def sidak(p_min: float, k: int) -> float:
    """The smallest of k independent p-values, as a p-value: 1 - (1 - p_min)^k (NaN stays NaN)."""
    if math.isnan(p_min):
        return math.nan
    return float(-math.expm1(k * math.log1p(-min(p_min, 1.0)))) if p_min < 1.0 else 1.0


def z_power(effect_size: float, n: float, alpha: float) -> float:
    """Power of a two-sided one-sample z-test at level ``alpha`` for a standardised shift ``effect_size``
    (d) with ``n`` observations: the statistic is N(d sqrt n, 1), so the power is
    P(|Z + d sqrt n| > z) = Phi(d sqrt n - z) + Phi(-d sqrt n - z) with z = Phi^-1(1 - alpha / 2)
    (Chow, Shao & Wang, "Sample Size Calculations in Clinical Research", section 3.1.1; statsmodels'
    ``NormalIndPower`` with ``ratio=0`` gives the same). Written with scipy.special rather than statsmodels,
    whose import brings pandas (0.2 s in every worker)."""
    if n <= 0:
        return 0.0
    z = -float(special.ndtri(alpha / 2))
    shift = effect_size * math.sqrt(n)
    return float(special.ndtr(shift - z) + special.ndtr(-shift - z))


def z_test(mean: float, expected: float, se: float) -> tuple[float, float]:
    z = (mean - expected) / se
    return z, two_sided(stats.norm.cdf(z), stats.norm.sf(z))


# --- scale ---------------------------------------------------------------------------------------


def variance_power(n: int, alpha: float, delta: float, kurtosis: float, exact_normal: bool) -> float:
    """Power of the two-sided variance test against a std off by a relative ``delta`` (the worse of
    1 + delta and 1 - delta). Exact (chi-square) for normal data, else the normal approximation
    Var(s^2 / sigma^2) = (kurtosis - 1) / n."""
    powers = []
    for factor in ((1 + delta) ** 2, (1 - delta) ** 2):
        if exact_normal:
            lo, hi = stats.chi2.ppf(alpha / 2, n - 1), stats.chi2.isf(alpha / 2, n - 1)
            powers.append(stats.chi2.cdf(lo / factor, n - 1) + stats.chi2.sf(hi / factor, n - 1))
        else:
            se0 = math.sqrt((kurtosis - 1) / n)
            z = stats.norm.isf(alpha / 2)
            se1 = factor * se0
            powers.append(stats.norm.cdf((factor - 1 - z * se0) / se1) + stats.norm.cdf((1 - z * se0 - factor) / se1))
    return float(min(powers))


def variance_sample_size(alpha: float, delta: float, power: float, kurtosis: float, exact_normal: bool) -> int:
    """Smallest n at which :func:`variance_power` reaches ``power`` (bisection on the power function)."""
    z = stats.norm.isf(alpha / 2) + stats.norm.isf(1 - power)
    guess = max(16, int((kurtosis - 1) * (z / ((1 + delta) ** 2 - 1)) ** 2))
    lo, hi = max(8, guess // 4), guess * 4
    while variance_power(hi, alpha, delta, kurtosis, exact_normal) < power:
        hi *= 2
    while hi - lo > max(1, lo // 200):
        mid = (lo + hi) // 2
        if variance_power(mid, alpha, delta, kurtosis, exact_normal) >= power:
            hi = mid
        else:
            lo = mid
    return hi


def minimum_detectable_std_error(n: int, alpha: float, power: float, kurtosis: float, exact_normal: bool) -> float:
    """Smallest relative std error detected with ``power`` by the variance test on ``n`` values."""
    lo, hi = 1e-5, 0.9
    for _ in range(60):
        mid = math.sqrt(lo * hi)
        if variance_power(n, alpha, mid, kurtosis, exact_normal) >= power:
            hi = mid
        else:
            lo = mid
    return hi


def variance_test(x: np.ndarray, law, alpha: float, delta: float) -> TestResult:
    """Sample variance against the claimed variance: (n-1) s^2 / sigma^2 ~ chi2(n-1) for an (unrounded)
    normal claim, otherwise s^2 / sigma^2 ~ N(1, (kurtosis - 1) / n). ``law`` gives ``family``,
    ``variance`` and ``kurtosis`` (a Distribution, or the Moments of its rounded version)."""
    n = x.size
    ratio = float(x.var(ddof=1)) / law.variance
    exact = law.family == "normal"
    if exact:
        statistic = (n - 1) * ratio
        p = two_sided(stats.chi2.cdf(statistic, n - 1), stats.chi2.sf(statistic, n - 1))
    else:
        statistic = (ratio - 1) / math.sqrt((law.kurtosis - 1) / n)
        p = two_sided(stats.norm.cdf(statistic), stats.norm.sf(statistic))
    return TestResult(
        statistic=float(statistic),
        p_value=p,
        measured=math.sqrt(ratio * law.variance),
        claimed=math.sqrt(law.variance),
        power=variance_power(n, alpha, delta, law.kurtosis, exact),
        effect=f"{delta:.2%} relative error of the std",
        detail=f"std ratio measured/claimed = {math.sqrt(ratio):.5f}",
    )


# --- location ------------------------------------------------------------------------------------


def mean_test(x: np.ndarray, law, alpha: float, shift: float) -> TestResult:
    """z-test of the sample mean against the claimed mean (standard error from the sample std)."""
    n = x.size
    std = float(x.std(ddof=1)) or law.std
    mean = float(x.mean())
    z, p = z_test(mean, law.mean, std / math.sqrt(n))
    return TestResult(
        statistic=z,
        p_value=p,
        measured=mean,
        claimed=law.mean,
        power=z_power(shift, n, alpha),
        effect=f"mean shifted by {shift:g} std",
        detail=f"(mean - claimed) / std = {(mean - law.mean) / law.std:.3g}",
    )


# --- shape ---------------------------------------------------------------------------------------


def ks_power_lower_bound(n: int, alpha: float, claim: Distribution, alternative: Distribution) -> float:
    """Massey's (1951) lower bound on the KS test's power: at the point x* of largest |F - G|, the test
    rejects whenever the empirical CDF alone strays further than the critical distance from F(x*)."""
    critical = float(stats.kstwo.isf(alpha, n)) if n <= 10_000 else float(stats.kstwobign.isf(alpha)) / math.sqrt(n)
    low = min(claim.frozen.ppf(1e-9), alternative.frozen.ppf(1e-9))
    high = max(claim.frozen.isf(1e-9), alternative.frozen.isf(1e-9))
    grid = np.linspace(low, high, 4001)
    gap = np.abs(claim.cdf(grid) - alternative.cdf(grid))
    x_star = grid[int(np.argmax(gap))]
    f, g = float(claim.cdf(x_star)), float(alternative.cdf(x_star))
    below = stats.binom.cdf(math.ceil(n * (f - critical)) - 1, n, g)
    above = stats.binom.sf(math.floor(n * (f + critical)), n, g)
    return float(below + above)


def ks_test(u: np.ndarray, claim: Distribution, alpha: float, delta: float) -> TestResult:
    """Kolmogorov-Smirnov of the probability integral transforms ``u`` (uniform under the fully
    specified claimed CDF; see :func:`suite.stats.rounding.pit`) against U(0, 1): the statistic and
    p-value of ``scipy.stats.kstest(u, "uniform")`` (:func:`ks_uniform`)."""
    statistic, p_value = ks_uniform(u)
    power, distance = _ks_power(u.size, alpha, claim, delta)
    return TestResult(
        statistic=statistic,
        p_value=p_value,
        measured=f"D = {statistic:.3g}",
        claimed=claim.describe(),
        power=power,
        effect=f"same family, std off by {delta:.2%} (sup |F - G| = {distance:.2g}; power is Massey's lower bound)",
    )


def ks_uniform(u: np.ndarray) -> tuple[float, float]:
    """(D, p) of the two-sided one-sample Kolmogorov-Smirnov test of ``u`` against U(0, 1), as
    ``scipy.stats.ks_1samp`` computes them (D+ = max(i/n - u_(i)), D- = max(u_(i) - (i - 1)/n), the same
    floating-point operations; p from scipy's ``kstwo``, the exact finite-n law, for n <= 10,000, and
    from Kolmogorov's limit ``kstwobign`` above, where the exact law costs 0.1 s at n ~ 5e5 and the
    limit is accurate). By hand only to skip what scipy repeats on millions of values: the marginal
    checks pass ``u`` already in ascending order (one pass checks it; out of order, it is sorted), and in
    [0, 1] (else clipped, as scipy's uniform CDF would). ``tests/meta_tests/test_statistics.py``
    compares the two."""
    values = np.asarray(u, dtype=np.float64).ravel()
    n = values.size
    if not (values[1:] >= values[:-1]).all():  # NaN compares False: sorted to the end, as scipy does
        values = np.sort(values)
    if n and not (values[0] >= 0.0 and values[-1] <= 1.0):
        values = np.clip(values, 0.0, 1.0)
    steps = np.arange(0.0, n + 1) / n  # i/n for i = 0..n; scipy's arange(1, n + 1)/n and arange(0, n)/n
    d_plus = float(np.max(steps[1:] - values))
    d_minus = float(np.max(values - steps[:-1]))
    statistic = d_plus if d_plus > d_minus else d_minus
    exact = n <= 10_000
    p = float(stats.kstwo.sf(statistic, n) if exact else stats.kstwobign.sf(statistic * math.sqrt(n)))
    return statistic, min(max(p, 0.0), 1.0)


@functools.lru_cache(maxsize=1024)
def _ks_power(n: int, alpha: float, claim: Distribution, delta: float) -> tuple[float, float]:
    alternative = claim.with_std_scaled(1 + delta)
    return ks_power_lower_bound(n, alpha, claim, alternative), claim.sup_distance(alternative)


# --- tails and support -----------------------------------------------------------------------------


def extremes_test(u: np.ndarray, alpha: float, scale_of_largest: float, clamp_at: float = 3.0) -> TestResult:
    """The most extreme value of an unbounded claim, through the transforms ``u``: with
    t = min(u_min, 1 - u_max), P(T > s) = (1 - 2s)^n exactly. Two-sided: too extreme (heavy tails,
    outliers) or not extreme enough (clamped, light tails). ``scale_of_largest`` (max |x - mean| / std)
    is shown. Power stated against values clamped at ``clamp_at`` std (a symmetric claim)."""
    n = u.size
    t = float(min(u.min(), 1.0 - u.max()))
    log_beyond = n * math.log1p(-2.0 * t) if t < 0.5 else -math.inf  # log P(T >= t)
    p = two_sided(-math.expm1(log_beyond), math.exp(log_beyond))
    q_clamp = 2.0 * float(stats.norm.sf(clamp_at))
    log_reached = n * math.log1p(-q_clamp)
    power = (-math.expm1(log_reached)) if 2.0 * math.exp(log_reached) < alpha else 0.0
    return TestResult(
        statistic=t,
        p_value=p,
        measured=scale_of_largest,
        claimed=f"max |x - mean| / std ~ extreme-value law of {n} draws",
        power=power,
        effect=f"values clamped at +-{clamp_at:g} std",
    )


def range_test(u: np.ndarray, claim: Distribution, alpha: float, narrowing: float = 0.01) -> TestResult:
    """A bounded claim's extremes must approach both bounds: through the transforms ``u``,
    P(u_max <= m) = m^n and P(u_min >= m) = (1 - m)^n are exact one-sided p-values (the largest and
    smallest of many draws are nearly independent), combined by Sidak's 1 - (1 - min p)^2. Power
    stated against a support ``narrowing`` (relative) too narrow at one end."""
    n = u.size
    low, high = claim.support
    p_top = math.exp(n * math.log(max(float(u.max()), 1e-300)))
    p_bottom = math.exp(n * math.log(max(1.0 - float(u.min()), 1e-300)))
    p = sidak(min(p_top, p_bottom), 2)
    cut = float(claim.cdf(high - narrowing * (high - low)))
    power = 1.0 if 2.0 * math.exp(n * math.log(cut)) < alpha else 0.0
    return TestResult(
        statistic=min(p_top, p_bottom),
        p_value=p,
        measured=f"F(min) = {float(u.min()):.3g}, 1 - F(max) = {1 - float(u.max()):.3g}",
        claimed=f"[{low:.6g}, {high:.6g}]",
        power=power,
        effect=f"support {narrowing:.0%} too narrow at one end",
    )


def bound_mass_test(
    x: np.ndarray,
    claim: Distribution,
    alpha: float,
    lower: tuple[float, float],
    upper: tuple[float, float],
    pile: float = 0.005,
) -> TestResult:
    """Mass piled at a bound (clamping). ``lower = (r, edge)``: the count of values ``<= r`` is
    Binomial(n, F(edge)); ``upper = (r, edge)``: the count ``>= r`` is Binomial(n, 1 - F(edge)) (edges
    from :mod:`suite.stats.rounding`, so rounding is accounted for). One-sided binomial tests
    (scipy.stats.binomtest), the smaller p-value doubled. Power stated against ``pile`` of the mass
    moved onto one bound."""
    n = x.size
    p_low, p_high = float(claim.cdf(lower[1])), float(claim.frozen.sf(upper[1]))
    k_low, k_high = int(np.count_nonzero(x <= lower[0])), int(np.count_nonzero(x >= upper[0]))
    pv_low = stats.binomtest(k_low, n, p_low, alternative="greater").pvalue if p_low > 0 else float(k_low == 0)
    pv_high = stats.binomtest(k_high, n, p_high, alternative="greater").pvalue if p_high > 0 else float(k_high == 0)
    p = two_sided(pv_low, pv_high)
    p_edge = max(min(p_low, p_high), 1e-12)
    critical = stats.binom.isf(alpha / 2, n, p_edge)
    power = float(stats.binom.sf(critical, n, min(1.0, p_edge + pile)))
    return TestResult(
        statistic=float(max(k_low - n * p_low, k_high - n * p_high)),
        p_value=float(p),
        measured=f"{k_low} values <= {lower[0]:.6g}, {k_high} >= {upper[0]:.6g}",
        claimed=f"{n * p_low:.1f} and {n * p_high:.1f} expected",
        power=power,
        effect=f"{pile:.1%} of the mass piled at one bound",
        uniform=False,
    )


# --- independence ------------------------------------------------------------------------------------


def lag_correlation_test(stack, lag: int, alpha: float, rho: float) -> TestResult:
    """Serial correlation at ``lag`` within each of R flattened arrays (``stack``: R arrays of one
    shape), pooled: sum c_i c_{i+lag} / (s^2 sqrt(N)) is N(0, 1) for independent draws (N pairs in
    all). Power stated against correlation ``rho``."""
    flat = np.asarray(stack, dtype=np.float64).reshape(len(stack), -1)
    c = flat - flat.mean()
    pairs = flat.shape[0] * max(flat.shape[1] - lag, 0)
    cross = float(np.einsum("ij,ij->", c[:, :-lag], c[:, lag:])) if pairs else 0.0
    variance = float(np.einsum("ij,ij->", c, c)) / c.size
    z = cross / (variance * math.sqrt(pairs)) if pairs else 0.0
    p = two_sided(stats.norm.cdf(z), stats.norm.sf(z))
    return TestResult(
        statistic=z,
        p_value=p,
        measured=cross / (variance * pairs) if pairs else 0.0,
        claimed=0.0,
        power=z_power(rho, pairs, alpha),
        effect=f"correlation {rho:g} at lag {lag}",
    )


def group_mean_dispersion_test(
    stack, axis: int, alpha: float, rho: float, constant_possible: bool = False
) -> TestResult:
    """Means along ``axis`` (1: row means, 0: column means) of independent draws vary as sigma^2 / m
    (m values each): m * sum (mean_r - grand)^2 / s^2 ~ chi2(groups - 1) per matrix, pooled over the
    R matrices of ``stack`` (degrees of freedom add). Two-sided: too much spread (shared components
    within a group) or too little (groups forced equal). Power stated against an intra-group
    correlation ``rho``.

    A constant matrix leaves its term undefined (0 / 0). Where the claimed law makes one impossible
    (``constant_possible`` False: a continuous law, or one rounded to a grid too fine for it) the
    statistic is then NaN, which the decision counts as a violation (:func:`suite.engine.decision.holm`);
    where the rounded law makes one possible, constant matrices carry no dispersion and are left out
    (no p-value below 1 when none is left)."""
    matrices = np.asarray(stack, dtype=np.float64)
    values = matrices if axis == 1 else np.swapaxes(matrices, 1, 2)
    variances = values.reshape(values.shape[0], -1).var(axis=1, ddof=1)
    left_out = int(np.count_nonzero(variances == 0)) if constant_possible else 0
    if left_out:
        values, variances = values[variances > 0], variances[variances > 0]
    count, groups, m = values.shape
    dof = count * (groups - 1)
    effect = f"intra-{'row' if axis == 1 else 'column'} correlation {rho:g}"
    detail = f"dispersion ratio over {dof} degrees of freedom"
    if left_out:
        detail += f"; {left_out} constant matrices left out (the rounded law allows them)"
    if not dof:  # every matrix left out: no dispersion to test
        return TestResult(0.0, 1.0, "every matrix constant", 1.0, power=0.0, effect=effect, detail=detail)
    means = values.mean(axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):  # 0 / 0 for a constant matrix: NaN, see above
        spread = m * ((means - means.mean(axis=1, keepdims=True)) ** 2).sum(axis=1) / variances
    statistic = float(np.sum(spread))
    p = two_sided(stats.chi2.cdf(statistic, dof), stats.chi2.sf(statistic, dof))
    inflation = 1 + (m - 1) * rho
    critical = stats.chi2.isf(alpha / 2, dof)
    return TestResult(
        statistic=statistic,
        p_value=p,
        measured=statistic / dof,
        claimed=1.0,
        power=float(stats.chi2.sf(critical / inflation, dof)),
        effect=effect,
        detail=detail,
    )


def collision_test(pairs: list[tuple[np.ndarray, np.ndarray]], alpha: float, duplicated: float) -> TestResult:
    """Repeated values: between two independent tensors A and B of the same call, equal values are as
    likely within a tensor as across them (the 2n values are exchangeable). For each set of equal
    values (multiplicity m) the within-tensor pairs C(J, 2) + C(m - J, 2), J ~ Binomial(m, 1/2)
    (a slightly wider law than the exact hypergeometric, so the test is conservative), give a mean and
    variance; their sums give a one-sided z-test for too many within-tensor repeats. Power stated
    against a fraction ``duplicated`` of one tensor's values being copies of others in it."""
    j, in_b, n_values = _pair_counts(pairs)
    m = j + in_b
    observed = float(np.sum(j * (j - 1) / 2 + in_b * (in_b - 1) / 2))
    expected, variance = 0.0, 0.0
    for size, count in zip(*np.unique(m, return_counts=True), strict=True):
        mean_w, var_w = _within_pairs_moments(int(size))
        expected += count * mean_w
        variance += count * var_w
    total_pairs = float(np.sum(m * (m - 1) / 2))
    if variance == 0:
        z, p = 0.0, 1.0
    else:
        z = (observed - expected) / math.sqrt(variance)
        p = float(stats.norm.sf(z))
    # A value copied inside one tensor forms a new set of equal values there: one more within-tensor
    # pair, half a pair more expected (the test conditions on the multiset), variance + 1/4.
    copies = duplicated * n_values
    sd = math.sqrt(variance)
    sd_alternative = math.sqrt(variance + 0.25 * copies)
    power = float(stats.norm.sf((stats.norm.isf(alpha) * sd - 0.5 * copies) / sd_alternative)) if copies else 0.0
    return TestResult(
        statistic=z,
        p_value=p,
        measured=observed,
        claimed=f"{expected:.1f} within-tensor equal pairs expected ({total_pairs:.0f} equal pairs in all)",
        power=power,
        effect=f"{duplicated:.1%} of the values duplicated within a tensor",
        uniform=False,
    )


#: Pairs of tensors of at most this many values together are counted many at once
#: (:func:`_shared_counts_batch`); larger ones one by one (:func:`_shared_counts`).
BATCH_VALUES = 4096


def _pair_counts(pairs: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray, int]:
    """For every value that repeats within one pair (a, b): how many times it occurs in a and in b, over
    all pairs; and the number of values of the a's. Small pairs of one size are counted together: a
    pair's numpy calls cost more than its sort when tensors are small and calls many (20,000 Haar or
    small-shape draws)."""
    found_a, found_b, n_values = [], [], 0
    batches: dict[tuple, list[tuple[np.ndarray, np.ndarray]]] = {}
    for a, b in pairs:
        a, b = a.ravel(), b.ravel()
        n_values += a.size
        if a.size + b.size <= BATCH_VALUES and a.dtype == b.dtype:
            batches.setdefault((a.size, b.size, a.dtype), []).append((a, b))
        else:
            counts = _shared_counts(a, b)
            found_a.append(counts[0])
            found_b.append(counts[1])
    for batch in batches.values():
        counts = _shared_counts_batch(np.stack([a for a, _ in batch]), np.stack([b for _, b in batch]))
        found_a.append(counts[0])
        found_b.append(counts[1])
    if not found_a:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), n_values
    return np.concatenate(found_a), np.concatenate(found_b), n_values


def _shared_counts_batch(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_shared_counts` of each row pair (a[r], b[r]) of two 2-D arrays, concatenated: each row of
    [a | b] sorted (one call for all rows), runs of equal values (equal as floats compare; a NaN is a run
    of its own) found within rows, and the values from b counted in each run."""
    values = np.concatenate([a, b], axis=1)
    order = np.argsort(values, axis=1)
    ordered = np.take_along_axis(values, order, axis=1)
    new = np.ones(ordered.shape, dtype=bool)
    new[:, 1:] = ordered[:, 1:] != ordered[:, :-1]  # every row starts a run: runs never cross rows
    starts = np.flatnonzero(new.ravel())
    sizes = np.diff(np.append(starts, new.size))
    in_b = np.add.reduceat((order >= a.shape[1]).ravel().astype(np.int64), starts)
    repeated = sizes > 1
    return sizes[repeated] - in_b[repeated], in_b[repeated]


def _shared_counts(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For every value that occurs at least twice among the values of ``a`` and ``b`` together (equal as
    floats compare; a NaN, equal to nothing, never does), how many times it occurs in ``a`` and in ``b``.
    Each array is sorted on its own; the two sorted arrays, end to end, are merged by one stable sort
    (numpy's timsort finds the two ascending runs and merges them in one pass); equal neighbours in the
    merged order are the repeated values, few for a continuous law, each counted in either array by
    binary search. 1.5-2.3x faster than finding every distinct value of each array and matching them."""
    sorted_a, sorted_b = np.sort(a.ravel()), np.sort(b.ravel())
    merged = np.sort(np.concatenate([sorted_a, sorted_b]), kind="stable")
    repeated = merged[1:][merged[1:] == merged[:-1]]
    values = repeated[np.concatenate([[True], repeated[1:] != repeated[:-1]])] if repeated.size else repeated
    in_a = np.searchsorted(sorted_a, values, "right") - np.searchsorted(sorted_a, values, "left")
    in_b = np.searchsorted(sorted_b, values, "right") - np.searchsorted(sorted_b, values, "left")
    return in_a.astype(np.int64), in_b.astype(np.int64)


@functools.lru_cache(maxsize=4096)
def _within_pairs_moments(m: int) -> tuple[float, float]:
    j = np.arange(m + 1)
    weights = stats.binom.pmf(j, m, 0.5)
    within = j * (j - 1) / 2 + (m - j) * (m - j - 1) / 2
    mean = float(np.dot(weights, within))
    return mean, float(np.dot(weights, (within - mean) ** 2))


# --- proportions and moments ---------------------------------------------------------------------------


def proportion_test(successes: int, n: int, p0: float, alpha: float, effect: float) -> TestResult:
    """Exact binomial test (scipy.stats.binomtest); power (the z approximation on the arcsine scale,
    Cohen's h) against a proportion off by ``effect``."""
    p = float(stats.binomtest(successes, n, p0).pvalue)
    h = 2 * math.asin(math.sqrt(min(1.0, p0 + effect))) - 2 * math.asin(math.sqrt(p0))
    return TestResult(
        statistic=successes / n,
        p_value=p,
        measured=successes / n,
        claimed=p0,
        power=z_power(h, n, alpha),
        effect=f"proportion off by {effect:g}",
        uniform=False,
    )


def moment_test(values: np.ndarray, mean: float, variance: float, alpha: float, shift: float) -> TestResult:
    """z-test of the average of ``values`` against a known mean and known per-value variance."""
    n = values.size
    z, p = z_test(float(values.mean()), mean, math.sqrt(variance / n))
    return TestResult(
        statistic=z,
        p_value=p,
        measured=float(values.mean()),
        claimed=mean,
        power=z_power(shift / math.sqrt(variance), n, alpha),
        effect=f"mean off by {shift:g}",
    )


def chi2_dispersion_test(statistic: float, dof: int, alpha: float, inflation: float, effect: str) -> TestResult:
    """A statistic that is chi2(dof) under the claim, two-sided; power against a variance inflation."""
    p = two_sided(stats.chi2.cdf(statistic, dof), stats.chi2.sf(statistic, dof))
    critical = stats.chi2.isf(alpha / 2, dof)
    return TestResult(
        statistic=statistic,
        p_value=p,
        measured=statistic / dof,
        claimed=1.0,
        power=float(stats.chi2.sf(critical / inflation, dof)),
        effect=effect,
    )


# --- long-range streams and resolution ------------------------------------------------------------------


def equal_values(values: np.ndarray) -> tuple[int, np.ndarray]:
    """Repeated values of a flat array: (K, lags). K is the number of pairs of equal values (sum over
    distinct values of C(m, 2)); ``lags`` holds, for each value seen m >= 2 times, the m - 1 distances
    between its successive occurrences (a stream with period P repeats at lag P). One sort finds the
    repeated values; only their positions are then sorted (few, for a continuous law)."""
    flat = np.asarray(values).ravel()
    ordered = np.sort(flat)
    same = ordered[1:] == ordered[:-1]
    if not same.any():
        return 0, np.zeros(0, dtype=np.int64)
    edges = np.diff(np.concatenate([[0], same.astype(np.int8), [0]]))
    runs = np.flatnonzero(edges == -1) - np.flatnonzero(edges == 1)  # a run of r equalities: r + 1 values
    positions = np.flatnonzero(np.isin(flat, ordered[1:][same]))
    order = np.argsort(flat[positions], kind="stable")  # equal values together, positions ascending
    grouped, where = flat[positions][order], positions[order]
    repeat = grouped[1:] == grouped[:-1]
    return int(np.sum((runs + 1) * runs // 2)), (where[1:] - where[:-1])[repeat]


def repeat_lag_test(n: int, pairs: int, lags: np.ndarray, alpha: float) -> TestResult:
    """Repeats at every lag. For independent draws the positions of a value's m occurrences are a random
    m-subset of the n positions, so a pair of them lies d apart with probability (n - d) / C(n, 2) <= 2/n:
    the K = ``pairs`` equal pairs put at most 2K / n at any one lag on average, and the successive
    occurrences (``lags``, :func:`equal_values`) at most as many. The largest count over the n - 1 lags
    against Poisson(2K / n), by Bonferroni, is the p-value (conservative). A stream with period P puts
    n - P repeats at lag P. Power 1 is stated against the smallest number of values repeated at one lag
    that the test rejects (added to the observed K): every period up to n minus that number is found."""
    if lags.size:
        counts = np.bincount(lags)
        worst = int(np.argmax(counts))
        largest = int(counts[worst])
        p = at_most_one((n - 1) * float(stats.poisson.sf(largest - 1, 2.0 * pairs / n)))
    else:
        worst, largest, p = 0, 0, 1.0
    needed = 1
    while (n - 1) * float(stats.poisson.sf(needed - 1, 2.0 * (pairs + needed) / n)) > alpha:
        needed += 1
    return TestResult(
        statistic=float(largest),
        p_value=p,
        measured=f"{largest} repeats at lag {worst}" if lags.size else "no repeated values",
        claimed=f"at most {2.0 * pairs / n:.3g} repeats expected at any one lag ({pairs} equal pairs in all)",
        power=1.0,
        effect=f"{needed} values repeated at one lag (any period up to {n - needed})",
        uniform=False,
    )


@functools.lru_cache(maxsize=256)
def pair_collision_bound(claim: Distribution, mantissa_bits: int) -> float:
    """Upper bound on P(X = Y) for two independent draws of ``claim`` rounded to a float format with
    ``mantissa_bits`` explicit bits: each value's cell is one ulp wide, ulp(x) <= 2^-m |x|, so
    P(X = Y) = sum_v p_v^2 ~ integral f(x)^2 ulp(x) dx <= 2^-m integral f(x)^2 |x| dx (Simpson's rule,
    scipy, on a grid with a knot at 0 where |x| bends; normal laws cut at +-40 std)."""
    from scipy import integrate

    low, high = claim.support
    if claim.family == "normal":
        mean, std = claim.params
        low, high = mean - 40 * std, mean + 40 * std
    pieces = [(low, min(high, 0.0)), (max(low, 0.0), high)]
    integral = 0.0
    for a, b in pieces:
        if b > a:
            x = np.linspace(a, b, 4097)
            integral += float(integrate.simpson(claim.frozen.pdf(x) ** 2 * np.abs(x), x=x))
    return integral * 2.0**-mantissa_bits


def resolution_test(n: int, k: int, per_pair: float, alpha: float, format_bits: int, slack: float) -> TestResult:
    """Too many equal values for the dtype's resolution: the number K of equal pairs among n values
    (:func:`equal_values`) is
    at most Poisson(C(n, 2) ``per_pair`` ``slack``) under the claim (``per_pair`` from
    :func:`pair_collision_bound`; ``slack`` allows for a generator's grid coarser than the float format
    near zero). Values carrying only b random bits (2^b equally likely values) give C(n, 2) 2^-b
    expected pairs; the power is stated for the largest b found with probability 0.99."""
    pairs = n * (n - 1) / 2
    expected = pairs * per_pair * slack
    p = float(stats.poisson.sf(k - 1, expected)) if k > 0 else 1.0
    critical = int(stats.poisson.isf(alpha, expected)) + 1  # reject when K >= critical
    needed = float(stats.gamma.ppf(0.99, critical))  # Poisson mean with P(K >= critical) = 0.99
    bits = math.floor(math.log2(pairs / needed))
    return TestResult(
        statistic=float(k),
        p_value=p,
        measured=k,
        claimed=f"at most {expected:.3g} equal pairs expected among {n} values ({format_bits}-bit mantissa)",
        power=0.99,
        effect=f"values carrying {bits} random bits or fewer",
        detail=f"{k} equal pairs",
        uniform=False,
    )
