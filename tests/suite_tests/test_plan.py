"""The statistical plan: the per-check threshold bounds the run's family-wise false-alarm rate."""

from collections import Counter

from suite.engine import targets, verification
from suite.engine.kinds import KINDS
from suite.spec.claims import TABLE
from suite.stats import budget as budgets
from suite.stats.significance import variance_power


def test_no_case_makes_more_statistical_checks_than_planned():
    """Bonferroni planning counts at most its claim kind's statistical checks per case, plus the
    once-per-initializer checks (layout, stream) on its first case, and no more cases than planned."""
    names = ["uniform_", "normal_", "sparse_", "orthogonal_", "delta_orthogonal_", "dirac_", "he_propagation"]
    outcome = verification.verify(targets.load("initlib"), names, 3, "quick")
    per_case = Counter((v.initializer, v.case) for v in outcome.verdicts if v.statistical)
    for (name, case), count in per_case.items():
        if name == "he_propagation":
            limit = verification.properties.STATISTICAL_CHECKS
        else:
            kind = KINDS[TABLE[name].kind]
            limit = kind.statistical_checks + (kind.once_statistical_checks if case == 0 else 0)
            assert case < TABLE[name].case_count(budgets.get("quick").cases), (name, case)
        assert count <= limit, (name, case, count, limit)
    once = {(v.initializer, v.check) for v in outcome.verdicts if v.check.startswith(("stream.", "precision."))}
    assert {name for name, _ in once} == {"uniform_", "normal_", "sparse_"}, "every random i.i.d. law has its stream"
    plan = verification.make_plan(TABLE, budgets.get("quick"), budgets.DEFAULT_ALPHA, True)
    assert all(v.alpha == plan.check_alpha for v in outcome.verdicts if v.statistical)


def test_every_budget_detects_its_design_effect():
    for budget in budgets.BUDGETS.values():
        plan = verification.make_plan(TABLE, budget, budgets.DEFAULT_ALPHA, True)
        n = verification.planned_sample(plan.check_alpha, budget.design_std_error, 3.0, True, 10**9)
        assert variance_power(n, plan.check_alpha, budget.design_std_error, 3.0, True) >= budgets.DESIGN_POWER
