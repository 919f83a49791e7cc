"""Turns loaded inputs (and the demonstrations) into the page's context and renders the template.

Nothing here reads the clock except :func:`generated_at` (``SOURCE_DATE_EPOCH`` pins it), so the same
inputs give the same HTML apart from that one date.
"""

from __future__ import annotations

import datetime as _dt
import math
import os
import platform
import re
from collections import defaultdict
from dataclasses import dataclass, field
from importlib import metadata

import jinja2

from reports import demos as demos_mod
from reports import plots
from reports.loader import AUDIT, BENCH, CALIBRATION, MUTANTS, THEORY, VERIFY, Input
from reports.sections import audit as audit_section
from reports.sections import theory as theory_section
from suite.engine.environment import cpu_model
from suite.engine.verdict import power_words

STATUS_LABELS = {
    "pass": "passed",
    "fail": "failed",
    "deviation": "known deviation",
    "deviation-fixed": "deviation fixed",
    "not-provided": "not provided",
    "not-run": "not run",
    "none": "nothing verified",
}
#: Verdicts shown first in an initializer's evidence: what needs reading.
STATUS_ORDER = {"fail": 0, "deviation": 1, "deviation-fixed": 2, "pass": 3}
#: Targets on the page (matrix columns, evidence, plots): failing ones first, then one that verified nothing,
#: then those with known deviations, then passing ones; input order within each.
TARGET_ORDER = {"fail": 0, "none": 1, "deviation": 2, "pass": 3}


@dataclass
class Missing:
    """A section the report could not fill, and why."""

    section: str
    reason: str
    #: the input schema the section would have come from, if any
    schema: str | None = None


@dataclass
class Page:
    """Everything the template shows; built by :func:`build`."""

    generated: str
    header: dict
    inputs: list[dict]
    missing: list[Missing]
    targets: list[dict] = field(default_factory=list)
    matrix: dict = field(default_factory=dict)
    distributions: list[dict] = field(default_factory=list)
    demos: dict | None = None
    bench: list[dict] = field(default_factory=list)
    mutants: dict | None = None
    calibration: dict | None = None
    audits: list[dict] = field(default_factory=list)
    theory: dict | None = None
    targets_names: list[str] = field(default_factory=list)


def generated_at() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = _dt.datetime.fromtimestamp(int(epoch), _dt.UTC) if epoch else _dt.datetime.now(_dt.UTC)
    return when.strftime("%Y-%m-%d %H:%M UTC")


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-") or "x"


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        if dist == "initcheck":  # run from a source tree without installing
            import initlib

            return f"{initlib.__version__} (source tree)"
        return "not installed"


def renderer_environment() -> dict:
    """The versions and machine of the process that renders (and, without inputs, runs) the report."""
    import torch  # the demonstrations need it anyway

    return {
        "initcheck": _version("initcheck"),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "numpy": _version("numpy"),
        "matplotlib": _version("matplotlib"),
        "platform": platform.platform(),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
    }


# --- formatting -----------------------------------------------------------------------------------


