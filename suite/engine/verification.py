"""The verification run: plan, draw calls, run every check, settle statistical verdicts by Holm over
the whole run, apply the target's ledger of known deviations."""

from __future__ import annotations

import dataclasses
import functools
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from suite.engine import diagnosis, invoke, rare, spent, workers
from suite.engine.checks import api, extras, properties
from suite.engine.checks.context import CheckCase, RunPlan
from suite.engine.decision import holm
from suite.engine.kinds import KINDS
from suite.engine.ledger import Ledger
from suite.engine.targets import Target
from suite.engine.verdict import DEVIATION, DEVIATION_FIXED, FAIL, PASS, Verdict
from suite.spec import claims
from suite.stats import budget as budgets
from suite.stats.significance import variance_sample_size


def make_plan(table: dict[str, claims.Spec], budget: budgets.Budget, alpha: float, with_properties: bool) -> RunPlan:
    """Per-check threshold = alpha / (an upper bound on the statistical checks of a full run)."""
    bound = sum(statistical_bound(spec, budget) for spec in table.values())
    if with_properties:
        bound += properties.STATISTICAL_CHECKS
    return RunPlan(budget, alpha, alpha / bound)


def statistical_bound(spec: claims.Spec, budget: budgets.Budget) -> int:
    """An upper bound on the statistical checks of ``spec``'s unit at ``budget``."""
    kind = KINDS[spec.kind]
    return spec.case_count(budget.cases) * kind.statistical_checks + (kind.once_statistical_checks if spec.api else 0)


def parts(spec: claims.Spec, plan: RunPlan) -> int:
    """How many parts the checks of ``spec`` are split into, for workers to share: one per case (its
    calls, the statistics on them and the rare-event calls; the first case also has the API checks) when
    the spec draws random values, else one (exact checks of a few calls: not worth a part each). A
    part's verdicts depend on its own seeds alone, so the split changes no verdict."""
    return spec.case_count(plan.budget.cases) if spec.random else 1


def dispatch_order(target: Target, plan: RunPlan, pieces: list[tuple[str, int]]) -> list[int]:
    """The order in which workers take the ``pieces`` (``(name, part)``; indices into the list): costliest
    first, so that no long piece starts last and runs alone while the other workers idle
    (longest-processing-time-first scheduling, Graham 1969, within 4/3 of the shortest possible run).
    The cost estimate: a network property (it builds and runs networks) before everything; a part of an
    initializer's checks by its statistical checks at this budget over its parts (the parts of one
    initializer keep their order); an extra (exact checks only) last. Only the order of work changes:
    each piece's verdicts depend on its own seeds alone, and they are reported in the plan's order."""

    def cost(piece: tuple[str, int]) -> float:
        name = piece[0]
        if name in properties.PROPERTIES:
            return math.inf
        spec = target.claims.get(name)
        if spec is None or not spec.random:
            return 0
        return statistical_bound(spec, plan.budget) / parts(spec, plan)

    return sorted(range(len(pieces)), key=lambda index: -cost(pieces[index]))


#: The default time limit of one unit of work (one initializer's checks), in per-call time limits of the
#: budget: 30 x 10 s at quick, 30 x 20 s at default, 30 x 60 s at thorough.
UNIT_TIME_LIMIT_CALLS = 30


def unit_time_limit(budget: budgets.Budget) -> float:
    """The default time limit of one unit of work at ``budget`` (:data:`UNIT_TIME_LIMIT_CALLS`)."""
    return UNIT_TIME_LIMIT_CALLS * budget.time_limit


@lru_cache(maxsize=256)
def planned_sample(check_alpha: float, design: float, kurtosis: float, normal: bool, cap: int) -> int:
    """Values needed for power 0.99 against the design std error (variance test), capped."""
    return min(cap, variance_sample_size(check_alpha, design, budgets.DESIGN_POWER, kurtosis, normal))


@dataclass
class Outcome:
    target: str
    seed: int
    budget: str
    alpha: float
    verdicts: list[Verdict] = field(default_factory=list)
    provided: list[str] = field(default_factory=list)
    not_provided: list[str] = field(default_factory=list)
    ledger: Ledger | None = None
    seconds: float = 0.0
    interrupted: bool = False  # stopped by Ctrl-C or SIGTERM: the verdicts reached so far
    #: The units' time, summed over their parts (whichever process ran them), and where it went.
    spent: workers.Spent = field(default_factory=workers.Spent)

    @property
    def failed(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.status == FAIL]

    @property
    def exit_code(self) -> int:
        return 130 if self.interrupted else 1 if self.failed else 0


