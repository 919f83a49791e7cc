"""Calibration of the battery on a correct target, the way RNG batteries are judged (NIST SP 800-22,
section 4.2): over K independent seeds (verdicts covered by the target's ledger of known deviations
left out) the failure proportion of each check stays inside
alpha +- 3 sqrt(alpha (1 - alpha) / m), the p-values of the exact tests are uniform (chi-square over 10
bins), and the runs with a false alarm are no more than the run's family-wise rate allows.

Also the minimum-detectable-effect table: for each scale check at each budget, the smallest relative
std error the variance test detects with power 0.99 at its threshold, from the test's power function,
confirmed by simulation on a few entries.
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np
from scipy import stats

from suite.engine import verification
from suite.engine.checks.context import CheckCase
from suite.engine.invoke import derive_seed
from suite.engine.verdict import DEVIATION, FAIL, Verdict
from suite.spec import claims
from suite.stats import budget as budgets
from suite.stats import significance

BINS = 10


def check_kind(v: Verdict) -> str:
    """The check a verdict is an instance of (backward propagation checks are conservative too)."""
    if v.initializer == "he_propagation":
        return "he." + v.check.split("(")[0]
    return v.check


def nist_band(alpha: float, m: int) -> tuple[float, float]:
    half = 3 * math.sqrt(alpha * (1 - alpha) / m)
    return max(0.0, alpha - half), alpha + half


def summarise(outcomes: list[verification.Outcome], alpha: float) -> dict:
    """Failure proportions per check, p-value uniformity, run-level false alarms."""
    per_check: dict[str, list[Verdict]] = defaultdict(list)
    uniform_p: list[float] = []
    for outcome in outcomes:
        for v in outcome.verdicts:
            if not v.statistical or v.known_deviation:  # documented deviations are not false alarms
                continue
            kind = check_kind(v)
            per_check[kind].append(v)
            if v.p_uniform:  # discrete and conservative tests are judged by their failure proportion only
                uniform_p.append(v.p_value)
    rows = []
    for kind, verdicts in sorted(per_check.items()):
        threshold = verdicts[0].alpha
        failures = sum(v.p_value <= threshold for v in verdicts)
        low, high = nist_band(threshold, len(verdicts))
        proportion = failures / len(verdicts)
        rows.append(
            {
                "check": kind,
                "runs": len(verdicts),
                "failures": failures,
                "proportion": proportion,
                "alpha": threshold,
                "band": [low, high],
                "within_band": proportion <= high,
            }
        )
    counts, _ = np.histogram(uniform_p, bins=BINS, range=(0.0, 1.0))
    chi2 = stats.chisquare(counts) if len(uniform_p) else None
    unexpected = [sum(v.status == FAIL for v in o.verdicts) for o in outcomes]
    false_alarm_runs = sum(u > 0 for u in unexpected)
    runs_p = float(stats.binomtest(false_alarm_runs, len(outcomes), alpha, alternative="greater").pvalue)
    return {
        "checks": rows,
        "p_values": {
            "bins": BINS,
            "counts": [int(c) for c in counts],
            "n": len(uniform_p),
            "chi2": float(chi2.statistic) if chi2 else None,
            "p_value": float(chi2.pvalue) if chi2 else None,
            "uniform": bool(chi2 is None or chi2.pvalue >= 1e-3),
        },
        "runs": {
            "runs": len(outcomes),
            "false_alarm_runs": false_alarm_runs,
            "expected": len(outcomes) * alpha,
            "p_value": runs_p,
            "unexpected_failures": unexpected,
            "deviations": [sum(v.status == DEVIATION for v in o.verdicts) for o in outcomes],
        },
    }


def calibrated(summary: dict) -> bool:
    """Rejected when a check fails more often than its band allows, the exact p-values are not uniform
    (chi-square p < 0.001), or false-alarm runs exceed the family-wise rate (binomial p < 0.01)."""
    return (
        all(row["within_band"] for row in summary["checks"])
        and summary["p_values"]["uniform"]
        and summary["runs"]["p_value"] >= 0.01
    )


# --- minimum detectable effect -------------------------------------------------------------------------


def mde_table(budget_names=tuple(budgets.BUDGETS), seed: int = 0) -> list[dict]:
    """For every scale check a run would make (fixed calls and the calls drawn at ``seed``), at each
    budget: its sample size, threshold, and the smallest relative std error detected with power 0.99."""
    rows = []
    for name in budget_names:
        budget = budgets.get(name)
        plan = verification.make_plan(claims.TABLE, budget, budgets.DEFAULT_ALPHA, True)
        for spec in claims.TABLE.values():
            if not spec.random:
                continue
            drawn = spec.draw(budget.cases, derive_seed(seed, spec.name, "calls"))
            for index, c in enumerate([*spec.fixed, *drawn]):
                claim = spec.claim(c)
                law = claim.marginal
                if law is None:
                    continue
                case = CheckCase("", spec, c, claim, index, 0, plan)
                per_call = (
                    c.numel
                    if claim.zeros_per_column is None
                    else c.numel - claim.zeros_per_column * (c.numel // c.shape[0])
                )
                n = verification.replicate_count(case) * per_call
                mde = significance.minimum_detectable_std_error(
                    n, plan.check_alpha, budgets.DESIGN_POWER, law.kurtosis, law.family == "normal"
                )
                rows.append(
                    {
                        "initializer": spec.name,
                        "check": "scale",
                        "case": index,
                        "call": c.describe(),
                        "budget": name,
                        "family": law.family,
                        "sample_size": int(n),
                        "alpha": plan.check_alpha,
                        "mde_rel_std": mde,
                        "kurtosis": law.kurtosis,
                    }
                )
    return rows


def simulate_power(row: dict, runs: int, seed: int) -> dict:
    """Empirical power of the variance test at the row's n, threshold and MDE, on draws of the claimed
    family with the std off by the MDE (numpy, fixed seed), with a Clopper-Pearson interval."""
    from statsmodels.stats.proportion import proportion_confint

    from suite.stats.laws import normal, standard_truncated_draws, truncated_normal, uniform

    rng = np.random.default_rng(seed)
    factor = 1 + row["mde_rel_std"]
    law = {
        "normal": normal(0.0, 1.0),
        "uniform": uniform(-1.0, 1.0),
        "truncated_normal": truncated_normal(0.0, 1.0, -2.0, 2.0),
    }[row["family"]]
    draw = {
        "normal": lambda n: rng.normal(0.0, factor, n),
        "uniform": lambda n: rng.uniform(-factor, factor, n),
        "truncated_normal": lambda n: factor * standard_truncated_draws(rng, n),
    }[row["family"]]
    rejected = sum(
        significance.variance_test(draw(row["sample_size"]), law, row["alpha"], 0.02).p_value <= row["alpha"]
        for _ in range(runs)
    )
    low, high = proportion_confint(rejected, runs, alpha=0.05, method="beta")
    return {"effect": row["mde_rel_std"], "runs": runs, "power": rejected / runs, "ci": [float(low), float(high)]}