def fmt(value, digits: int = 4) -> str:
    """Numbers for tables: None -> an em dash, ints with separators, floats to ``digits`` significant."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return str(value)
        if value == 0:
            return "0"
        if value.is_integer() and abs(value) < 1e15:
            return f"{int(value):,}"
        if 1e-3 <= abs(value) < 1e6:
            return f"{value:.{digits}g}"
        return f"{value:.{max(1, digits - 2)}e}"
    return str(value)


def fmt_p(value) -> str:
    if value is None:
        return "—"
    if value == 0:
        return "< 1e-300"
    return f"{value:.3g}" if value >= 1e-3 else f"{value:.2e}"


def fmt_pct(value) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


# --- verification ---------------------------------------------------------------------------------


def _target_status(summary: dict, initializers: list[dict]) -> str:
    """fail, deviation, pass, or none (no verdicts: never shown as a pass)."""
    if not summary["verdicts"]:
        return "none"
    if summary.get("failed") or any(i["status"] == "fail" for i in initializers):
        return "fail"
    if summary.get("deviations") or any(i["status"] == "deviation" for i in initializers):
        return "deviation"
    return "pass"


def _cell_text(info: dict) -> str:
    status, n = info["status"], int(info["verdicts"])
    if status == "pass":
        return f"{n} / {n} passed"
    if status == "fail":
        return f"{int(info['failed'])} of {n} failed"
    if status == "deviation":
        d = int(info["deviations"])
        return f"{d} known deviation{'s' if d != 1 else ''} of {n}"
    return "not provided"


def _verdict_row(v: dict, tslug: str, plot_anchor: str | None) -> dict:
    diagnosis = v.get("diagnosis") or {}
    return {
        "anchor": f"v-{tslug}-{slug(v['id'])}",
        "id": v["id"],
        "check": v["check"],
        "status": v["status"],
        "label": STATUS_LABELS[v["status"]],
        "call": v["call"],
        "claim": v["claim"],
        "claimed": fmt(v["claimed"]),
        "measured": fmt(v["measured"]),
        "p_value": fmt_p(v["p_value"]),
        "p_adjusted": fmt_p(v["p_adjusted"]),
        "p_sort": -1.0 if v["p_value"] is None else v["p_value"],
        "n_sort": -1 if v["sample_size"] is None else v["sample_size"],
        "sample_size": fmt(v["sample_size"]),
        "power": power_words(v["p_value"], v["power"], v["effect"]),
        "seed": str(v["seed"]),
        "reason": v["reason"],
        "diagnosis": diagnosis.get("text", ""),
        "exact": v["p_value"] is None,
        "plot_anchor": plot_anchor if v["plot"] else None,
    }


def _diagnosis_once(rows: list[dict], verdicts: list[dict]) -> None:
    """A case's checks share one draw, hence one diagnosis: shown on its first verdict, pointed at after."""
    first: dict[int, str] = {}
    for row, v in zip(rows, verdicts, strict=True):
        row["same_draw"] = ""
        if row["diagnosis"]:
            if v["case"] in first:
                row["diagnosis"], row["same_draw"] = "", first[v["case"]]
            else:
                first[v["case"]] = v["id"]


def _reasons_once(evidence: list[dict]) -> None:
    """A ledger reason shared by several verdicts of a target is written out on the first one shown; the
    others link to it."""
    first: dict[str, dict] = {}
    for ev in evidence:
        for row in ev["rows"]:
            row["reason_ref"] = None
            if row["status"] == "deviation" and row["reason"]:
                if row["reason"] in first:
                    row["reason_ref"], row["reason"] = first[row["reason"]], ""
                else:
                    first[row["reason"]] = {"anchor": row["anchor"], "id": row["id"]}
        for row in ev["passed"]:
            row["reason_ref"] = None


def pass_line(verdicts: list[dict]) -> str:
    """One line for an initializer's passing verdicts: how many, the smallest p-value, the planned power
    of its scale check (the issue's "44 passed, smallest p = 0.012, detects a 2.00% ... with probability 0.99")."""
    tested = [v for v in verdicts if v["p_value"] is not None]
    text = f"{len(verdicts)} passed"
    if tested:
        text += f", smallest p = {fmt_p(min(v['p_value'] for v in tested))}"
        planned = [v for v in tested if v["check"] == "scale"] or tested
        best = max(planned, key=lambda v: v["power"] if v["power"] is not None else -1.0)
        text += f"; {power_words(best['p_value'], best['power'], best['effect'])} ({best['check']})"
    else:
        text += " (exact checks)"
    return text


def _pick_shape_verdict(verdicts: list[dict]) -> dict | None:
    """The verdict to plot for one initializer: a failing one first, then the smallest p-value."""
    with_plot = [v for v in verdicts if v.get("plot")]
    if not with_plot:
        return None
    return min(
        with_plot,
        key=lambda v: (
            STATUS_ORDER.get(v["status"], 9),
            v["p_value"] if v.get("p_value") is not None else 1.0,
        ),
    )