def verify(
    target: Target,
    only: list[str] | None = None,
    seed: int = 0,
    budget: str = "default",
    alpha: float = budgets.DEFAULT_ALPHA,
    ledger: Ledger | None = None,
    progress: Callable[[str], None] = lambda line: None,
    time_limit: float | None = None,
    isolation: workers.Isolation = workers.IN_PROCESS,
    unit_limit: float | None = None,
) -> Outcome:
    """Verify ``target``; ``isolation`` says where the target's code runs (in this process by default;
    :mod:`suite.engine.workers` for worker processes), which does not change the verdicts. A unit of work
    (one initializer's checks) that runs past ``unit_limit`` seconds (default :func:`unit_time_limit`)
    gets one failing verdict naming the limit, and the run goes on."""
    started = time.perf_counter()
    chosen_budget = budgets.get(budget)
    if time_limit is not None:
        chosen_budget = dataclasses.replace(chosen_budget, time_limit=time_limit)
    table = target.claims
    plan = make_plan(table, chosen_budget, alpha, with_properties=target.kind == "functions")
    outcome = Outcome(target.name, seed, budget, alpha, ledger=ledger)
    entries = [(name, check, _function(target, name), n) for name, check, n in _work(target, table, plan, seed)]
    entries = [entry for entry in entries if only is None or entry[0] in only]
    unit_limit = unit_time_limit(chosen_budget) if unit_limit is None else unit_limit
    units = [e for e in entries if e[2] is not None]
    order = dispatch_order(target, plan, [(name, part) for name, _, _, n in units for part in range(n)])
    results = workers.execute(isolation, target.name, plan, seed, units, locate, unit_limit, order)
    with workers.interruptible():
        try:
            for name, _, fn, _ in entries:
                if fn is None:
                    outcome.not_provided.append(name)
                    progress(f"  {name:<22} not provided")
                    continue
                verdicts, spent_on_unit = next(results)
                outcome.spent.add(spent_on_unit)
                if verdicts:  # a property whose initializers the target lacks makes none
                    outcome.provided.append(name)
                    outcome.verdicts += verdicts
                    progress(_line(name, verdicts, spent_on_unit.seconds))
        except KeyboardInterrupt:
            outcome.interrupted = True
            results.close()  # stops the workers
            progress("  interrupted: the verdicts reached so far follow")
    settle(outcome.verdicts, alpha)
    if ledger is not None:
        ledger.apply(outcome.verdicts)
    outcome.seconds = time.perf_counter() - started
    return outcome


def _work(target: Target, table: dict[str, claims.Spec], plan: RunPlan, seed: int):
    """(name, check, parts) for everything a run looks at, in order: the table's initializers, then (for
    initializer modules) calculate_gain and compute_fans, then the network properties. ``check(fn, part)``
    takes the target's function (the target itself for a property) and one of the ``parts`` of the
    checks (:func:`parts`), and returns that part's verdicts."""
    for name, spec in table.items():
        yield name, functools.partial(_run_spec_on, target, spec, plan, seed), parts(spec, plan)
    if target.kind != "functions":
        return
    for name, run_extra in extras.EXTRAS.items():
        yield name, functools.partial(_run_extra, run_extra, target.name, derive_case_seed(seed, name, 0)), 1
    for name in properties.PROPERTIES:
        yield name, functools.partial(_run_property, name, plan, derive_case_seed(seed, name, 0)), 1


def _function(target: Target, name: str):
    return target.function(name) if name not in properties.PROPERTIES else target


def locate(target: Target, plan: RunPlan, seed: int, name: str):
    """(check, fn) of the unit ``name`` of a run (what a worker process runs)."""
    check = next(check for unit, check, _ in _work(target, target.claims, plan, seed) if unit == name)
    return check, _function(target, name)


def _run_spec_on(target, spec, plan, seed, fn, part):
    return run_spec(target, spec, fn, plan, seed, part=(part, parts(spec, plan)))


def _run_extra(run_extra, target_name, seed, fn, part):
    return run_extra(target_name, fn, seed)


def _run_property(name, plan, seed, target, part):
    return properties.run(name, target, plan, seed)


def derive_case_seed(seed: int, name: str, index: int) -> int:
    return invoke.derive_seed(seed, name, index)


def run_spec(
    target: Target,
    spec: claims.Spec,
    fn,
    plan: RunPlan,
    seed: int,
    drawn: bool = True,
    part: tuple[int, int] | None = None,
) -> list[Verdict]:
    """The spec's fixed calls, then (``drawn``) the budget's number of calls drawn from its strategy;
    the API checks and documented errors on the first call. ``part`` ``(k, n)``: only the cases whose
    index is k modulo n (:func:`parts`: n is the number of cases, so part k is case k); None: every
    case."""
    cases = list(spec.fixed)
    if drawn or not cases:
        count = plan.budget.cases if drawn else 1
        cases += _drawn_calls(spec, count, invoke.derive_seed(seed, spec.name, "calls"))
    verdicts: list[Verdict] = []
    for index, c in enumerate(cases):
        if part is not None and index % part[1] != part[0]:
            continue
        case = CheckCase(target.name, spec, c, spec.claim(c), index, derive_case_seed(seed, spec.name, index), plan)
        try:
            if index == 0 and spec.api:
                verdicts += api.check(case, fn)
                verdicts += api.errors(case, fn, spec.bad_calls)
                verdicts += KINDS[spec.kind].once(case, fn)
            verdicts += run_case(case, fn)
        except Exception as error:  # the suite's own checks failed on what the target returned
            verdicts.append(
                case.exact(
                    "suite.error",
                    False,
                    "the checks could run on what the target returned",
                    reason=f"{type(error).__name__}: {error} (in the suite; please report)",
                )
            )
    return verdicts


