"""Laws with structure across the whole tensor (orthogonal, sparse) use the other builds as draws."""

from __future__ import annotations

import torch
from torch import nn

from suite.audit import audit
from suite.audit import spec as specs

SPEC = specs.parse('[params]\n"q" = "orthogonal_(gain=2)"\n"s" = "sparse_(sparsity=0.25, std=0.1)"\n', "s.toml")


def _model(broken: bool = False) -> nn.Module:
    model = nn.Module()
    model.q = nn.Parameter(torch.empty(48, 32))
    model.s = nn.Parameter(torch.empty(40, 30))
    nn.init.orthogonal_(model.q, gain=2.0)
    nn.init.sparse_(model.s, sparsity=0.25, std=0.1)
    if broken:
        with torch.no_grad():
            model.q.mul_(1.01)  # orthogonal to 1%, no more
    return model


def test_orthogonal_and_sparse_laws_pass_with_haar_over_builds():
    result = audit(_model, SPEC, seed=0, budget="quick", builds=3)
    assert result.exit_code == 0
    q = next(r for r in result.params if r.name == "q")
    checks = {v.check: v for v in q.verdicts}
    assert checks["structure.orthogonality"].passed
    assert checks["haar.sign"].sample_size == 3  # one draw per build
    assert "sparse.zeros_per_column" in {v.check for v in result.params[1].verdicts}


def test_a_scaled_orthogonal_matrix_fails():
    result = audit(lambda: _model(broken=True), SPEC, seed=0, budget="quick", builds=2)
    q = next(r for r in result.params if r.name == "q")
    assert q.status == "fail"
    assert [v.check for v in q.verdicts if v.status == "fail"] == ["structure.orthogonality"]
