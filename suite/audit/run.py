"""The audit of one model: build it (several seeds), resolve each parameter's law, check every law with
the engine's checks, the cross-parameter and cross-build checks, optional propagation and width sweep,
then one Holm decision over the whole model (:func:`suite.engine.verification.settle`, i.e. ``engine.decision.holm``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from torch import nn

from suite.engine import diagnosis, invoke, verification
from suite.engine.checks.context import RunPlan
from suite.engine.ledger import Ledger
from suite.engine.verdict import DEVIATION, FAIL, Verdict
from suite.stats import budget as budgets

from . import cross, per_param, propagation
from .laws import CALL, NONE, Law, resolve
from .params import Param, collect
from .reader import LocalReader
from .sample import Summary
from .spec import IGNORE, AuditSpec

DIAGNOSIS_SAMPLE = 50_000


class AuditError(ValueError):
    """A usage error found before any statistics (the factory failed, the input does not fit)."""


class FactoryFailed(AuditError):
    """The model factory raised (its time limit included) or returned something other than a module. The
    command line reports it as the audit's failing verdict (:func:`factory_failed`), not as a usage
    error: the code under test failed, not the user's command."""


@dataclass
class ParamReport:
    name: str
    shape: tuple[int, ...]
    dtype: str
    buffer: bool
    law: Law
    tied: list[str]
    summary: Summary
    verdicts: list[Verdict] = field(default_factory=list)
    power: per_param.Power | None = None
    diagnosis: dict | None = None
    placement: str | None = None  # sharded runs: how the tensor is laid out over the ranks

    @property
    def status(self) -> str:
        if any(v.status == FAIL for v in self.verdicts):
            return "fail"
        if any(v.status == DEVIATION for v in self.verdicts):
            return "deviation"
        return {CALL: "pass", IGNORE: "ignored", NONE: "no-law"}[self.law.kind]


@dataclass
class AuditResult:
    model: str
    seed: int
    budget: str
    alpha: float
    build_seeds: list[int]
    spec_path: str | None
    params: list[ParamReport] = field(default_factory=list)
    model_verdicts: list[Verdict] = field(default_factory=list)
    check_alpha: float = 0.0
    propagation: dict | None = None
    widths: dict | None = None
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    ledger: Ledger | None = None
    ranks: list[dict] | None = None  # sharded runs: per rank, the memory it used and its time
    fingerprints: dict[str, str] | None = None  # sharded runs: per tensor, a hash of values at global positions

    @property
    def verdicts(self) -> list[Verdict]:
        return [v for p in self.params for v in p.verdicts] + self.model_verdicts

    @property
    def failed(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.status == FAIL]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


def build_seed(seed: int, k: int) -> int:
    """Build 0 uses the run seed itself (``torch.manual_seed(seed)``); build k > 0 a seed derived from it."""
    return seed if k == 0 else invoke.derive_seed(seed, "build", k)