#: The calls each spec drew, by (spec, count, seed): a worker running several parts of one spec's checks
#: draws its calls once (hypothesis takes 10-200 ms a spec). Holds the spec, so its id is not reused.
_DRAWN: dict[tuple[int, int, int], tuple[claims.Spec, list]] = {}


def _drawn_calls(spec: claims.Spec, count: int, seed: int) -> list:
    key = (id(spec), count, seed)
    if key not in _DRAWN:
        if len(_DRAWN) >= 1024:  # a long session of many runs (the project's tests) does not grow it forever
            _DRAWN.clear()
        started = time.perf_counter()
        _DRAWN[key] = (spec, spec.draw(count, seed))
        spent.drawing += time.perf_counter() - started
    return list(_DRAWN[key][1])


def run_case(case: CheckCase, fn) -> list[Verdict]:
    """Draw the case's replicates from the target and run every check its claim calls for."""
    c, budget = case.call, case.plan.budget
    replicates = replicate_count(case)
    seeds = [invoke.derive_seed(case.seed, r) for r in range(replicates)] if case.spec.random else [None]
    try:
        tensors = invoke.draw(fn, c, seeds, budget.time_limit)
    except invoke.CallFailed as failure:
        return [case.exact("call", False, "every call completes", reason=str(failure), measured=f"{replicates} calls")]
    return rare.extend(case, fn, tensors, check_drawn(case, tensors))  # bound checks sized for rare events


def check_drawn(case: CheckCase, tensors: list) -> list[Verdict]:
    """Every check the case's claim kind calls for (:mod:`suite.engine.kinds`), on tensors already drawn
    (replicates of one call; the model audit passes a parameter's values here); a statistical verdict that
    may fail carries the description of what was drawn (:func:`suite.engine.diagnosis.attach`)."""
    kind = KINDS[case.spec.kind]
    verdicts = kind.check(case, tensors)
    diagnosis.attach(case, tensors, verdicts, kind.select)
    return verdicts


def replicate_count(case: CheckCase) -> int:
    """Calls needed for the planned sample size, within the budget's limits (at least 2, for the
    repeat and generator comparisons)."""
    claim, c, budget = case.claim, case.call, case.plan.budget
    if not case.spec.random:
        return 1
    if claim.marginal is None:  # orthogonal and delta-orthogonal: Haar draws
        return max(2, min(budget.haar_draws, budget.max_sample // max(c.numel, 1)))
    law = claim.marginal
    n = planned_sample(
        case.plan.check_alpha,
        budget.design_std_error,
        round(law.kurtosis, 6),
        law.family == "normal",
        budget.max_sample,
    )
    per_call = c.numel
    if claim.zeros_per_column is not None:
        per_call = max(1, c.numel - claim.zeros_per_column * (c.numel // c.shape[0]))
    return int(min(budget.max_calls, max(2, math.ceil(n / per_call))))


#: Why a statistical verdict whose p-value is not a number fails (:func:`suite.engine.decision.holm`).
UNDEFINED_P = (
    "the test's statistic is undefined on this draw (not a number: a ratio to a zero variance, say, from "
    "constant values the claimed law gives with probability 0), so it counts as a violation"
)


def settle(verdicts: list[Verdict], alpha: float) -> None:
    """Holm's step-down over every statistical verdict of the run (statsmodels), controlling the
    family-wise false-alarm rate at ``alpha``; then pass/fail statuses."""
    tested = [v for v in verdicts if v.statistical]
    reject, adjusted = holm([v.p_value for v in tested], alpha)
    for v, r, a in zip(tested, reject, adjusted, strict=True):
        v.p_adjusted = a
        v.passed = not r
        if math.isnan(v.p_value):
            v.reason = "; ".join(filter(None, [v.reason, UNDEFINED_P]))
    for v in verdicts:
        v.status = PASS if v.passed else FAIL
        v.diagnosis = None if v.passed else v.diagnosis


def _line(name: str, verdicts: list[Verdict], seconds: float) -> str:
    tested = sum(v.statistical for v in verdicts)
    return f"  {name:<22} {len(verdicts):4d} checks ({tested} statistical)  {seconds:6.1f} s"


__all__ = ["DEVIATION", "DEVIATION_FIXED", "Outcome", "verify"]


def known_names(target: Target) -> list[str]:
    """What ``--only`` accepts for this target: its table's initializers, extras and properties."""
    names = list(target.claims)
    if target.kind == "functions":
        names += [*extras.EXTRAS, *properties.PROPERTIES]
    return names
