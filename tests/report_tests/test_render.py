"""The rendered page: summary matrix, evidence (failures first, passes folded, power in words, diagnoses),
plots, partial inputs, self-containment, determinism; inputs made by the suite itself (suite_outputs.py)."""

import html
import json
import re
from html.parser import HTMLParser

import pytest

from reports import demos, plots, render
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


def _target_slugs():
    return [render.slug(_verify(name)["target"]) for name in VERIFY_FILES]


def test_summary_matrix_cells_match_the_files_and_link_to_evidence(full):
    matrix = page_for().matrix
    labels = [t["label"] for t in matrix["targets"]]
    assert sorted(labels) == sorted(_verify(name)["target"] for name in VERIFY_FILES)
    for name in VERIFY_FILES:
        data = _verify(name)
        col = labels.index(data["target"])
        slug = render.slug(data["target"])
        for info in data["initializers"]:
            row = next(r for r in matrix["rows"] if r["name"] == info["name"])
            cell = row["cells"][col]
            assert cell["status"] == info["status"]
            expected = f"#t-{slug}" if info["status"] == "not-provided" else f"#ev-{slug}-{render.slug(info['name'])}"
            assert cell["href"] == expected
            assert cell["href"][1:] in full.ids
    statuses = {c["status"] for r in matrix["rows"] for c in r["cells"]}
    assert {"pass", "fail", "deviation", "not-provided"} <= statuses


def test_every_internal_link_resolves(full):
    internal = [h for h in full.links if h.startswith("#")]
    assert len(internal) > 50
    assert [h for h in internal if h[1:] not in full.ids] == []


def _failing_scale(name="verify-example.json"):
    data = _verify(name)
    return data, next(v for v in data["verdicts"] if v["status"] == "fail" and v["check"] == "scale")


def test_a_failing_statistical_verdict_shows_its_evidence_power_in_words_and_what_was_drawn(full_html):
    data, v = _failing_scale()
    row = html.unescape(_row(full_html, f"v-{render.slug(data['target'])}-{render.slug(v['id'])}"))
    for value in (
        render.fmt(v["claimed"]),
        render.fmt(v["measured"]),
        render.fmt_p(v["p_value"]),
        render.fmt_p(v["p_adjusted"]),
        render.fmt(v["sample_size"]),
        str(v["seed"]),
        v["call"],
        v["reason"],
        v["diagnosis"]["text"],
        "failed",
    ):
        assert value in row, value
    # the planned effect and its power, in words (suite.engine.verdict.power_words), never a bare number
    effect = v["effect"].split(" (")[0]
    assert f"detects a {effect} with probability {v['power']:.2f}" in row


def test_the_example_bug_reads_as_fan_out_in_the_report(full_html):
    """examples/my_initializers.py draws kaiming_normal_ with gain/sqrt(fan_out): the report says so."""
    data, v = _failing_scale()
    assert v["diagnosis"]["looks_like"].startswith("matches fan_out")
    assert "matches fan_out" in html.unescape(
        _row(full_html, f"v-{render.slug(data['target'])}-{render.slug(v['id'])}")
    )


def test_one_diagnosis_per_draw():
    """The checks of one case share one draw: its diagnosis is written once and pointed at after."""
    data, v = _failing_scale()
    same_case = [w for w in data["verdicts"] if w["initializer"] == v["initializer"] and w["case"] == v["case"]]
    texts = [w["diagnosis"]["text"] for w in same_case if w["diagnosis"]]
    assert len(texts) >= 2 and len(set(texts)) == 1
    page = page_for()
    target = next(t for t in page.targets if t["label"] == data["target"])
    rows = [r for ev in target["evidence"] for r in ev["rows"] if r["id"] in {w["id"] for w in same_case}]
    assert sum(bool(r["diagnosis"]) for r in rows) == 1


def test_exact_verdicts_say_so(full_html):
    data = _verify("verify-initlib.json")
    v = next(v for v in data["verdicts"] if v["p_value"] is None and v["status"] == "pass")
    row = _row(full_html, f"v-initlib-{render.slug(v['id'])}")
    assert "exact check" in row and "no power figure" in row