def _verification(verify_inputs: list[Input], page: Page) -> None:
    names: list[str] = []
    seen_keys: dict[str, int] = {}
    for inp in verify_inputs:
        data = inp.data
        target = data["target"]
        seen_keys[target] = seen_keys.get(target, 0) + 1
        label = target if seen_keys[target] == 1 else f"{target} ({seen_keys[target]})"
        tslug = slug(label)
        by_init: dict[str, list[dict]] = defaultdict(list)
        for v in data["verdicts"]:
            by_init[v["initializer"]].append(v)
        infos = {i["name"]: i for i in data["initializers"]}
        for name in [*infos, *by_init]:
            if name not in names:
                names.append(name)
        evidence = []
        for name in [*infos, *(n for n in by_init if n not in infos)]:
            if name not in infos:  # verdicts for an initializer the file's list leaves out: count them
                failed = sum(v["status"] == "fail" for v in by_init[name])
                deviations = sum(v["status"] == "deviation" for v in by_init[name])
                infos[name] = {
                    "name": name,
                    "status": "fail" if failed else "deviation" if deviations else "pass",
                    "verdicts": len(by_init[name]),
                    "failed": failed,
                    "deviations": deviations,
                }
            info = infos[name]
            verdicts = sorted(by_init.get(name, []), key=lambda v: STATUS_ORDER.get(v["status"], 9))
            shape = _pick_shape_verdict(verdicts)
            plot_anchor = f"plot-{tslug}-{slug(name)}"
            if shape is not None:
                title = f"{name} — {label}: {shape['id']} ({STATUS_LABELS[shape['status']]}"
                if shape.get("p_value") is not None:
                    title += f", p = {fmt_p(shape['p_value'])}"
                title += ")"
                page.distributions.append(
                    {
                        "order": (STATUS_ORDER.get(shape["status"], 9), name, label),
                        "anchor": plot_anchor,
                        "initializer": name,
                        "target": label,
                        "status": shape["status"],
                        "evidence": f"v-{tslug}-{slug(shape['id'])}",
                        "call": shape.get("call") or "",
                        "svg": plots.distribution(shape["plot"], title, shape["status"], plot_anchor),
                    }
                )
            if info["status"] == "not-provided":
                continue  # named once, in the summary matrix
            rows = [_verdict_row(v, tslug, plot_anchor if shape is not None else None) for v in verdicts]
            _diagnosis_once(rows, verdicts)
            passed = [v for v in verdicts if v["status"] == "pass"]
            evidence.append(
                {
                    "anchor": f"ev-{tslug}-{slug(name)}",
                    "name": name,
                    "status": info["status"],
                    "label": STATUS_LABELS[info["status"]],
                    "text": _cell_text(info),
                    "open": info["status"] in ("fail", "deviation"),
                    "rows": [r for r in rows if r["status"] != "pass"],
                    "passed": [r for r in rows if r["status"] == "pass"],
                    "pass_line": pass_line(passed) if passed else "",
                }
            )
        evidence.sort(key=lambda e: STATUS_ORDER.get(e["status"], 9))  # failures, then deviations, then passes
        _reasons_once(evidence)
        props: dict[str, list[str]] = defaultdict(list)
        for v in data["verdicts"]:
            for tag in filter(None, (v.get("demo") or "").split(",")):
                props[tag.strip()].append(v["status"])
        summary = data["summary"]
        ledger = data.get("ledger") or {}
        page.targets.append(
            {
                "label": label,
                "slug": tslug,
                "path": inp.path,
                "status": _target_status(summary, data["initializers"]),
                "seed": data["seed"],
                "budget": data["budget"],
                "alpha": data["alpha"],
                "suite_version": data.get("suite_version", "?"),
                "environment": data["environment"],
                "summary": summary,
                "interrupted": bool(data.get("interrupted")),
                "not_provided": [i["name"] for i in data["initializers"] if i["status"] == "not-provided"],
                "properties": [
                    {
                        "name": p,
                        "status": "fail" if "fail" in s else "deviation" if "deviation" in s else "pass",
                        "count": len(s),
                    }
                    for p, s in sorted(props.items())
                ],
                "ledger": ledger.get("entries") or [],
                "ledger_path": ledger.get("path"),
                "evidence": evidence,
                "infos": infos,
            }
        )
    page.targets.sort(key=lambda t: TARGET_ORDER[t["status"]])  # stable: input order within a status
    # plots that need looking at first, then one initializer's targets side by side, in the matrix's order
    position = {name: i for i, name in enumerate(names)}
    column = {t["label"]: i for i, t in enumerate(page.targets)}
    page.distributions.sort(key=lambda d: (d["order"][0], position[d["order"][1]], column[d["order"][2]]))
    # rows in the order the first input file lists its initializers, then any others as they appear
    rows = []
    for name in names:
        cells = []
        for t in page.targets:
            info = t["infos"].get(name)
            if info is None:
                cells.append({"status": "not-run", "text": "not in this run", "href": f"#t-{t['slug']}"})
            else:
                cells.append(
                    {
                        "status": info["status"],
                        "text": _cell_text(info),
                        "label": STATUS_LABELS[info["status"]],
                        # a name the target does not provide has no evidence: the cell points at the target
                        "href": f"#t-{t['slug']}"
                        if info["status"] == "not-provided"
                        else f"#ev-{t['slug']}-{slug(name)}",
                    }
                )
        rows.append({"name": name, "cells": cells})
    page.matrix = {"targets": page.targets, "rows": rows}


