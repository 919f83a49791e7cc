"""One theory check: its record, and the tests that turn measurements into a p-value and an interval.

Every check compares a measured quantity with the theory's value and states a p-value for the null
"the theory holds" (two-sided), decided together by ``suite.engine.decision.holm``, and an interval for
the measured value at level ``CI_LEVEL``. Report-only entries (``decided`` False) carry no p-value.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np
from scipy import stats

CI_LEVEL = 0.999


@dataclass
class Check:
    id: str
    claim: str
    params: dict
    theory: float | None
    measured: float | None
    ci: list[float] | None
    p_value: float | None
    reference: str
    n: int = 0
    method: str = ""
    decided: bool = True
    note: str = ""
    passed: bool | None = None
    p_holm: float | None = None
    ci_level: float = CI_LEVEL

    def as_dict(self) -> dict:
        d = asdict(self)
        for key in ("theory", "measured", "p_value", "p_holm"):
            d[key] = finite_or_none(d[key])
        if d["ci"] is not None:
            d["ci"] = [finite_or_none(x) for x in d["ci"]]
        return d


@dataclass
class FamilyResult:
    """What one family returns: its checks and the series its report figures draw."""

    checks: list[Check] = field(default_factory=list)
    series: dict = field(default_factory=dict)


def finite_or_none(x):
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def mean_test(samples, theory: float, low: float | None = None, high: float | None = None):
    """(mean, CI, p): one-sample t-test of E[X] against ``theory``, or against the interval [low, high]
    when the theory value is known only up to a bounded bias (p = the t-test at the nearer end; 1 inside)."""
    x = np.asarray(samples, dtype=float)
    n = x.size
    m = float(x.mean())
    se = float(x.std(ddof=1) / math.sqrt(n)) if n > 1 else math.inf
    t = stats.t.ppf(0.5 + CI_LEVEL / 2, df=max(n - 1, 1))
    ci = [m - t * se, m + t * se]
    lo = theory if low is None else min(low, theory)
    hi = theory if high is None else max(high, theory)
    if lo <= m <= hi:
        return m, ci, 1.0
    edge = lo if m < lo else hi
    if se == 0:
        return m, ci, 0.0
    return m, ci, float(2 * stats.t.sf(abs(m - edge) / se, df=max(n - 1, 1)))


def variance_test(samples, theory: float):
    """(variance, CI, p): the sample variance against ``theory`` with the asymptotic standard error
    sqrt((m4 - s^4) / n) from the sample's own fourth central moment (valid for any finite-kurtosis law)."""
    x = np.asarray(samples, dtype=float)
    n = x.size
    d = x - x.mean()
    s2 = float(np.mean(d * d)) * n / (n - 1)
    m4 = float(np.mean(d**4))
    se = math.sqrt(max(m4 - s2 * s2, 1e-300) / n)
    z = stats.norm.ppf(0.5 + CI_LEVEL / 2)
    p = float(2 * stats.norm.sf(abs(s2 - theory) / se))
    return s2, [s2 - z * se, s2 + z * se], p


def ordering_test(a, b):
    """(difference of means, CI, p) for the claim E[a] > E[b]: p is Welch's one-sided t-test of the evidence
    against it (alternative E[a] < E[b]), so a small p means the ordering is violated, as for every check."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    res = stats.ttest_ind(a, b, equal_var=False, alternative="less")
    diff = float(a.mean() - b.mean())
    se = math.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)
    z = stats.norm.ppf(0.5 + CI_LEVEL / 2)
    return diff, [diff - z * se, diff + z * se], float(res.pvalue)