def test_deviations_show_their_ledger_reason_once_per_target(full_html):
    data = _verify("verify-torch.json")
    deviations = [v for v in data["verdicts"] if v["status"] == "deviation"]
    assert deviations, "the torch fixture should hold known deviations"
    slug = render.slug(data["target"])
    for reason in {v["reason"] for v in deviations}:
        assert html.unescape(full_html).count(reason) == 1, reason
    for v in deviations:
        assert "known deviation" in _row(full_html, f"v-{slug}-{render.slug(v['id'])}")
    assert "Known deviations ledger" in full_html and "suite/ledgers/torch.nn.init.toml" in full_html


def test_failures_first_then_deviations_then_passes_folded_to_one_line():
    page = page_for()
    order = {"fail": 0, "deviation": 1, "pass": 2}
    for target in page.targets:
        statuses = [ev["status"] for ev in target["evidence"]]
        assert statuses == sorted(statuses, key=order.get)
        for ev in target["evidence"]:
            assert ev["open"] == (ev["status"] != "pass")
            assert all(r["status"] != "pass" for r in ev["rows"])  # what needs reading, open
            assert all(r["status"] == "pass" for r in ev["passed"])  # passes, folded
            if ev["passed"]:
                assert ev["pass_line"].startswith(f"{len(ev['passed'])} passed")


def _file_status(data: dict) -> str:
    """A target's status from its file's own summary: any failure, else any known deviation, else a pass."""
    summary = data["summary"]
    return "fail" if summary["failed"] else "deviation" if summary["deviations"] else "pass"


def test_failing_targets_come_first_then_deviations_then_passes():
    """Whatever order the files are given in: the matrix columns and the evidence lead with what failed."""
    statuses = {_verify(name)["target"]: _file_status(_verify(name)) for name in VERIFY_FILES}
    assert sorted(statuses.values()) == ["deviation", "fail", "pass"], "one target of each kind in the fixtures"
    order = ["fail", "deviation", "pass"]
    expected = sorted(statuses, key=lambda target: order.index(statuses[target]))
    for names in (VERIFY_FILES, VERIFY_FILES[::-1]):
        page = page_for(names, with_demos=False)
        assert [t["label"] for t in page.targets] == expected
        assert [t["label"] for t in page.matrix["targets"]] == expected
        html_text = render.render(page)
        sections = [html_text.index(f'<section class="target" id="t-{render.slug(t)}"') for t in expected]
        assert sections == sorted(sections), "the evidence section in the same order"


def test_the_pass_line_names_the_smallest_p_value():
    data = _verify("verify-initlib.json")
    name = "normal_"
    passed = [v for v in data["verdicts"] if v["initializer"] == name and v["status"] == "pass"]
    smallest = min(v["p_value"] for v in passed if v["p_value"] is not None)
    assert f"smallest p = {render.fmt_p(smallest)}" in render.pass_line(passed)


def test_not_provided_names_are_listed_once(full_html):
    provided = {i["name"] for n in VERIFY_FILES for i in _verify(n)["initializers"] if i["status"] != "not-provided"}
    absent = {
        i["name"] for n in VERIFY_FILES for i in _verify(n)["initializers"] if i["status"] == "not-provided"
    } - provided
    assert absent
    verification = full_html[
        full_html.index('<section id="summary">') : full_html.index('<section id="distributions">')
    ]
    for name in absent:
        assert verification.count(f"<code>{name}</code>") == 1, name


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
    for anchor in ("demo-propagation", "demo-symmetry", "demo-sigmoid", "demo-product", "bench-cpu"):
        assert f'id="{anchor}"' in full_html


def test_every_section_is_present(full_html):
    """The contract page: every kind of input made by the suite, every section of render.SECTIONS filled."""
    for section in render.SECTIONS:
        assert f'id="{section.anchor}"' in full_html, section.anchor
    assert "Not in this report" not in full_html
    for empty in ("No verification results", "No benchmark results", "No mutant results", "No calibration results"):
        assert empty not in full_html
    assert "Model audit:" in full_html and "Initialization theory as verified claims" in full_html