# --- benchmarks, mutants, calibration ---------------------------------------------------------------


#: A benchmark started on a busy machine when other processes' 1-minute load average exceeded this share of
#: its cores (the run's own threads come after the first reading).
BUSY_SHARE = 0.5
TARGET_PILLS = {"met": "pass", "missed": "fail", "within noise": "deviation", "missed (busy machine)": "deviation"}


def _load(machines: list[dict]) -> dict:
    """Load averages before and after the runs, and whether the machine was busy when a run started."""
    start = [m["load_average"]["start"] for m in machines if m["load_average"]["start"]]
    end = [m["load_average"]["end"] for m in machines if m["load_average"]["end"]]
    busy = any(
        m["load_average"]["start"] and m["load_average"]["start"][0] > BUSY_SHARE * (m["cores"] or 1) for m in machines
    )

    def text(values):
        return "; ".join(", ".join(f"{x:.2f}" for x in v) for v in values) or "not recorded"

    return {"start": text(start), "end": text(end), "busy": busy}


def _target_verdict(t: dict, busy: bool) -> str:
    """The target's verdict as written, "missed (busy machine)" where a busy machine may explain it."""
    verdict = t["verdict"]
    return "missed (busy machine)" if verdict == "missed" and busy else verdict


def _bench(bench_inputs: list[Input], page: Page) -> None:
    results, roofline, scaling, targets, machines = [], [], [], [], []
    for inp in bench_inputs:
        results += inp.data["results"]
        roofline += inp.data["roofline"]
        scaling += inp.data.get("scaling") or []
        targets += inp.data.get("targets") or []
        machines.append(
            {
                "path": inp.path,
                "quick": inp.data.get("quick"),
                "stopped": inp.data.get("stopped"),
                **inp.data["machine"],
            }
        )
    devices = sorted({r["device"] for r in results} | {s["device"] for s in scaling})
    load = _load(machines)
    busy = load["busy"]
    for device in devices:
        res = [r for r in results if r["device"] == device]
        roof = [r for r in roofline if r["device"] == device]
        sc = [s for s in scaling if s["device"] == device]
        figures = []
        if res:
            figures.append(("GB/s against tensor size", plots.bench_throughput(res, roof, device)))
            if any(r.get("ratio_to_torch") is not None for r in res):
                figures.append(("time relative to torch", plots.bench_ratio(res, device)))
            if any(r.get("fill_fraction") is not None for r in res):
                figures.append(("fraction of the fill_ roofline", plots.bench_roofline(res, device)))
        if sc:
            figures.append(("scaling with size", plots.bench_scaling(sc, device)))
        table = [
            {
                "initializer": r["initializer"],
                "impl": r["impl"],
                "dtype": r["dtype"],
                "shape": "×".join(str(s) for s in r.get("shape") or [r["numel"]]),
                "median_ms": fmt(1e3 * r["median_s"]),
                "iqr_ms": fmt(1e3 * r["iqr_s"]) if r.get("iqr_s") is not None else "—",
                "rounds": fmt(r.get("rounds")),
                "gbps": fmt(r.get("gbps"), 3),
                "fill": fmt_pct(r.get("fill_fraction")),
                "ratio": fmt(r.get("ratio_to_torch"), 3),
                "faster": r.get("ratio_to_torch") is not None and r["ratio_to_torch"] < 1,
            }
            for r in sorted(res, key=lambda r: (r["dtype"], r["initializer"], r["numel"], r["impl"]))
        ]
        roof_table = [
            {
                "dtype": r["dtype"],
                "numel": fmt(r["numel"]),
                "fill_gbps": fmt(r.get("fill_gbps"), 3),
                "copy_gbps": fmt(r.get("copy_gbps"), 3),
            }
            for r in sorted(roof, key=lambda r: (r["dtype"], r["numel"]))
        ]
        target_rows = [
            {
                "target": t["target"],
                "initializer": t["initializer"],
                "value": fmt(t["value"], 3),
                "goal": f"{ {'<=': '≤', '>=': '≥'}.get(t['comparison'], t['comparison']) } {fmt(t['threshold'], 3)}",
                "verdict": _target_verdict(t, busy),
                "pill": TARGET_PILLS.get(_target_verdict(t, busy), "not-provided"),
                "interval": "–".join(fmt(v, 3) for v in t["interval"]) if t.get("interval") else "—",
            }
            for t in targets
            if t["device"] == device
        ]
        page.bench.append(
            {
                "device": device,
                "load": load,
                "slug": slug(device),
                "targets": target_rows,
                "figures": figures,
                "table": table,
                "roofline": roof_table,
                "machines": [m for m in machines if m.get("device") in (device, None)] or machines,
            }
        )


