"""The model audit's factories run under a time limit (suite.audit.factory): a factory that never returns
ends in an error naming the limit instead of stalling the audit; a factory within it is unchanged. On the
command line a factory that fails (raises, runs past its limit, returns no module) is the audit's failing
verdict, with its JSON written: the code under test failed, not the command."""

import inspect
import json

import pytest
import torch

from suite.audit import AuditError, audit
from suite.audit.factory import FactoryTimeLimit, load_callable
from suite.commands.cli import main
from tests.suite_tests.helpers import HERE

FACTORIES = HERE.parent / "isolation_tests" / "stuck_factory.py"


def test_a_factory_past_its_limit_raises_naming_the_limit():
    factory = load_callable(f"{FACTORIES}:build_forever", "--model", time_limit=0.5)
    with pytest.raises(FactoryTimeLimit, match=r"within 0\.5 s .*--model factory"):
        factory()


def test_the_audit_of_a_stuck_factory_ends_with_an_error_naming_the_limit():
    factory = load_callable(f"{FACTORIES}:build_forever", "--model", time_limit=0.5)
    with pytest.raises(AuditError, match=r"FactoryTimeLimit: did not return within 0\.5 s"):
        audit(factory, budget="quick")


def test_a_factory_within_its_limit_keeps_its_name_signature_and_result():
    factory = load_callable(f"{FACTORIES}:build", "--model", time_limit=5)
    assert factory.__name__ == "build" and "width" in inspect.signature(factory).parameters
    model = factory(width=4)
    assert isinstance(model, torch.nn.Linear) and model.in_features == 4


@pytest.mark.parametrize(
    ("factory", "reason"),
    [("build_raises", "the factory raised RuntimeError: no such layer"), ("build_nothing", "returned dict")],
)
def test_a_failing_factory_is_a_failing_verdict_with_its_json(tmp_path, factory, reason, capsys):
    out = tmp_path / "audit.json"
    assert main(["audit", "--model", f"{FACTORIES}:{factory}", "--budget", "quick", "--json", str(out)]) == 1
    assert "builds.factory" in capsys.readouterr().out
    record = json.loads(out.read_text())
    (failed,) = [v for v in record["model_verdicts"] if v["status"] == "fail"]
    assert failed["check"] == "builds.factory" and reason in failed["reason"]
    assert record["params"] == []


@pytest.mark.slow  # tox -e slow-tests: two ranks start torch
def test_a_failing_factory_sharded_is_the_same_failing_verdict(tmp_path, capsys):
    """Every rank reports the factory's failure; the parent turns it into the same verdict, not a usage error."""
    out = tmp_path / "audit.json"
    model = f"{FACTORIES}:build_raises"
    assert main(["audit", "--model", model, "--budget", "quick", "--world-size", "2", "--json", str(out)]) == 1
    record = json.loads(out.read_text())
    (failed,) = [v for v in record["model_verdicts"] if v["status"] == "fail"]
    assert failed["check"] == "builds.factory"
    assert "the factory raised RuntimeError: no such layer" in failed["reason"]