def test_header_has_versions_machine_date_seed_and_budget(full_html):
    header = full_html[: full_html.index("</header>")]
    data = _verify("verify-initlib.json")
    for text in (
        GENERATED,
        f"Python {data['environment']['python']} · torch {data['environment']['torch']}",
        f"suite {data['suite_version']}",
        f"initlib: seed {data['seed']}, budget {data['budget']}",
        "demonstrations: seed 0",
        "rendered with initcheck 0.1.0",
    ):
        assert text in header, text
    bare = render.render(render.build([], None, generated="d", environment=ENVIRONMENT))
    assert "test CPU · 2 cores · Linux (this machine)" in bare


def test_self_contained(full_html, full):
    assert "<link" not in full_html and "@import" not in full_html
    assert re.findall(r"url\((?!#)", full_html) == [], "only references within the page (SVG clip paths)"
    fetching = {"src", "href", "xlink:href", "srcset", "action", "data", "poster", "background"}
    remote = [(t, n, v) for t, n, v in full.attrs if n in fetching and re.match(r"\s*(https?:)?//", v)]
    assert remote == []
    assert set(full.tags).isdisjoint({"iframe", "object", "embed", "link"})
    # one inline script (filters and sort), fetching nothing; the filter form is hidden until it runs
    scripts = re.findall(r"<script(.*?)>(.*?)</script>", full_html, re.S)
    assert len(scripts) == 1 and scripts[0][0] == ""
    assert not re.search(r"fetch\(|XMLHttpRequest|import\(|src\s*=", scripts[0][1])
    assert '<form class="filters" id="filters" hidden>' in full_html


def test_strict_undefined():
    """A key the template reads but the page lacks is an error, never an empty cell."""
    import jinja2

    assert render._environment().undefined is jinja2.StrictUndefined
    with pytest.raises(jinja2.UndefinedError):
        render._environment().from_string("{{ page.nothing }}").render(page={})


def test_size_limit(full_html):
    assert len(full_html.encode()) < SIZE_LIMIT


def test_partial_input_renders_what_exists_and_says_what_is_missing():
    html_text = html_for(("verify-initlib.json",), with_demos=False)
    page = Page(html_text)
    missing = html_text[html_text.index('id="missing"') : html_text.index('id="summary"')]
    for section in ("Benchmarks", "Mutant kill matrix", "Calibration", "Demonstrations", "Model audit"):
        assert section in missing
    assert render.SECTION_HINTS[BENCH] in html.unescape(missing)
    assert "Verification" not in missing
    assert "table" in page.tags
    assert "No benchmark results" in html_text and "No mutant results" in html_text


def test_no_input_at_all_still_renders():
    html_text = render.render(render.build([], None, generated="x", environment=ENVIRONMENT))
    assert "No verification results" in html_text
    assert html_text.count('<svg class="plot"') == 0


def test_a_run_without_verdicts_never_reads_as_a_pass():
    data = json.loads(json.dumps(_verify("verify-initlib.json")))
    data["verdicts"], data["initializers"] = [], []
    data["summary"].update(verdicts=0, passed=0)
    page = render.build([Input("empty.json", VERIFY, data)], None, generated="d", environment=ENVIRONMENT)
    html_text = render.render(page)
    assert page.targets[0]["status"] == "none"
    assert "nothing verified" in html_text and "every claim holds" not in html_text


def test_an_interrupted_run_never_reads_as_a_complete_pass():
    data = json.loads(json.dumps(_verify("verify-initlib.json")))
    data["interrupted"] = True
    data["summary"]["exit_code"] = 130
    page = render.build([Input("stopped.json", VERIFY, data)], None, generated="d", environment=ENVIRONMENT)
    html_text = render.render(page)
    assert page.targets[0]["status"] == "pass" and page.targets[0]["interrupted"]
    assert "interrupted: no claim violated so far" in html_text and "every claim holds" not in html_text
    assert "stopped early (Ctrl-C or SIGTERM): the verdicts it reached" in html_text