def _mutants(inp: Input, page: Page) -> None:
    data = inp.data
    seeds = data.get("seeds") or list(range(max((len(m["kills"]) for m in data["mutants"]), default=0)))
    page.mutants = {
        "path": inp.path,
        "seeds": seeds,
        "budget": data.get("budget"),
        "summary": data["summary"],
        "rows": [
            {
                "name": m["name"],
                "function": m["function"],
                "bug": m.get("bug", ""),
                "kills": m["kills"],
                "rate": fmt_pct(m.get("kill_rate", m["killed"] / m["runs"] if m["runs"] else None)),
                "ci": (
                    f"{fmt_pct(m['ci_low'])}–{fmt_pct(m['ci_high'])}"
                    if m.get("ci_low") is not None and m.get("ci_high") is not None
                    else "—"
                ),
                "checks": ", ".join(m.get("killing_checks") or []),
                "status": m["status"],
                "equivalent": m.get("equivalent"),
            }
            for m in data["mutants"]
        ],
        "svg": plots.kill_rates(data["mutants"]) if data["mutants"] else None,
    }


def _calibration(inp: Input, page: Page) -> None:
    data = inp.data
    page.calibration = {
        "path": inp.path,
        "data": data,
        "checks": [
            {
                **c,
                "proportion_s": fmt(c["proportion"], 3),
                "band_s": f"[{fmt(c['band'][0], 3)}, {fmt(c['band'][1], 3)}]" if len(c["band"]) == 2 else "—",
                "alpha_s": fmt(c.get("alpha"), 3),
                "ok": c.get("within_band", True),
            }
            for c in data["checks"]
        ],
        "mde": data.get("mde") or [],
        "svg": plots.calibration_histogram(data["p_values"]) if data["p_values"]["counts"] else None,
    }


