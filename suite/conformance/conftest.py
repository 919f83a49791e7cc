"""Options and fixtures of the conformance tests: the target comes from outside (``--target``).

The session runs :func:`suite.engine.verification.verify` once, on the initializers the selected tests
name, and so reaches the verdicts ``python -m suite verify`` reaches for the same target, seed, budget
and selection (Holm over the run, then the ledger); ``--verdicts-json F`` writes them as ``verify --json``
does. Like the command, the run calls the target in worker processes (``--jobs``, default every core;
``--isolation none`` for in-process debugging).

Under pytest-xdist (``-n auto``) every xdist worker collects every test and needs the whole run (Holm
needs every p-value of it): the first to ask runs it, with the engine's own workers on every core, and
leaves the outcome in the session's shared temporary folder; the others wait for it on a file lock and
read it. So ``-n auto`` costs one run, not one per xdist worker, and gives the same verdicts.
"""

from __future__ import annotations

import fcntl
import os
import pickle

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
    group.addoption(
        "--isolation",
        choices=("workers", "none"),
        default="workers",
        help="workers (default): the target runs in worker processes; none: in this process (debugging)",
    )
    group.addoption("--jobs", type=int, default=None, help="worker processes (default: the number of cores)")


def pytest_configure(config):
    """--isolation and --jobs checked before any test runs, by the command line's own rules."""
    from suite.engine import workers

    try:
        mode, jobs = config.getoption("--isolation"), config.getoption("--jobs")
        config.initcheck_isolation = workers.choose_isolation(mode, jobs)
    except ValueError as error:
        raise pytest.UsageError(str(error)) from None


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
def outcome(pytestconfig, verify_target, ledger, tmp_path_factory):
    selected = getattr(pytestconfig, "initcheck_selected", None)
    known = verification.known_names(verify_target)
    only = None if selected is None or set(selected) == set(known) else selected

    def run():
        return verification.verify(
            verify_target,
            only,
            pytestconfig.getoption("--seed"),
            pytestconfig.getoption("--budget"),
            pytestconfig.getoption("--alpha"),
            ledger,
            isolation=pytestconfig.initcheck_isolation,
        )

    if getattr(pytestconfig, "workerinput", None) is None:
        result = run()
    else:  # an xdist worker: the session's shared folder is its own temporary folder's parent
        result = _run_once(tmp_path_factory.getbasetemp().parent / "initcheck-outcome", run)
    path = pytestconfig.getoption("--verdicts-json")
    if path and _writes_json(pytestconfig):
        write_json(path, summary.to_json(result))
    return result


def _run_once(folder, run):
    """``run()``'s result, computed by the first process to get here and read by every later one (an
    exclusive ``flock`` on a file in ``folder`` orders them; the result is pickled there)."""
    folder.mkdir(parents=True, exist_ok=True)
    stored = folder / "outcome.pickle"
    with open(folder / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if stored.exists():
            return pickle.loads(stored.read_bytes())
        result = run()
        partial = folder / f"outcome.{os.getpid()}"
        partial.write_bytes(pickle.dumps(result))
        partial.replace(stored)
        return result


def _writes_json(config) -> bool:
    """Under pytest-xdist every worker has the run's outcome; one of them, the first, writes
    ``--verdicts-json`` (no two processes writing one file)."""
    worker = getattr(config, "workerinput", None)
    return worker is None or worker.get("workerid") == "gw0"
