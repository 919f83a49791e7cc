"""The audit's terminal summary and its JSON (``initcheck.audit/1``, schema in
``suite/schemas/audit.schema.json``, documented in docs/json-schemas.md)."""

from __future__ import annotations

from suite.engine.environment import describe

from .run import AuditResult, ParamReport

SCHEMA = "initcheck.audit/1"


def measured_text(report: ParamReport) -> str:
    s = report.summary
    if not s.count:
        return "no finite values" if report.summary.nonfinite else "empty"
    if s.std == 0:
        return f"constant {s.low:.6g}"
    return f"mean {s.mean:.4g}, std {s.std:.4g}"


def _first_failure(report: ParamReport) -> str:
    failed = [v for v in report.verdicts if v.status == "fail"]
    v = failed[0]
    claimed = (
        f"claimed {v.claimed:.6g}" if isinstance(v.claimed, float) else f"claimed {v.claimed}" if v.claimed else ""
    )
    measured = f"measured {v.measured:.6g}" if isinstance(v.measured, float) else f"measured {v.measured}"
    extra = f" (+{len(failed) - 1} more)" if len(failed) > 1 else ""
    return f"{v.check}: {v.claim}; {claimed}{', ' if claimed else ''}{measured}{extra}"


def summary(result: AuditResult) -> str:
    lines = [
        f"Audit of {result.model} (seed {result.seed}, builds {len(result.build_seeds)}, budget {result.budget}, "
        f"family-wise alpha {result.alpha:g}, per-check {result.check_alpha:.2g})"
    ]
    failing = [r for r in result.params if r.status == "fail"]
    for r in failing:
        where = f" ({r.placement})" if r.placement else ""  # sharded audits (issue 20)
        lines.append(f"FAIL {r.name} {r.shape}{where}: law {r.law.text} [{r.law.origin}]")
        lines.append(f"     {_first_failure(r)}")
        if r.diagnosis:
            lines.append(f"     looks like: {r.diagnosis['text']}")
    for v in result.model_verdicts:
        if v.status == "fail":
            lines.append(f"FAIL {v.check}: {v.claim}; " + (f"measured {v.measured}" if v.measured else v.reason))
    deviations = [r for r in result.params if r.status == "deviation"]
    if deviations:
        names = ", ".join(r.name for r in deviations[:4]) + (" ..." if len(deviations) > 4 else "")
        lines.append(f"known deviations ({result.ledger.path}): {len(deviations)} tensors ({names})")
    no_law = [r for r in result.params if r.status == "no-law"]
    for r in no_law:
        described = r.diagnosis["text"] if r.diagnosis else measured_text(r)
        lines.append(f"NO LAW {r.name} {r.shape}: {r.law.origin}; looks like: {described}")
    weak = [r for r in result.params if r.power is not None and r.power.limited]
    if weak:
        names = ", ".join(r.name for r in weak[:6]) + (" ..." if len(weak) > 6 else "")
        lines.append(f"exact and bound checks only (too small for statistical power): {len(weak)} tensors ({names})")
    powered = [r.power.detectable for r in result.params if r.power is not None and r.power.detectable]
    if powered:
        lines.append(
            f"detectable relative std error (power 0.99): {min(powered):.2%} to {max(powered):.2%} per parameter"
        )
    for r in result.params:
        if r.tied:
            lines.append(f"tied: {r.name} = {', '.join(r.tied)} (one storage, checked once)")
    if result.propagation:
        prop = result.propagation
        fg, bg = prop["forward_growth_per_block"], prop["backward_growth_per_block"]
        fg_text = f"{fg:.3g}" if fg is not None else "n/a"
        bg_text = f"{bg:.3g}" if bg is not None else "n/a"
        lines.append(
            f"propagation over {len(prop['blocks'])} blocks: forward mean square x{fg_text} per block, "
            f"backward x{bg_text} per block"
        )
    if result.widths:
        slopes = ", ".join(f"{b}: {s:.2f}" for b, s in result.widths["slope"].items() if s is not None)
        lines.append(f"width sweep {result.widths['widths']}: log-log slope of mean square vs width: {slopes}")
    lines += [f"note: {n}" for n in result.notes]
    for rank in result.ranks or []:  # sharded audits (issue 20): the memory and time of each rank
        if "error" in rank:
            lines.append(f"rank {rank['rank']}: {rank['error']}")
        else:
            lines.append(
                f"rank {rank['rank']}: shards {rank['shard_bytes'] / 2**20:.2f} MiB, peak RSS "
                f"{rank['peak_rss_bytes'] / 2**20:.0f} MiB, {rank['seconds']:.1f} s"
            )
    counts = {s: sum(r.status == s for r in result.params) for s in ("pass", "fail", "deviation", "no-law", "ignored")}
    verdicts = result.verdicts
    lines.append(
        f"{len(result.params)} tensors: {counts['pass']} pass, {counts['fail']} fail, "
        f"{counts['deviation']} known deviations, "
        f"{counts['no-law']} without a law, "
        f"{counts['ignored']} ignored; {len(verdicts)} verdicts ({sum(v.statistical for v in verdicts)} statistical), "
        f"{len(result.failed)} failed; {result.seconds:.1f} s"
    )
    if result.exit_code:
        verdict_text = "VIOLATIONS found"
    elif counts["deviation"]:
        verdict_text = f"no violations beyond {counts['deviation']} tensors' known deviations (ledger)"
    else:
        verdict_text = "every parameter holds its law"
    lines.append("RESULT: " + verdict_text)
    return "\n".join(lines)