# --- the demonstrations -----------------------------------------------------------------------------


def _demos(d: demos_mod.Demos) -> dict:
    p = d.propagation
    ratios = []
    for nl in demos_mod.NONLINEARITIES:
        for init in demos_mod.INITS:
            theory = demos_mod.expected_ratio(nl, init, p.width)
            ratios.append(
                {
                    "nonlinearity": nl,
                    "init": demos_mod.INIT_LABELS[init],
                    "forward": fmt(p.forward_ratio(nl, init), 3),
                    "backward": fmt(p.backward_ratio(nl, init), 3),
                    "theory": "—" if theory is None else fmt(theory, 3),
                    "final": fmt(p.forward[nl][init][-1], 3),
                }
            )
    gp = d.gaussian_product
    return {
        "seed": d.seed,
        "propagation": {"svg": plots.propagation(p), "ratios": ratios, "p": p},
        "symmetry": {"svg": plots.symmetry(d.symmetry), "s": d.symmetry},
        "sigmoid": {"svg": plots.sigmoid(d.sigmoid), "s": d.sigmoid},
        "gaussian_product": {
            "svg": plots.gaussian_product(gp),
            "gp": gp,
            "per_factor": fmt(gp.per_factor, 5),
            "mean_end": fmt(gp.mean[-1], 4),
            "theory_end": fmt(gp.theory_mean(gp.depth), 4),
            "std_end": fmt(gp.std[-1], 3),
            "theory_std_end": fmt(gp.theory_std(gp.depth), 3),
        },
    }


# --- the page ---------------------------------------------------------------------------------------

SECTION_HINTS = {
    VERIFY: "python -m suite verify --target TARGET --json F, then --verify-json F",
    BENCH: "python -m suite bench --quick --json F, then --bench-json F",
    MUTANTS: "python -m suite mutants --json F, then --mutants-json F",
    CALIBRATION: "python -m suite calibrate --target initlib --json F, then --calibration-json F",
    AUDIT: "python -m suite audit --model M --json F, then --audit-json F",
    THEORY: "python -m suite theory --json F, then --theory-json F",
}
SECTION_NAMES = {
    VERIFY: "Verification (summary matrix, evidence, distribution plots)",
    BENCH: "Benchmarks",
    MUTANTS: "Mutant kill matrix",
    CALIBRATION: "Calibration",
    AUDIT: "Model audit",
    THEORY: "Initialization theory",
}


@dataclass(frozen=True)
class Section:
    """One section of the page: its anchor (and the nav link's title) and its template in
    ``templates/sections/``; the page includes them in this order, and the nav lists them."""

    anchor: str
    title: str
    template: str


#: The page, in order (one template per section; a new section is one entry here and one template).
SECTIONS = (
    Section("summary", "Summary", "summary.html.j2"),
    Section("evidence", "Evidence", "evidence.html.j2"),
    Section("distributions", "Distributions", "distributions.html.j2"),
    Section("audit", "Model audit", "audits.html.j2"),
    Section("theory", "Theory", "theory.html.j2"),
    Section("demonstrations", "Demonstrations", "demonstrations.html.j2"),
    Section("benchmarks", "Benchmarks", "benchmarks.html.j2"),
    Section("mutants", "Mutants", "mutants.html.j2"),
    Section("calibration", "Calibration", "calibration.html.j2"),
    Section("inputs", "Inputs", "inputs.html.j2"),
)


