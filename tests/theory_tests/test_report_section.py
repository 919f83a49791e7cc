"""The report's theory section: a figure per family present, captions that say whether the measurement
agrees (and say so when a check failed), every check in the table, and the fragment renders."""

import pytest

from reports import render
from reports.loader import THEORY, problem
from reports.sections import theory


def check(id_, passed, decided=True):
    return {
        "id": id_,
        "claim": "c",
        "params": {"width": 8},
        "theory": 1.0,
        "measured": 1.1,
        "ci": [1.0, 1.2],
        "p_value": 0.5 if decided else None,
        "p_holm": 0.5 if decided else None,
        "passed": passed if decided else None,
        "decided": decided,
        "reference": "r",
        "n": 3,
        "method": "m",
        "note": "",
    }


def document(passed: bool) -> dict:
    arch = {
        "name": "constant",
        "sum_reciprocal": 0.3,
        "theory": 1.5,
        "measured": 1.6,
        "ci": [1.4, 1.8],
        "leading_order": 1.5,
    }
    return {
        "schema": "initcheck.theory/1",
        "seed": 0,
        "budget": "quick",
        "alpha": 1e-3,
        "checks": [check("relu.finite_width", passed), check("rbm.pretraining", None, decided=False)],
        "series": {"finite_width": {"architectures": [arch]}, "rbm": {"curves": {"he": [2.3, 2.0], "rbm": [2.3, 1.5]}}},
        "summary": {"checks": 2, "decided": 1, "failed": 0 if passed else 1, "exit_code": 0 if passed else 1},
    }


@pytest.mark.parametrize("passed", [True, False])
def test_captions_follow_the_checks(passed):
    doc = document(passed)
    assert problem(THEORY, doc) is None
    ctx = theory.context(doc)
    fig = {f["id"]: f for f in ctx["figures"]}
    assert set(fig) == {"theory-finite_width", "theory-rbm"}
    assert fig["theory-finite_width"]["agrees"] is passed
    assert ("DISAGREES" in fig["theory-finite_width"]["agreement"]) is not passed
    assert fig["theory-rbm"]["agreement"].startswith("A demonstration")
    html = render._environment().get_template("sections/theory.html.j2").render(theory=ctx)
    assert html.count("<svg") == 2 and html.count("<tr class=") == 2


def test_a_malformed_document_is_rejected():
    doc = document(True)
    doc["checks"][0]["passed"] = None
    assert "passed" in problem(THEORY, doc)
