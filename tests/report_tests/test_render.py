"""The rendered page: summary matrix, evidence, plots, partial inputs, self-containment, determinism."""

import html
import json
import re
from html.parser import HTMLParser

import pytest

from reports import demos, render
from reports.loader import BENCH, VERIFY, Input

from .helpers import (
    ALL_FILES,
    ENVIRONMENT,
    FIXTURES,
    GENERATED,
    VERIFY_FILES,
    fixture_inputs,
    html_for,
    page_for,
)

SIZE_LIMIT = 8 * 1024 * 1024


class Page(HTMLParser):
    """Collects ids, links, tags and attributes of a rendered page."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.attrs: list[tuple[str, str, str]] = []
        self.tags: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            value = value or ""
            self.attrs.append((tag, name, value))
            if name == "id":
                assert value not in self.ids, f"duplicate id {value}"
                self.ids.add(value)
            if tag == "a" and name == "href":
                self.links.append(value)


@pytest.fixture(scope="module")
def full_html():
    return html_for()


@pytest.fixture(scope="module")
def full(full_html):
    return Page(full_html)


def _verify(name):
    return json.loads((FIXTURES / name).read_text())


def _row(html: str, anchor: str) -> str:
    match = re.search(rf'<tr id="{re.escape(anchor)}".*?</tr>', html, re.S)
    assert match, anchor
    return match.group(0)


def test_summary_matrix_cells_match_the_files_and_link_to_evidence(full_html, full):
    page = page_for()
    matrix = page.matrix
    assert [t["label"] for t in matrix["targets"]] == ["initlib", "torch.nn.init", "acme.init"]
    for col, name in enumerate(VERIFY_FILES):
        data = _verify(name)
        slug = render.slug(data["target"])
        for info in data["initializers"]:
            row = next(r for r in matrix["rows"] if r["name"] == info["name"])
            cell = row["cells"][col]
            assert cell["status"] == info["status"]
            assert cell["href"] == f"#ev-{slug}-{render.slug(info['name'])}"
            assert cell["href"][1:] in full.ids
    statuses = {c["status"] for r in matrix["rows"] for c in r["cells"]}
    assert statuses == {"pass", "fail", "deviation", "not-provided"}
    # the cells as the reader sees them
    assert '<td class="cell fail"><a href="#ev-acme-init-xavier_uniform_">' in full_html
    assert '<td class="cell deviation"><a href="#ev-torch-nn-init-sparse_">' in full_html
    assert '<td class="cell not-provided"><a href="#ev-torch-nn-init-lecun_normal_">' in full_html


def test_every_internal_link_resolves(full):
    internal = [h for h in full.links if h.startswith("#")]
    assert len(internal) > 100
    assert [h for h in internal if h[1:] not in full.ids] == []


def test_evidence_shows_every_field_of_a_statistical_verdict(full_html):
    data = _verify("verify-acme.json")
    v = next(v for v in data["verdicts"] if v["id"] == "xavier_uniform_/scale#1")
    row = html.unescape(_row(full_html, "v-acme-init-xavier_uniform_-scale-1"))
    for value in (
        render.fmt(v["claimed"]),
        render.fmt(v["measured"]),
        render.fmt(v["statistic"]),
        render.fmt_p(v["p_value"]),
        render.fmt_p(v["p_adjusted"]),
        render.fmt(v["alpha"], 3),
        render.fmt(v["sample_size"]),
        render.fmt(v["power"], 3),
        v["effect"],
        str(v["seed"]),
        "failed",
        v["reason"],
    ):
        assert value in row, value
    assert "xavier_uniform_(torch.empty((256, 128)))" in row
    # a shape verdict links to its plot, and the plot links back
    shape = _row(full_html, "v-acme-init-xavier_uniform_-shape-2")
    assert 'href="#plot-acme-init-xavier_uniform_"' in shape
    assert 'href="#v-acme-init-xavier_uniform_-shape-2"' in full_html


def test_exact_verdicts_say_so(full_html):
    row = _row(full_html, "v-initlib-orthogonal_-orthogonality-0")
    assert "exact" in row and "passed" in row


def test_deviations_and_the_ledger(full_html):
    row = _row(full_html, "v-torch-nn-init-sparse_-api-generator-2")
    assert "known deviation" in row and "ledger:" in row
    assert "deviation fixed" in _row(full_html, "v-torch-nn-init-kaiming_uniform_-api-zero_element-6")
    assert "Known deviations ledger" in full_html and "suite/ledgers/torch.nn.init.toml" in full_html


def test_failing_and_deviating_initializers_are_open(full_html):
    assert re.search(r'<details class="ev fail" open>\s*<summary>.*?xavier_uniform_', full_html, re.S)
    assert re.search(r'<details class="ev deviation" open>\s*<summary>.*?sparse_', full_html, re.S)
    assert re.search(r'<details class="ev pass">\s*<summary>', full_html)


def test_plots_present(full_html):
    page = page_for()
    shape_plots = sum(
        1
        for name in VERIFY_FILES
        for i in _verify(name)["initializers"]
        if i["status"] != "not-provided"
        and any(v["plot"] for v in _verify(name)["verdicts"] if v["initializer"] == i["name"])
    )
    assert len(page.distributions) == shape_plots
    assert page.distributions[0]["status"] == "fail", "what needs looking at comes first"
    # distributions + 4 demonstrations + 4 benchmark charts + kill rates + calibration histogram
    assert full_html.count('<svg class="plot"') == shape_plots + 4 + 4 + 1 + 1
    for anchor in ("demo-propagation", "demo-symmetry", "demo-sigmoid", "demo-product", "bench-cpu"):
        assert f'id="{anchor}"' in full_html


def test_header_has_versions_machine_date_seed_and_budget(full_html):
    header = full_html[: full_html.index("</header>")]
    for text in (
        "2000-01-01 00:00 UTC",
        "Python 3.11.7 · torch 2.13.0+cpu",
        "suite 0.1.0",
        "AMD EPYC (fixture machine) · 2 cores",
        "initlib: seed 0, budget quick",
        "benchmarks: quick",
        "demonstrations: seed 0",
        "rendered with initcheck 0.1.0",
    ):
        assert text in header, text
    # without inputs, the machine is the one that rendered the page
    bare = render.render(render.build([], None, generated="d", environment=ENVIRONMENT))
    assert "test CPU · 2 cores · Linux (this machine)" in bare


def test_self_contained(full_html, full):
    assert "<script" not in full_html
    assert "<link" not in full_html
    assert "@import" not in full_html
    assert re.findall(r"url\((?!#)", full_html) == [], "only references within the page (SVG clip paths)"
    fetching = {"src", "href", "xlink:href", "srcset", "action", "data", "poster", "background"}
    remote = [(t, n, v) for t, n, v in full.attrs if n in fetching and re.match(r"\s*(https?:)?//", v)]
    assert remote == []
    assert set(full.tags).isdisjoint({"iframe", "object", "embed", "link", "script"})


def test_size_limit(full_html):
    assert len(full_html.encode()) < SIZE_LIMIT


def test_partial_input_renders_what_exists_and_says_what_is_missing():
    html = html_for(("verify-initlib.json",), with_demos=False)
    page = Page(html)
    assert "Not in this report" in html
    missing = html[html.index('id="missing"') : html.index('id="summary"')]
    for section in ("Benchmarks", "Mutant kill matrix", "Calibration", "Demonstrations"):
        assert section in missing
    assert "python -m suite bench --json F" in missing
    assert "Verification" not in missing
    assert "table" in page.tags and "matrix" in html
    assert "No benchmark results" in html and "No mutant results" in html


def test_no_input_at_all_still_renders():
    html = render.render(render.build([], None, generated="x", environment={"cpu": "c"}))
    assert "No verification results" in html
    assert html.count('<svg class="plot"') == 0


def test_a_reason_given_by_the_caller_replaces_the_generic_one():
    reason = "python -m suite bench --quick --json $TMP/bench.json failed with exit status 2: invalid choice"
    missing = [render.Missing("Benchmarks", reason, "initcheck.bench/1")]
    html = html_for(VERIFY_FILES, missing=missing, with_demos=False)
    assert "bench.json failed with exit status 2: invalid choice" in html
    assert "no input given (make one with: python -m suite bench" not in html


def test_deterministic_for_the_same_inputs(full_html):
    """Same inputs, same seed: the same bytes (the date is pinned here), demonstrations recomputed."""
    again = render.render(
        render.build(fixture_inputs(ALL_FILES), demos.compute_all(0), generated=GENERATED, environment=ENVIRONMENT)
    )
    assert again == full_html


def test_verdicts_of_an_initializer_the_list_leaves_out_are_still_counted():
    data = _verify("verify-acme.json")
    data["initializers"] = [i for i in data["initializers"] if i["name"] != "xavier_uniform_"]
    page = render.build([Input("acme.json", VERIFY, data)], None, generated="d", environment={"cpu": "c"})
    row = next(r for r in page.matrix["rows"] if r["name"] == "xavier_uniform_")
    assert row["cells"][0]["status"] == "fail"
    assert row["cells"][0]["text"] == "2 of 6 failed"


def test_performance_targets_are_shown_with_their_verdicts_per_device():
    bench = json.loads((FIXTURES / "bench-cpu.json").read_text())
    common = {"initializer": "trunc_normal_", "comparison": ">=", "threshold": 10.0}
    bench["targets"] = [
        {**common, "target": "speed-up over torch", "device": "cpu", "value": 14.2, "met": True},
        {**common, "target": "speed-up over torch", "device": "cpu", "value": 7.5, "met": False},
        {
            **common,
            "target": "speed-up over torch",
            "device": "cpu",
            "value": 9.5,
            "met": False,
            "verdict": "within noise",
        },
        {**common, "target": "fraction of fill_ bandwidth", "device": "cuda", "value": None, "met": None},
    ]
    page = render.build([Input("cpu.json", BENCH, bench)], None, generated="d", environment=ENVIRONMENT)
    (cpu,) = page.bench
    assert [(t["value"], t["goal"], t["verdict"]) for t in cpu["targets"]] == [
        ("14.2", "≥ 10", "met"),
        ("7.5", "≥ 10", "missed"),
        ("9.5", "≥ 10", "within noise"),
    ]
    html = render.render(page)
    assert '<span class="pill pass">met</span>' in html and '<span class="pill fail">missed</span>' in html
    assert '<span class="pill deviation">within noise</span>' in html


def test_one_benchmark_section_per_device():
    bench = json.loads((FIXTURES / "bench-cpu.json").read_text())
    gpu = json.loads(json.dumps(bench))
    gpu["machine"].update(device="cuda", gpu="NVIDIA H100")
    for row in (*gpu["results"], *gpu["roofline"], *gpu["scaling"]):
        row["device"] = "cuda"
    inputs = [Input("cpu.json", BENCH, bench), Input("gpu.json", BENCH, gpu)]
    page = render.build(inputs, None, generated="d", environment=ENVIRONMENT)
    assert [b["device"] for b in page.bench] == ["cpu", "cuda"]
    assert [len(b["figures"]) for b in page.bench] == [4, 4]
    assert [m["path"] for m in page.bench[1]["machines"]] == ["gpu.json"]
    assert "NVIDIA H100" in render.render(page)