def build(factory: Callable[[], nn.Module], seed: int) -> nn.Module:
    """``factory()`` under ``torch.manual_seed(seed)``, the caller's global RNG state restored."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        try:
            model = factory()
        except Exception as error:
            raise FactoryFailed(f"--model: the factory raised {type(error).__name__}: {error}") from None
    if not isinstance(model, nn.Module):
        raise FactoryFailed(f"--model: the factory returned {type(model).__name__}, not a torch.nn.Module")
    return model


def factory_failed(
    label: str, failure: FactoryFailed, *, seed: int, builds: int, budget: str, alpha: float, spec_path: str | None
) -> AuditResult:
    """The audit of a factory that could not build its model: one failing verdict naming why (the error
    it raised, its time limit, what it returned), the build seeds that replay it, no parameters."""
    seeds = [build_seed(seed, k) for k in range(builds)]
    result = AuditResult(label, seed, budget, alpha, seeds, spec_path)
    result.model_verdicts.append(
        cross.verdict(
            label,
            "(model)",
            "builds.factory",
            f"the factory builds a torch.nn.Module (build seeds {', '.join(map(str, seeds))})",
            False,
            seed,
            "",
            reason=str(failure).removeprefix("--model: "),
        )
    )
    verification.settle(result.verdicts, alpha)
    result.notes.append("the model could not be built: no parameter was checked")
    return result


def audit(
    factory_or_model,
    spec: AuditSpec | None = None,
    *,
    seed: int = 0,
    builds: int = 2,
    budget: str = "default",
    alpha: float = budgets.DEFAULT_ALPHA,
    inputs: Callable[[], object] | None = None,
    widths: list[int] | None = None,
    name: str | None = None,
    ledger: Ledger | None = None,
    progress: Callable[[str], None] = lambda line: None,
    reader: LocalReader | None = None,
) -> AuditResult:
    """Audit a model (or a factory of models) against ``spec`` (None: torch's documented defaults).
    ``inputs`` returns the model's input (a tensor, a tuple of arguments or a dict of keyword
    arguments) for the propagation measurement; ``widths`` needs a factory taking ``width=``; ``ledger``
    lists known deviations (a failing verdict it matches becomes a ``deviation``). ``reader`` makes every
    read of the values (default: tensors held whole here; a sharded model's ranks pass
    :class:`suite.audit.distributed.reader.ShardedReader`)."""
    started = time.perf_counter()
    reader = reader or LocalReader()
    factory = factory_or_model if not isinstance(factory_or_model, nn.Module) else None
    if factory is None and widths:
        raise AuditError("--widths: needs a factory taking width=, not a built model")
    builds = builds if factory is not None else 1
    seeds = [build_seed(seed, k) for k in range(builds)]
    model = build(factory, seeds[0]) if factory is not None else factory_or_model
    label = name or getattr(factory, "__qualname__", None) or type(model).__name__
    params = collect(model)
    laws = resolve(params, spec)
    chosen = budgets.get(budget)
    bound = sum(per_param.statistical_bound(laws[p.name]) for p in params if laws[p.name].kind == CALL)
    plan = RunPlan(chosen, alpha, alpha / max(bound, 1))
    result = AuditResult(label, seed, budget, alpha, seeds, spec.path if spec else None, check_alpha=plan.check_alpha)
    progress(f"Auditing {label}: {len(params)} tensors, {sum(p.tensor.numel() for p in params):,} values")

    structured = {p.name for p in params if laws[p.name].kind == CALL and _needs_builds(laws[p.name])}
    other_builds = _cross_build(factory, params, laws, seeds, structured, result, label, progress, reader)

    for index, p in enumerate(params):
        law = laws[p.name]
        summary = reader.summary(p)
        report = ParamReport(p.name, p.shape, str(p.tensor.dtype)[6:], p.buffer, law, p.tied, summary)
        report.placement = reader.placement(p)
        result.params.append(report)
        if law.kind == IGNORE:
            continue
        p_seed = invoke.derive_seed(seed, "audit", p.name)
        report.verdicts.append(cross.finite(label, p, law, summary, p_seed))
        unset = cross.uninitialized(label, p, law, summary, p_seed)
        if unset is not None:
            report.verdicts.append(unset)
        if law.kind == CALL and p.tensor.numel() and summary.nonfinite == 0:
            try:
                verdicts, report.power = per_param.check(
                    p, law, plan, index, p_seed, label, other_builds.get(p.name, []), reader
                )
            except Exception as error:  # the suite's own failure on this tensor: a verdict, never a crash
                verdicts = [
                    cross.verdict(
                        label,
                        p.name,
                        "suite.error",
                        "the checks could run",
                        False,
                        p_seed,
                        law.text,
                        reason=f"{type(error).__name__}: {error} (in the suite; please report)",
                    )
                ]
            report.verdicts += verdicts
    summaries = {r.name: r.summary for r in result.params}
    result.model_verdicts += cross.duplicates(label, params, laws, summaries, seed, reader)
    result.model_verdicts += reader.model_checks(label, params, laws, seed)
    if inputs is not None:
        result.propagation = _propagation(model, inputs, spec, seed, label, result)
    if widths:
        try:
            result.widths = propagation.width_sweep(factory, widths, inputs, seed)
        except Exception as error:
            result.model_verdicts.append(
                cross.verdict(
                    label,
                    "(model)",
                    "widths.runs",
                    "factory(width=w) builds and runs for every width",
                    False,
                    seed,
                    "",
                    reason=f"{type(error).__name__}: {error}",
                )
            )
    by_name = {r.name: r for r in result.params}
    for v in list(result.model_verdicts):  # a check across parameters that names one belongs to its report
        if v.initializer in by_name:
            by_name[v.initializer].verdicts.append(v)
            result.model_verdicts.remove(v)
    verification.settle(result.verdicts, alpha)
    if ledger is not None:
        ledger.apply(result.verdicts)
        result.ledger = ledger
    described = [
        r.name
        for p, r in zip(params, result.params, strict=True)
        if r.status in ("fail", "deviation", "no-law") and p.tensor.is_floating_point() and p.tensor.numel()
    ]
    described = set(reader.agree(described))
    for p, report in zip(params, result.params, strict=True):
        if report.name in described:
            report.diagnosis = _diagnose(p, report, seed, reader)
    result.seconds = time.perf_counter() - started
    reader.finish(result)
    return result


def _needs_builds(law: Law) -> bool:
    claim_kind = per_param.kind(law)
    return claim_kind in ("orthogonal", "delta_orthogonal", "sparse")


def _cross_build(factory, params: list[Param], laws, seeds, structured, result: AuditResult, label, progress, reader):
    """Rebuild with the first seed (same tensors?) and with the other seeds (random laws differ; a
    tensor equal in every build must have a deterministic law). Returns the other builds' tensors of
    the parameters whose claims need repeated draws."""
    if factory is None:
        result.notes.append("a built model was given: no cross-build checks (pass a factory)")
        return {}
    first = {p.name: reader.digest(p) for p in params}
    progress(f"  rebuilding with seed {seeds[0]} (replay) and {len(seeds) - 1} other seed(s)")
    replay = {p.name: reader.digest(p) for p in collect(build(factory, seeds[0]))}
    changed = [n for n in first if replay.get(n) != first[n]]
    result.model_verdicts.append(
        cross.verdict(
            label,
            "(model)",
            "builds.replay",
            f"the same seed ({seeds[0]}) rebuilds the same model",
            not changed,
            seeds[0],
            "",
            measured=f"{len(changed)} of {len(first)} tensors differ"
            + (f": {', '.join(changed[:5])}" if changed else ""),
            reason="" if not changed else "some initialization does not follow torch's global seed",
        )
    )
    kept: dict[str, list[torch.Tensor]] = {}
    same_everywhere = {n for n in first}
    for s in seeds[1:]:
        other = {p.name: p for p in collect(build(factory, s))}
        for n in list(same_everywhere):
            if n not in other or reader.digest(other[n]) != first[n]:
                same_everywhere.discard(n)
        for n in structured:
            if n in other:
                kept.setdefault(n, []).append(reader.whole(other[n]))
    if len(seeds) < 2:
        result.notes.append("--builds 1: no check that random laws differ between seeds")
        return kept
    for p in params:
        law = laws[p.name]
        if law.kind == IGNORE or p.name not in same_everywhere or not p.tensor.numel():
            continue
        if law.kind == CALL and law.random:
            result.model_verdicts.append(
                cross.verdict(
                    label,
                    p.name,
                    "builds.differ",
                    f"a random law ({law.text}) gives different values for different seeds",
                    False,
                    seeds[0],
                    law.text,
                    measured=f"identical in all {len(seeds)} builds (seeds {', '.join(map(str, seeds))})",
                    reason="a fixed generator or a copy: the law's randomness is not used",
                )
            )
        elif law.kind == NONE:
            result.notes.append(f"{p.name}: identical in all {len(seeds)} builds, so deterministic (no law to check)")
    return kept


def _propagation(model, inputs, spec, seed, label, result) -> dict | None:
    try:
        measured = propagation.measure(model, inputs(), seed)
    except Exception as error:  # the model's forward (or the input factory) failed: a verdict, not a crash
        result.model_verdicts.append(
            cross.verdict(
                label,
                "(model)",
                "propagation.runs",
                "the model runs forward and backward on the input",
                False,
                seed,
                "",
                reason=f"{type(error).__name__}: {error}",
            )
        )
        return None
    bound = spec.max_growth if spec else None
    measured["max_growth"] = bound
    if bound is not None:
        for direction in ("forward", "backward"):
            ratios = [r for r in measured[f"{direction}_growth"] if r is not None]
            worst = max(ratios, key=lambda r: max(r, 1 / r)) if ratios else 1.0
            result.model_verdicts.append(
                cross.verdict(
                    label,
                    "(model)",
                    f"propagation.{direction}",
                    f"the {direction} mean square changes by at most x{bound:g} per block",
                    all(1 / bound <= r <= bound for r in ratios),
                    seed,
                    "",
                    claimed=f"[1/{bound:g}, {bound:g}]",
                    measured=f"worst ratio {worst:.3g} over {len(ratios)} block transitions",
                )
            )
    return measured


def _diagnose(p: Param, report: ParamReport, seed: int, reader: LocalReader) -> dict:
    values = reader.subsample(p, DIAGNOSIS_SAMPLE, invoke.derive_seed(seed, "diagnose", p.name), report.law.zero_row)
    expected = None
    if report.law.kind == CALL:
        claim = report.law.claim(p)
        if claim.marginal is not None:
            expected = claim.marginal.std
    return diagnosis.describe(
        values.double().numpy().ravel(), report.summary.mean, report.summary.std, p.shape, expected
    )