def _input_environments(inputs: list[Input]) -> list[dict]:
    """Where the inputs were made: verify files' ``environment``, bench files' ``machine``."""
    envs = []
    for i in inputs:
        env = i.data.get("environment") if i.schema == VERIFY else i.data.get("machine") if i.schema == BENCH else None
        if isinstance(env, dict):
            envs.append(env)
    return envs


def _input_machines(inputs: list[Input]) -> list[str]:
    machines = []
    for env in _input_environments(inputs):
        text = f"{env.get('cpu', '?')} · {env.get('cores', '?')} cores"
        if env.get("gpu"):
            text += f" · {env['gpu']}"
        text += f" · {env.get('platform', '?')}"
        if text not in machines:
            machines.append(text)
    return machines


def build(
    inputs: list[Input],
    demos: demos_mod.Demos | None,
    missing: list[Missing] | None = None,
    *,
    generated: str | None = None,
    environment: dict | None = None,
    command: str = "",
) -> Page:
    """Assemble the page. ``missing`` lists what the caller already knows is absent (and why); every
    section without an input is added to it with a generic reason unless the caller named it."""
    missing = list(missing or [])
    env = environment or renderer_environment()
    by_schema: dict[str, list[Input]] = defaultdict(list)
    for inp in inputs:
        by_schema[inp.schema].append(inp)
    explained = {m.schema for m in missing}
    for schema in SECTION_NAMES:
        if not by_schema[schema] and schema not in explained:
            hint = f"no input given (make one with: {SECTION_HINTS[schema]})"
            missing.append(Missing(SECTION_NAMES[schema], hint, schema))
    if demos is None and "Demonstrations" not in {m.section for m in missing}:
        missing.append(Missing("Demonstrations", "not computed"))
    verify_inputs = by_schema[VERIFY]
    header = {
        "env": env,
        "command": command,
        "suite_versions": sorted({i.data.get("suite_version") for i in inputs if i.data.get("suite_version")}),
        "runs": [
            {
                "target": i.data["target"],
                "seed": i.data["seed"],
                "budget": i.data["budget"],
                "alpha": i.data["alpha"],
                "python": i.data["environment"].get("python", "?"),
                "torch": i.data["environment"].get("torch", "?"),
                "platform": i.data["environment"].get("platform", "?"),
                "cpu": i.data["environment"].get("cpu", "?"),
                "cores": i.data["environment"].get("cores", "?"),
            }
            for i in verify_inputs
        ],
        "demo_seed": demos.seed if demos is not None else None,
        "machines": _input_machines(inputs),
        "run_versions": sorted(
            {f"Python {e.get('python', '?')} · torch {e.get('torch', '?')}" for e in _input_environments(inputs)}
        ),
        "bench_budgets": sorted({"quick" if i.data.get("quick") else "full" for i in by_schema[BENCH]}),
    }
    page = Page(
        generated=generated or generated_at(),
        header=header,
        inputs=[{"path": i.path, "schema": i.schema} for i in inputs],
        missing=missing,
    )
    _verification(verify_inputs, page)
    if by_schema[BENCH]:
        _bench(by_schema[BENCH], page)
    if by_schema[MUTANTS]:
        _mutants(by_schema[MUTANTS][-1], page)
    if by_schema[CALIBRATION]:
        _calibration(by_schema[CALIBRATION][-1], page)
    page.audits = [audit_section.context(i.data, i.path) for i in by_schema[AUDIT]]
    if by_schema[THEORY]:
        page.theory = theory_section.context(by_schema[THEORY][-1].data)
    if demos is not None:
        page.demos = _demos(demos)
    return page


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("reports", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["fmt"] = fmt
    env.filters["fmt_p"] = fmt_p
    env.filters["pct"] = fmt_pct
    env.globals["STATUS_LABELS"] = STATUS_LABELS
    env.globals["SECTIONS"] = SECTIONS
    return env


def render(page: Page) -> str:
    return _environment().get_template("report.html.j2").render(page=page, labels=STATUS_LABELS)