def to_json(result: AuditResult, replay: str | None = None) -> dict:
    """The JSON record. Nothing depends on the clock (timings go to the terminal only)."""
    params = []
    for r in result.params:
        s = r.summary
        params.append(
            {
                "name": r.name,
                "shape": list(r.shape),
                "dtype": r.dtype,
                "buffer": r.buffer,
                "tied": r.tied,
                "law": r.law.text,
                "law_kind": r.law.kind,
                "origin": r.law.origin,
                "status": r.status,
                "measured": {
                    "count": s.count,
                    "mean": s.mean if s.count else None,
                    "std": s.std if s.count else None,
                    "min": s.low if s.count else None,
                    "max": s.high if s.count else None,
                    "nonfinite": s.nonfinite,
                    "subnormal": s.subnormal,
                    "zeros": s.zeros,
                },
                "sample_size": r.power.sample if r.power else None,
                "detectable_std_error": r.power.detectable if r.power else None,
                "power_note": r.power.note if r.power else None,
                "diagnosis": r.diagnosis,
                "verdicts": [v.to_json() for v in r.verdicts],
            }
        )
        if r.placement is not None:  # sharded audits (issue 20)
            params[-1]["placement"] = r.placement
    record = {
        "schema": SCHEMA,
        "model": result.model,
        "spec": result.spec_path,
        "seed": result.seed,
        "build_seeds": result.build_seeds,
        "budget": result.budget,
        "alpha": result.alpha,
        "check_alpha": result.check_alpha,
        "environment": describe(),
        "params": params,
        "model_verdicts": [v.to_json() for v in result.model_verdicts],
        "propagation": result.propagation,
        "widths": result.widths,
        "notes": result.notes,
        "ledger": result.ledger.to_json() if result.ledger else None,
        **({"ranks": result.ranks} if result.ranks is not None else {}),  # sharded audits (issue 20)
        "summary": {
            "tensors": len(result.params),
            "passed": sum(r.status == "pass" for r in result.params),
            "failed": sum(r.status == "fail" for r in result.params),
            "deviations": sum(r.status == "deviation" for r in result.params),
            "no_law": sum(r.status == "no-law" for r in result.params),
            "ignored": sum(r.status == "ignored" for r in result.params),
            "verdicts": len(result.verdicts),
            "failed_verdicts": len(result.failed),
            "exit_code": result.exit_code,
            "replay": replay,
        },
    }
    from suite.engine.verdict import _plain

    return _plain(record)