def test_a_reason_given_by_the_caller_replaces_the_generic_one():
    reason = "python -m suite bench --quick failed with exit status 2: invalid choice"
    missing = [render.Missing("Benchmarks", reason, BENCH)]
    html_text = html_for(VERIFY_FILES, missing=missing, with_demos=False)
    assert reason in html_text
    assert "no input given (make one with: python -m suite bench" not in html_text


def test_deterministic_for_the_same_inputs(full_html):
    """Same inputs, same seed: the same bytes (the date is pinned here), demonstrations recomputed."""
    again = render.render(
        render.build(fixture_inputs(ALL_FILES), demos.compute_all(0), generated=GENERATED, environment=ENVIRONMENT)
    )
    assert again == full_html


def test_verdicts_of_an_initializer_the_list_leaves_out_are_still_counted():
    data, v = _failing_scale()
    name = v["initializer"]
    verdicts = [w for w in data["verdicts"] if w["initializer"] == name]
    data["initializers"] = [i for i in data["initializers"] if i["name"] != name]
    page = render.build([Input("x.json", VERIFY, data)], None, generated="d", environment={"cpu": "c"})
    row = next(r for r in page.matrix["rows"] if r["name"] == name)
    failed = sum(w["status"] == "fail" for w in verdicts)
    assert row["cells"][0]["status"] == "fail"
    assert row["cells"][0]["text"] == f"{failed} of {len(verdicts)} failed"


def _bench():
    return json.loads((FIXTURES / "bench-cpu.json").read_text())


def test_performance_targets_are_shown_with_their_verdicts_and_the_met_ones_folded():
    bench = _bench()
    bench["machine"]["load_average"] = {"start": [0.1, 0.1, 0.1], "end": [1.0, 0.5, 0.2]}
    common = {"initializer": "trunc_normal_", "comparison": ">=", "threshold": 10.0, "interval": None}
    bench["targets"] = [
        {**common, "target": "speed-up", "device": "cpu", "value": 14.2, "met": True, "verdict": "met"},
        {**common, "target": "speed-up", "device": "cpu", "value": 7.5, "met": False, "verdict": "missed"},
        {**common, "target": "speed-up", "device": "cpu", "value": 9.5, "met": False, "verdict": "within noise"},
    ]
    page = render.build([Input("cpu.json", BENCH, bench)], None, generated="d", environment=ENVIRONMENT)
    (cpu,) = page.bench
    assert [(t["value"], t["goal"], t["verdict"]) for t in cpu["targets"]] == [
        ("14.2", "≥ 10", "met"),
        ("7.5", "≥ 10", "missed"),
        ("9.5", "≥ 10", "within noise"),
    ]
    html_text = render.render(page)
    assert '<span class="pill fail">missed</span>' in html_text
    assert '<span class="pill deviation">within noise</span>' in html_text
    assert "1 of 3 performance targets met</summary>" in html_text
    assert "busy machine</span>" not in html_text


def test_a_benchmark_started_on_a_busy_machine_says_so():
    """More than half the cores taken by others at the start (load average): a miss may be the machine."""
    bench = _bench()
    cores = bench["machine"]["cores"]
    bench["machine"]["load_average"] = {"start": [render.BUSY_SHARE * cores + 0.5, 1.0, 1.0], "end": [3.0, 2.0, 1.0]}
    common = {"initializer": "normal_", "comparison": "<=", "threshold": 1.05, "interval": None, "met": False}
    bench["targets"] = [{**common, "target": "time / torch's", "device": "cpu", "value": 1.3, "verdict": "missed"}]
    html_text = render.render(
        render.build([Input("b.json", BENCH, bench)], None, generated="d", environment=ENVIRONMENT)
    )
    assert "busy machine</span>" in html_text
    assert '<span class="pill deviation">missed (busy machine)</span>' in html_text
    assert f"{render.BUSY_SHARE * cores + 0.5:.2f}" in html_text


