"""Issue 19's claims at the engine level: generator state, memory layouts, ranks of the fans. Each test
runs a check on a correct function and on a wrong one, so it can fail."""

from __future__ import annotations

import pytest
import torch

import initlib
from suite.engine import verification
from suite.engine.checks import api, layout
from suite.engine.checks.context import CheckCase
from suite.selfcheck import mutants
from suite.spec import claims, strategies
from suite.stats import budget as budgets

PLAN = verification.make_plan(claims.TABLE, budgets.get("quick"), budgets.DEFAULT_ALPHA, True)


def _case(name: str, c: strategies.Call) -> CheckCase:
    spec = claims.TABLE[name]
    return CheckCase("test", spec, c, spec.claim(c), 0, 5, PLAN)


def _verdicts(verdicts, prefix):
    return {v.check: v.passed for v in verdicts if v.check.startswith(prefix)}


def test_successive_calls_advance_the_generator():
    case = _case("xavier_normal_", strategies.call("xavier_normal_", (64, 32)))
    assert all(_verdicts(api.check(case, initlib.xavier_normal_), "api.successive").values())
    reseeding = mutants.by_name()["xavier_reseeds_from_initial_seed"].implementation
    assert _verdicts(api.check(case, reseeding), "api.successive") == {
        "api.successive_calls": False,
        "api.successive_calls_global": True,
    }


def test_views_have_the_layouts_they_are_named_after():
    found = layout.views((6, 4, 3, 3), torch.float32)
    assert set(found) == {"transposed", "packed_rows", "packed_columns", "channels_last"}
    for parent, view in found.values():
        assert view.shape == (6, 4, 3, 3)
        assert view.untyped_storage().data_ptr() == parent.untyped_storage().data_ptr()
    assert not found["transposed"][1].is_contiguous()
    assert found["packed_rows"][1].is_contiguous() and found["packed_rows"][1].storage_offset() == 6 * 36
    assert not found["packed_columns"][1].is_contiguous()
    assert found["channels_last"][1].is_contiguous(memory_format=torch.channels_last)
    assert "channels_last" in layout.views((2, 2, 2, 2, 2), torch.float32)
    assert "channels_last" not in layout.views((6, 4), torch.float32)


@pytest.mark.parametrize("name", ["kaiming_normal_", "eye_"])
def test_views_are_filled_in_place(name):
    c = claims.TABLE[name].fixed[0] if claims.TABLE[name].fixed else strategies.call(name, (64, 32, 3, 3))
    verdicts = layout.check(_case(name, c), getattr(initlib, name))
    assert verdicts and all(v.passed for v in verdicts if not v.statistical)


def test_a_contiguous_copy_leaves_the_view_unfilled():
    c = strategies.call("kaiming_normal_", (64, 32, 3, 3))
    copy = mutants.by_name()["kaiming_fills_contiguous_copy"].implementation
    failed = {v.check for v in layout.check(_case("kaiming_normal_", c), copy) if not v.passed}
    assert failed == {f"layout.in_place({n})" for n in ("transposed", "packed_columns", "channels_last")}


@pytest.mark.parametrize("name", [n for n, spec in claims.TABLE.items() if spec.by_rank])
@pytest.mark.parametrize("budget", list(budgets.BUDGETS))
def test_every_rank_of_the_fans_gets_a_case(name, budget):
    spec = claims.TABLE[name]
    cases = budgets.get(budget).cases
    for seed in range(3):
        drawn = spec.draw(cases, seed)
        assert len(spec.fixed) + len(drawn) == spec.case_count(cases)
        assert {len(c.shape) for c in [*spec.fixed, *drawn]} >= set(strategies.FAN_RANKS)
        ranked = drawn[: len(spec.uncovered_ranks)]
        assert [len(c.shape) for c in ranked] == list(spec.uncovered_ranks)
        assert all(k >= 2 for c in ranked for k in c.shape[2:]), "every kernel dimension changes the fans"
