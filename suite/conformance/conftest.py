"""Options and fixtures of the conformance tests: the target comes from outside (``--target``)."""

from __future__ import annotations

import pytest

from suite.engine import profiles, verification
from suite.engine.ledger import Ledger
from suite.engine.targets import UsageError, load
from suite.spec.claims import table_for
from suite.stats import budget as budgets

profiles.load()


def pytest_addoption(parser):
    group = parser.getgroup("initcheck", "initializer verification")
    group.addoption("--target", default="initlib", help="module (or torch-layers, path.py, module:object) to verify")
    group.addoption("--budget", default="quick", choices=tuple(budgets.BUDGETS), help="statistical budget")
    group.addoption("--alpha", type=float, default=budgets.DEFAULT_ALPHA, help="family-wise false-alarm rate")
    group.addoption("--expect", default=None, help="ledger of known deviations replacing the target's (/dev/null)")


@pytest.fixture(scope="session")
def verify_target(pytestconfig):
    try:
        return load(pytestconfig.getoption("--target"))
    except UsageError as error:
        raise pytest.UsageError(str(error)) from None


@pytest.fixture(scope="session")
def plan(pytestconfig, verify_target):
    budget = budgets.get(pytestconfig.getoption("--budget"))
    table = table_for(verify_target.kind)
    return verification.make_plan(table, budget, pytestconfig.getoption("--alpha"), verify_target.kind == "functions")


@pytest.fixture(scope="session")
def ledger(pytestconfig, verify_target):
    expect = pytestconfig.getoption("--expect")
    return Ledger.read(expect) if expect else Ledger.for_target(verify_target.name)


def pytest_generate_tests(metafunc):
    if "initializer" in metafunc.fixturenames:
        try:
            target = load(metafunc.config.getoption("--target"))
        except UsageError as error:
            raise pytest.UsageError(str(error)) from None
        metafunc.parametrize("initializer", list(table_for(target.kind)))
