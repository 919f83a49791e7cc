"""The statistical plan: the per-check threshold bounds the run's family-wise false-alarm rate."""

from collections import Counter

from suite.engine import targets, verification
from suite.engine.kinds import KINDS
from suite.spec.claims import TABLE
from suite.stats import budget as budgets
from suite.stats.significance import variance_power


def test_no_case_makes_more_statistical_checks_than_planned():
    """Bonferroni planning counts at most its claim kind's statistical checks per case."""
    names = ["uniform_", "normal_", "sparse_", "orthogonal_", "delta_orthogonal_", "dirac_", "he_propagation"]
    outcome = verification.verify(targets.load("initlib"), names, 3, "quick")
    per_case = Counter((v.initializer, v.case) for v in outcome.verdicts if v.statistical)
    for (name, _), count in per_case.items():
        limit = (
            verification.properties.STATISTICAL_CHECKS
            if name == "he_propagation"
            else KINDS[TABLE[name].kind].statistical_checks
        )
        assert count <= limit, (name, count, limit)
    plan = verification.make_plan(TABLE, budgets.get("quick"), budgets.DEFAULT_ALPHA, True)
    assert all(v.alpha == plan.check_alpha for v in outcome.verdicts if v.statistical)


def test_every_budget_detects_its_design_effect():
    for budget in budgets.BUDGETS.values():
        plan = verification.make_plan(TABLE, budget, budgets.DEFAULT_ALPHA, True)
        n = verification.planned_sample(plan.check_alpha, budget.design_std_error, 3.0, True, 10**9)
        assert variance_power(n, plan.check_alpha, budget.design_std_error, 3.0, True) >= budgets.DESIGN_POWER
