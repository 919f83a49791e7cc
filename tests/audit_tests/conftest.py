"""Tests that start torch.distributed ranks (marker ``distributed``, issue 20) run only when asked for by
name (``-m distributed``, as ``tox -e audit-distributed`` does): they take minutes of process start-up,
and a run that selects ``slow`` tests for another purpose (``tox -e audit-models``, with xdist workers that
would each start their own ranks) should not start them."""

from __future__ import annotations


def pytest_collection_modifyitems(config, items):
    if "distributed" in (config.option.markexpr or ""):
        return
    kept = [item for item in items if item.get_closest_marker("distributed") is None]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept
