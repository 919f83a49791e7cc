"""Summaries combine by addition (issue 20's shards); subsamples are planned and replayable."""

from __future__ import annotations

import math

import pytest
import torch

from suite.audit.sample import subsample, summarize


def test_shard_summaries_merge_to_the_whole():
    t = torch.randn(300, 70, generator=torch.Generator().manual_seed(0))
    t[5, 5], t[6, 6], t[7, 7] = float("nan"), 0.0, 1e-40
    whole = summarize(t)
    merged = summarize(t[:120]).merge(summarize(t[120:]))
    assert (merged.count, merged.nonfinite, merged.zeros, merged.subnormal) == (whole.count, 1, 1, 1)
    assert merged.mean == pytest.approx(whole.mean, rel=1e-6, abs=1e-9)
    assert merged.std == pytest.approx(whole.std, rel=1e-6)
    finite = t[torch.isfinite(t)].double()
    assert whole.std == pytest.approx(float(finite.std()), rel=1e-6)
    assert (whole.low, whole.high) == (float(finite.min()), float(finite.max()))


def test_subsample_size_and_replay():
    t = torch.randn(1000, 1000, generator=torch.Generator().manual_seed(1))
    a, b = subsample(t, 50_000, seed=3), subsample(t, 50_000, seed=3)
    assert torch.equal(a, b)
    assert 50_000 <= a.numel() <= 52_000
    assert a.dtype == t.dtype  # never widened here
    assert subsample(t, 10**7, 3).numel() == t.numel()


def test_subsample_leaves_out_the_padding_row():
    t = torch.ones(10, 4)
    t[3] = 0
    assert subsample(t, 100, 0, skip_row=3).shape == (9, 4)
    assert math.isclose(float(subsample(t, 100, 0, skip_row=3).min()), 1.0)
