"""Options and fixtures of the conformance tests: the target comes from outside (``--target``).

The session runs :func:`suite.engine.verification.verify` once, on the initializers the selected tests
name, and so reaches the verdicts ``python -m suite verify`` reaches for the same target, seed, budget
and selection (Holm over the run, then the ledger); ``--verdicts-json F`` writes them as ``verify --json``
does.
"""

from __future__ import annotations

import pytest

from suite.commands import summary
from suite.engine import profiles, verification
from suite.engine.environment import write_json
from suite.engine.ledger import Ledger
from suite.engine.targets import UsageError, load
from suite.stats import budget as budgets

profiles.load()


def _seed(text: str) -> int:
    value = int(text)
    if value < 0:
        raise ValueError("--seed must be a non-negative integer")
    return value


def pytest_addoption(parser):
    group = parser.getgroup("initcheck", "initializer verification")
    group.addoption("--target", default="initlib", help="module (or torch-layers, path.py, module:object) to verify")
    group.addoption("--budget", default="quick", choices=tuple(budgets.BUDGETS), help="statistical budget")
    group.addoption("--alpha", type=float, default=budgets.DEFAULT_ALPHA, help="family-wise false-alarm rate")
    group.addoption("--seed", type=_seed, default=0, help="the run's seed (default 0)")
    group.addoption("--expect", default=None, help="ledger of known deviations replacing the target's (/dev/null)")
    group.addoption("--verdicts-json", default=None, metavar="F", help="write the run's verdicts (initcheck.verify/1)")


def _target(config):
    try:
        return load(config.getoption("--target"))
    except UsageError as error:
        raise pytest.UsageError(str(error)) from None


@pytest.fixture(scope="session")
def verify_target(pytestconfig):
    return _target(pytestconfig)


@pytest.fixture(scope="session")
def ledger(pytestconfig, verify_target):
    expect = pytestconfig.getoption("--expect")
    return Ledger.read(expect) if expect else Ledger.for_target(verify_target.name)


def pytest_generate_tests(metafunc):
    if "name" in metafunc.fixturenames:
        metafunc.parametrize("name", verification.known_names(_target(metafunc.config)))


def pytest_collection_modifyitems(session, config, items):
    """Remember which names the selected tests check: the session's run covers exactly those."""
    config.initcheck_selected = [item.callspec.params["name"] for item in items if hasattr(item, "callspec")]


@pytest.fixture(scope="session")
def outcome(pytestconfig, verify_target, ledger):
    selected = getattr(pytestconfig, "initcheck_selected", None)
    known = verification.known_names(verify_target)
    only = None if selected is None or set(selected) == set(known) else selected
    result = verification.verify(
        verify_target,
        only,
        pytestconfig.getoption("--seed"),
        pytestconfig.getoption("--budget"),
        pytestconfig.getoption("--alpha"),
        ledger,
    )
    path = pytestconfig.getoption("--verdicts-json")
    if path and _writes_json(pytestconfig):
        write_json(path, summary.to_json(result))
    return result


def _writes_json(config) -> bool:
    """Under pytest-xdist every worker collects every test, so every worker runs the same whole
    verification (Holm needs the whole run's p-values) and reaches the same verdicts; one of them, the
    first, writes ``--verdicts-json`` (no two processes writing one file)."""
    worker = getattr(config, "workerinput", None)
    return worker is None or worker.get("workerid") == "gw0"
