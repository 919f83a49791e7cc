"""The checks across parameters: identical and correlated untied tensors, uninitialized values."""

from __future__ import annotations

import torch
from torch import nn

from suite.audit import cross
from suite.audit.laws import resolve
from suite.audit.params import collect
from suite.audit.sample import summarize


def _pair(size: int, mix: float) -> nn.Module:
    """Two (size,) parameters, the second mix * first + noise (correlation mix / sqrt(mix^2 + 1))."""
    g = torch.Generator().manual_seed(size)
    model = nn.Module()
    a = torch.randn(size, generator=g)
    model.a = nn.Parameter(a)
    model.b = nn.Parameter(mix * a + torch.randn(size, generator=g))
    return model


def _duplicates(model: nn.Module):
    params = collect(model)
    laws = resolve(params, None)  # no documented default: law "none", still compared
    summaries = {p.name: summarize(p.tensor) for p in params}
    return cross.duplicates("m", params, laws, summaries, 0)


def test_strong_correlation_in_a_big_tensor_is_flagged():
    (verdict,) = _duplicates(_pair(4096, 3.0))  # r = 0.95
    assert not verdict.passed and verdict.initializer == "a" and "correlation 0.9" in verdict.measured


def test_small_tensors_are_compared_for_identity_only():
    (verdict,) = _duplicates(_pair(8, 3.0))  # r = 0.95 by construction, 8 values: no evidence
    assert verdict.passed
    model = _pair(8, 0.0)
    with torch.no_grad():
        model.b.copy_(model.a)
    (verdict,) = _duplicates(model)
    assert not verdict.passed and "identical values between a and b" in verdict.measured


def test_uninitialized_values_are_named():
    model = nn.Module()
    model.w = nn.Parameter(torch.full((64,), 1e-41))  # subnormal float32: no initializer draws these
    (param,) = collect(model)
    law = resolve([param], None)["w"]
    verdict = cross.uninitialized("m", param, law, summarize(param.tensor), 0)
    assert not verdict.passed and verdict.measured.startswith("64 subnormal")