def test_one_benchmark_section_per_device():
    bench = _bench()
    gpu = json.loads(json.dumps(bench))
    gpu["machine"].update(device="cuda", gpu="NVIDIA H100")
    for row in (*gpu["results"], *gpu["roofline"], *gpu["scaling"]):
        row["device"] = "cuda"
    inputs = [Input("cpu.json", BENCH, bench), Input("gpu.json", BENCH, gpu)]
    page = render.build(inputs, None, generated="d", environment=ENVIRONMENT)
    assert [b["device"] for b in page.bench] == ["cpu", "cuda"]
    assert len(page.bench[0]["figures"]) == len(page.bench[1]["figures"]) > 0
    assert [m["path"] for m in page.bench[1]["machines"]] == ["gpu.json"]
    assert "NVIDIA H100" in render.render(page)


def _bench_section(html_text: str) -> str:
    return html_text[html_text.index('<section id="benchmarks">') :]


def test_a_benchmark_that_ran_out_of_time_says_so_at_the_top_of_its_section():
    reason = "python -m suite bench --quick was stopped after 300 s (the --timeout limit); complete it with ..."
    missing = [render.Missing("Benchmarks", reason, BENCH)]
    section = _bench_section(html_for(VERIFY_FILES, missing=missing, with_demos=False))
    heading = section.index("<h2>Benchmarks</h2>")
    assert heading < section.index(html.escape(reason)) < section.index("No benchmark results")


def test_a_benchmark_stopped_by_its_time_limit_is_marked_incomplete_with_the_command_that_completes_it():
    bench = _bench()
    bench["stopped"] = {
        "reason": "--time-limit 240 s ran out",
        "time_limit_s": 240,
        "passes_complete": 2,
        "passes_planned": 5,
        "cases_not_run": 120,
        "cases_planned": 400,
    }
    page = render.build([Input("b.json", BENCH, bench)], None, generated="d", environment=ENVIRONMENT)
    section = _bench_section(render.render(page))
    notice = section.index("incomplete</span>")
    assert notice < section.index("<figure")
    assert "120 of 400 timed cases not run, 2 of 5 passes complete" in section
    assert "<code>python -m suite bench --json F</code>" in section  # the fixture is not a quick run
    bench["stopped"] = None
    page = render.build([Input("b.json", BENCH, bench)], None, generated="d", environment=ENVIRONMENT)
    complete = render.render(page)
    assert "incomplete</span>" not in complete


def test_direct_labels_are_nudged_apart():
    """spread_labels: at least the gap apart, in the same order, unmoved where there is room, inside the bounds."""
    assert plots.spread_labels([10.0, 50.0], gap=9, low=0, high=100) == [10.0, 50.0]
    assert plots.spread_labels([50.0, 48.0, 49.0], gap=9, low=0, high=100) == [66.0, 48.0, 57.0]
    assert plots.spread_labels([99.0, 98.0], gap=9, low=0, high=100) == [100.0, 91.0]  # pushed down from the top


def test_the_throughput_chart_names_its_lines_without_overlap():
    """The fixture's float32 panel ends normal_ and uniform_ at nearly the same GB/s: their names stay apart."""
    bench = _bench()
    svg = plots.bench_throughput(bench["results"], bench["roofline"], "cpu")
    found = re.findall(r'<text style="font-size: 8px[^>]*x="([\d.]+)" y="([\d.]+)"[^>]*>(\w+_)</text>', svg)
    names = {r["initializer"] for r in bench["results"] if r["impl"] == "initlib"} | {"fill_"}
    labels = [(float(x), float(y), name) for x, y, name in found if name in names]
    assert len(labels) >= 4
    for i, (x1, y1, a) in enumerate(labels):
        for x2, y2, b in labels[i + 1 :]:
            if abs(x1 - x2) < 60:  # side by side in one panel: at least one line of text apart
                assert abs(y1 - y2) >= plots.LABEL_GAP_PT - 0.01, (a, b)
    assert "tensor size (MiB)" in svg and "GB/s" in svg


def test_ratio_and_roofline_charts_are_small_multiples_without_a_legend():
    bench = _bench()
    impls = {r["impl"] for r in bench["results"] if r.get("ratio_to_torch") is not None}
    for svg in (plots.bench_ratio(bench["results"], "cpu"), plots.bench_roofline(bench["results"], "cpu")):
        assert "legend" not in svg
        for impl in impls:
            assert f">{impl}, float32</text>" in svg, impl  # a panel per implementation and dtype
