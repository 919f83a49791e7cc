"""Every claim of the claims table, as pytest tests on the ``--target``.

Each test draws calls and seeds with Hypothesis (derandomized in CI), runs the same checks as
``python -m suite verify``, and fails with the verdicts that do not hold: claimed and measured values
and the seed that replays the draw. A failure shrinks to a minimal call. Statistical verdicts are
decided at the planned per-check threshold (Bonferroni over the run's bound), so the session's
false-alarm rate stays within ``--alpha``. Ledgered deviations xfail; ledgered checks that pass warn.
"""

from __future__ import annotations

import warnings

import pytest
from hypothesis import given, settings

from suite.engine import verification
from suite.engine.checks import extras, properties
from suite.engine.checks.context import CheckCase
from suite.engine.verdict import DEVIATION, DEVIATION_FIXED, FAIL, PASS
from suite.spec.claims import table_for
from suite.spec.strategies import seeds


def decide(verdicts, plan, ledger):
    """Statuses: statistical verdicts pass when p > the per-check threshold; then the ledger."""
    for v in verdicts:
        if v.statistical:
            v.passed = v.p_value > plan.check_alpha
            v.p_adjusted = min(1.0, v.p_value * plan.alpha / plan.check_alpha)  # Bonferroni
        v.status = PASS if v.passed else FAIL
    if ledger is not None:
        ledger.apply(verdicts)
    return verdicts


def report(verdicts, deviations: list) -> None:
    failures = [v for v in verdicts if v.status == FAIL]
    deviations += [v for v in verdicts if v.status == DEVIATION]
    for v in verdicts:
        if v.status == DEVIATION_FIXED:
            warnings.warn(f"{v.id}: {v.reason}", stacklevel=2)
    assert not failures, "claims violated:\n" + "\n".join(v.describe() for v in failures)


def finish(deviations: list) -> None:
    if deviations:
        ids = sorted({v.id.split("#")[0] for v in deviations})
        pytest.xfail("known deviations: " + ", ".join(ids))


def test_claims(initializer, verify_target, plan, ledger):
    spec = table_for(verify_target.kind)[initializer]
    fn = verify_target.function(initializer)
    if fn is None:
        pytest.skip(f"{initializer} is not provided by {verify_target.name}")
    deviations: list = []

    @settings(max_examples=plan.budget.cases)
    @given(c=spec.calls, seed=seeds)
    def check(c, seed):
        case = CheckCase(verify_target.name, spec, c, spec.claim(c), 0, seed, plan)
        report(decide(verification.run_case(case, fn), plan, ledger), deviations)

    check()
    finish(deviations)


def test_fixed_calls_and_api(initializer, verify_target, plan, ledger):
    """The calls every run includes, the API contract and the documented errors."""
    spec = table_for(verify_target.kind)[initializer]
    fn = verify_target.function(initializer)
    if fn is None:
        pytest.skip(f"{initializer} is not provided by {verify_target.name}")
    deviations: list = []
    verdicts = verification.run_spec(verify_target, spec, fn, plan, seed=0, drawn=False)
    report(decide(verdicts, plan, ledger), deviations)
    finish(deviations)


@pytest.mark.parametrize("name", list(extras.EXTRAS))
def test_extras(name, verify_target, plan, ledger):
    fn = verify_target.function(name)
    if fn is None:
        pytest.skip(f"{name} is not provided by {verify_target.name}")
    deviations: list = []
    report(decide(extras.EXTRAS[name](verify_target.name, fn, 0), plan, ledger), deviations)
    finish(deviations)


@pytest.mark.parametrize("name", properties.PROPERTIES)
def test_properties(name, verify_target, plan, ledger):
    if verify_target.kind != "functions":
        pytest.skip("properties need initializer functions")
    verdicts = properties.run(name, verify_target, plan, 0)
    if not verdicts:
        pytest.skip(f"{verify_target.name} provides none of the initializers {name} uses")
    deviations: list = []
    report(decide(verdicts, plan, ledger), deviations)
    finish(deviations)
