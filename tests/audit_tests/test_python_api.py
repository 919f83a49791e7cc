"""suite.audit(...) and suite.assert_initialized(...) from Python and pytest."""

from __future__ import annotations

import pytest
from torch import nn

import suite
from suite.audit import spec as specs


def _model():
    return nn.Sequential(nn.Linear(64, 64), nn.LayerNorm(64))


def test_suite_audit_is_callable_with_a_spec_path(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('[params]\n"0.weight" = "kaiming_uniform_(a=sqrt(5))"\n')
    result = suite.audit(_model, str(path), budget="quick", builds=1)
    assert result.exit_code == 0
    assert [r.law.origin.split(",")[1].strip() for r in result.params[:1]] == ["line 2 ('0.weight')"]


def test_assert_initialized_fails_with_the_audit_text():
    spec = specs.parse('[params]\n"0.weight" = "normal_(std=0.02)"\n', "s.toml")
    with pytest.raises(AssertionError, match=r"FAIL 0.weight \(64, 64\): law normal_\(std=0.02\)"):
        suite.assert_initialized(_model(), spec, budget="quick")
    assert suite.assert_initialized(_model(), None, budget="quick").exit_code == 0
