"""Shared by the report's tests: the fixture files (made by the suite's own commands, see suite_outputs.py)
and a rendered report made from them."""

from __future__ import annotations

import functools
from pathlib import Path

from reports import demos, render
from reports.loader import load

from .suite_outputs import COMMANDS, FIXTURES

#: Every fixture, in the order the suite_outputs script lists them (the report's inputs of every kind).
ALL_FILES = tuple(COMMANDS)
VERIFY_FILES = tuple(name for name in ALL_FILES if name.startswith("verify-"))
GENERATED = "2000-01-01 00:00 UTC"
ENVIRONMENT = {
    "initcheck": "0.1.0",
    "python": "3.11.7",
    "torch": "2.13.0+cpu",
    "numpy": "2",
    "matplotlib": "3",
    "platform": "Linux",
    "cpu": "test CPU",
    "cores": 2,
}


@functools.cache
def fixture_demos() -> demos.Demos:
    return demos.compute_all(0)


def fixture_inputs(names=ALL_FILES):
    return [load(FIXTURES / name) for name in names]


def page_for(names=ALL_FILES, missing=None, with_demos=True) -> render.Page:
    if names == ALL_FILES and missing is None and with_demos:
        return _full_page()
    return _build(names, missing, with_demos)


@functools.cache
def _full_page() -> render.Page:
    return _build(ALL_FILES, None, True)


def _build(names, missing, with_demos) -> render.Page:
    return render.build(
        fixture_inputs(names),
        fixture_demos() if with_demos else None,
        missing,
        generated=GENERATED,
        environment=ENVIRONMENT,
    )


def html_for(names=ALL_FILES, missing=None, with_demos=True) -> str:
    return render.render(page_for(names, missing, with_demos))


def render_fixture_report(out: Path) -> Path:
    out.write_text(html_for(), encoding="utf-8")
    return out
