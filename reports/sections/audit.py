"""The model-audit section: a loaded ``initcheck.audit/1`` record -> the context of
``templates/sections/audit.html.j2`` (per-parameter table: name, shape, law, measured, verdict; the
propagation plot per block; the width plot), plots as inline base64 PNG (matplotlib, Agg).

Like the evidence of a verification, the table shows what needs reading (failures, known deviations,
parameters without a law) open, and folds every passing (and ignored) parameter under one summary line
(:func:`pass_line`). A parameter's dotted name may break after each dot, never inside a component.

The record comes validated from :func:`reports.loader.load` (``--audit-json``); the page includes the
fragment once per audit.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
STATUS_ORDER = {"fail": 0, "deviation": 1, "no-law": 2, "pass": 3, "ignored": 4}
#: Statuses folded under the table's summary line; every other row is shown open.
FOLDED = ("pass", "ignored")


def _png(fig) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def propagation_plot(propagation: dict) -> str:
    """Mean square of each block's output and of the gradient reaching it, log scale."""
    blocks = propagation["blocks"]
    fig, ax = plt.subplots(figsize=(6.4, 3.0))
    x = range(len(blocks))
    for key, label, colour in (
        ("forward_mean_square", "activation (forward)", "#0969da"),
        ("backward_mean_square", "gradient (backward)", "#cf222e"),
    ):
        points = [(i, v) for i, v in zip(x, propagation[key], strict=True) if v]
        if points:
            ax.plot(*zip(*points, strict=True), marker="o", label=label, color=colour)
    ax.set_yscale("log")
    ax.set_xticks(list(x), blocks, rotation=45 if len(blocks) > 8 else 0, ha="right" if len(blocks) > 8 else "center")
    ax.set_xlabel("block")
    ax.set_ylabel("mean square")
    ax.legend(frameon=False)
    ax.grid(alpha=0.3)
    return _png(fig)


def width_plot(widths: dict) -> str:
    """Per-block activation mean square against width, log-log (the coordinate check)."""
    fig, ax = plt.subplots(figsize=(6.4, 3.0))
    for name, values in zip(widths["blocks"], widths["mean_square"], strict=True):
        points = [(w, v) for w, v in zip(widths["widths"], values, strict=True) if v]
        if points:
            ax.plot(*zip(*points, strict=True), marker="o", label=name)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("width")
    ax.set_ylabel("activation mean square")
    ax.legend(frameon=False, fontsize=7, ncol=2)
    ax.grid(alpha=0.3)
    return _png(fig)


def _measured(param: dict) -> str:
    m = param["measured"]
    if not m["count"]:
        return f"{m['nonfinite']} non-finite" if m["nonfinite"] else "empty"
    if m["std"] == 0:
        return f"constant {m['min']:.6g}"
    return f"mean {m['mean']:.3g}, std {m['std']:.4g}"


def _finding(param: dict) -> str:
    failed = [v for v in param["verdicts"] if v["status"] in ("fail", "deviation")]
    if not failed:
        return ""
    v = failed[0]
    text = f"{v['check']}: {v['claim']}"
    if v.get("measured") is not None:
        text += f"; measured {v['measured']:.6g}" if isinstance(v["measured"], float) else f"; measured {v['measured']}"
    return text + (f" (+{len(failed) - 1} more)" if len(failed) > 1 else "")


def pass_line(params: list[dict]) -> str:
    """One line for the folded parameters: how many passed (and were ignored), how many verdicts, and the
    range of the std error each pass would have detected with probability 0.99 (``detectable_std_error``),
    naming the parameter with the weakest check."""
    passed = [p for p in params if p["status"] == "pass"]
    ignored = len(params) - len(passed)
    text = f"{len(passed)} parameters pass ({sum(len(p['verdicts']) for p in passed)} verdicts)"
    if ignored:
        text += f", {ignored} ignored"
    powered = [p for p in passed if p["detectable_std_error"] is not None]
    if powered:
        low = f"{100 * min(p['detectable_std_error'] for p in powered):.2g}%"
        weakest = max(powered, key=lambda p: p["detectable_std_error"])
        high = f"{100 * weakest['detectable_std_error']:.2g}%"
        span = low if low == high else f"{low} to {high}"
        text += f"; a std error of {span} is detected with probability 0.99 (the weakest check: {weakest['name']})"
    exact = len(passed) - len(powered)
    if exact:
        text += f"; {exact} checked exactly (no power figure)"
    return text


def context(record: dict, path: str = "") -> dict:
    """Everything the template shows about one audit."""
    rows = [
        {
            "name": p["name"],
            "name_parts": p["name"].split("."),  # the template breaks the name only after a dot
            "shape": "×".join(map(str, p["shape"])) or "scalar",
            "dtype": p["dtype"],
            "law": p["law"],
            "origin": p["origin"],
            "tied": p["tied"],
            "measured": _measured(p),
            "status": p["status"],
            "detectable": p["detectable_std_error"],
            "power_note": p["power_note"],
            "finding": _finding(p),
            "diagnosis": (p["diagnosis"] or {}).get("text", ""),
            "placement": p.get("placement"),  # sharded audits only
        }
        for p in record["params"]
    ]
    rows.sort(key=lambda r: STATUS_ORDER.get(r["status"], 9))
    model_failures = [v for v in record["model_verdicts"] if v["status"] == "fail"]
    return {
        "path": path,
        "model": record["model"],
        "spec": record["spec"],
        "seed": record["seed"],
        "build_seeds": record["build_seeds"],
        "budget": record["budget"],
        "alpha": record["alpha"],
        "summary": record["summary"],
        "status": "fail" if record["summary"]["exit_code"] else "pass",
        "rows": [r for r in rows if r["status"] not in FOLDED],
        "folded": [r for r in rows if r["status"] in FOLDED],
        "pass_line": pass_line([p for p in record["params"] if p["status"] in FOLDED]),
        "model_failures": model_failures,
        "notes": record["notes"],
        "propagation": record["propagation"],
        "propagation_plot": propagation_plot(record["propagation"]) if record["propagation"] else None,
        "widths": record["widths"],
        "width_plot": width_plot(record["widths"]) if record["widths"] else None,
        "ranks": record.get("ranks"),  # sharded audits only: per rank, shard bytes, peak memory, seconds
    }


def render(section: dict) -> str:
    """The section's HTML (a fragment for the report page, or for a test)."""
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=jinja2.StrictUndefined
    )
    return environment.get_template("sections/audit.html.j2").render(audit=section)
