"""The model-audit section of the page (the committed tiny_gpt fixture, one parameter with a 15% std bug):
what needs reading open, every passing parameter folded under one line, names broken only after a dot."""

from __future__ import annotations

import json
import re

from reports.sections import audit as section

from .helpers import FIXTURES


def _record() -> dict:
    return json.loads((FIXTURES / "audit.json").read_text())


def _html() -> tuple[dict, str]:
    record = _record()
    return record, section.render(section.context(record, "audit.json"))


def _name_html(name: str) -> str:
    return f'<code class="param">{name.replace(".", ".<wbr>")}</code>'


def test_failures_open_and_passes_folded_under_one_line():
    record, html = _html()
    failing = [p["name"] for p in record["params"] if p["status"] == "fail"]
    passing = [p["name"] for p in record["params"] if p["status"] == "pass"]
    assert failing and len(passing) > 10, "the fixture: one bug among many passing parameters"
    opened, folded = html.split('<details class="passes"', 1)
    for name in failing:
        assert _name_html(name) in opened and _name_html(name) not in folded
    for name in passing:
        assert _name_html(name) in folded and _name_html(name) not in opened
    summary = re.search(r"<summary>(.*?)</summary>", folded, re.S).group(1)
    verdicts = sum(len(p["verdicts"]) for p in record["params"] if p["status"] == "pass")
    assert summary.startswith(f"{len(passing)} parameters pass ({verdicts} verdicts)")


def test_the_pass_line_gives_the_range_of_detectable_errors_and_the_weakest_check():
    record = _record()
    passed = [p for p in record["params"] if p["status"] == "pass" and p["detectable_std_error"] is not None]
    low = min(p["detectable_std_error"] for p in passed)
    weakest = max(passed, key=lambda p: p["detectable_std_error"])
    line = section.pass_line([p for p in record["params"] if p["status"] == "pass"])
    assert f"{100 * low:.2g}% to {100 * weakest['detectable_std_error']:.2g}%" in line
    assert "with probability 0.99" in line and f"the weakest check: {weakest['name']}" in line
    exact = sum(p["status"] == "pass" and p["detectable_std_error"] is None for p in record["params"])
    assert f"{exact} checked exactly (no power figure)" in line


def test_ignored_parameters_are_folded_and_counted():
    record = _record()
    record["params"][0]["status"] = "ignored"
    context = section.context(record)
    assert record["params"][0]["name"] in [r["name"] for r in context["folded"]]
    assert ", 1 ignored" in context["pass_line"]


def test_a_passing_audit_shows_no_open_table():
    record = _record()
    for p in record["params"]:
        p["status"] = "pass"
    html = section.render(section.context(record))
    assert html.count("<table") == 1 and html.index("<table") > html.index('<details class="passes"')


def test_parameter_names_break_only_after_a_dot():
    record, html = _html()
    for p in record["params"]:
        assert _name_html(p["name"]) in html, p["name"]
    cells = re.findall(r'<code class="param">(.*?)</code>', html)
    assert cells and all(cell.replace(".<wbr>", ".").count("<") == 0 for cell in cells), "no other break point"
