"""Slow theory tests (whole command runs) are deselected unless a marker expression is given: ``tox -e theory``
runs them with ``-m slow``; pytest reports them as deselected, never as passed."""

from pathlib import Path

HERE = Path(__file__).parent


def pytest_collection_modifyitems(config, items):
    if config.option.markexpr:
        return
    slow = [i for i in items if i.get_closest_marker("slow") and HERE in Path(str(i.fspath)).parents]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [i for i in items if i not in slow]
