"""The law of one parameter, checked with the engine's own checks.

A parameter is one draw of its initializer call: the audit builds the claims table's claim for the
parameter's shape and arguments and runs :func:`suite.engine.verification.check_drawn` on it (the marginal checks:
distribution, variance with power, mean, bounds and tails; structure: exact values, orthogonality,
zeros per column; independence within the tensor). Big tensors are checked on a planned subsample:
the sample size that gives power 0.99 against the budget's design std error at the per-check
threshold (:func:`suite.engine.verification.planned_sample`). Each parameter states the smallest relative std error
its sample detects with power 0.99 (:func:`suite.stats.significance.minimum_detectable_std_error`); a tensor
too small for any useful power (more than :data:`MAX_USEFUL_ERROR`) gets the exact and bound checks only.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import torch

from suite.engine import verification
from suite.engine.checks.context import CheckCase, RunPlan
from suite.engine.kinds import KINDS
from suite.engine.verdict import Verdict
from suite.stats import budget as budgets
from suite.stats import significance

from .laws import Law
from .params import Param
from .reader import LocalReader

#: A sample that cannot detect a std wrong by 50% with power 0.99 gets no statistical checks.
MAX_USEFUL_ERROR = 0.5
#: Exact laws are compared in place (no float64 copy) above this many elements.
CONSTANTS = {"zeros_": 0.0, "ones_": 1.0}


@dataclass
class Power:
    sample: int  # values the statistical checks read
    detectable: float | None  # smallest relative std error detected with power 0.99; None: not statistical
    note: str
    limited: bool = False  # too small for statistical power: exact and bound checks only


def kind(law: Law) -> str:
    return law.spec().kind


def statistical_bound(law: Law) -> int:
    """An upper bound on the statistical verdicts this parameter can produce (for the plan)."""
    return KINDS[kind(law)].statistical_checks


def planned_size(law: Law, param: Param, plan: RunPlan) -> int:
    claim = law.claim(param)
    budget = plan.budget
    return verification.planned_sample(
        plan.check_alpha,
        budget.design_std_error,
        round(claim.marginal.kurtosis, 6),
        claim.marginal.family == "normal",
        budget.max_sample,
    )


def check(
    param: Param,
    law: Law,
    plan: RunPlan,
    index: int,
    seed: int,
    target: str,
    builds: list[torch.Tensor],
    reader: LocalReader | None = None,
) -> tuple[list[Verdict], Power]:
    """Verdicts on ``param`` (build 0) against ``law``; ``builds`` holds the other builds' tensors for
    claims that need repeated draws (Haar orthogonality, sparse patterns). Every read of the values goes
    through ``reader`` (default: the tensor held whole here; :mod:`suite.audit.reader`)."""
    reader = reader or LocalReader()
    spec = law.spec()
    c = law.call_for(param)
    claim = spec.claim(c)
    case = CheckCase(target, spec, c, claim, index, seed, plan)
    tensor = param.tensor
    verdicts: list[Verdict] = []
    if law.zero_row is not None:
        nonzero = reader.row_nonzeros(param, law.zero_row)
        verdicts.append(
            case.exact(
                "structure.zero_row",
                nonzero == 0,
                f"row {law.zero_row} (padding_idx) is all zeros",
                measured=f"{nonzero} non-zero values in row {law.zero_row}",
            )
        )
    if claim.exact is not None:
        verdicts.append(_exact(case, param, claim, reader))
        return _named(verdicts, param, law), Power(tensor.numel(), None, "exact values")
    if claim.marginal is None or claim.marginal_of != "all":  # orthogonal, delta-orthogonal, sparse: whole tensors
        drawn = [reader.whole(param), *builds]
        verdicts += verification.check_drawn(case, drawn)
        return _named(verdicts, param, law), Power(tensor.numel(), None, f"structure over {len(drawn)} build(s)")
    n = planned_size(law, param, plan)
    values = reader.subsample(param, n, seed, law.zero_row)
    size = values.numel()
    law_moments = claim.marginal
    detectable = _detectable(size, plan.check_alpha, round(law_moments.kurtosis, 6), law_moments.family == "normal")
    drawn = verification.check_drawn(case, [values])
    if detectable > MAX_USEFUL_ERROR:
        drawn = [v for v in drawn if not v.statistical]
        power = Power(size, None, f"{size} values: too few for statistical power; exact and bound checks only", True)
    else:
        note = f"{size} of {tensor.numel()} values (planned subsample)" if size < tensor.numel() else f"{size} values"
        power = Power(size, detectable, note)
    return _named(verdicts + drawn, param, law), power


@functools.lru_cache(maxsize=512)
def _detectable(n: int, alpha: float, kurtosis: float, normal: bool) -> float:
    return significance.minimum_detectable_std_error(n, alpha, budgets.DESIGN_POWER, kurtosis, normal)


def _exact(case: CheckCase, param: Param, claim, reader: LocalReader) -> Verdict:
    name = case.spec.name
    if name in CONSTANTS or name == "constant_":
        value = CONSTANTS.get(name, case.call.args.get("val"))
        target = torch.tensor(value, dtype=param.tensor.dtype)  # the value as the dtype holds it
        differ = reader.count_differ(param, target)
        return case.exact("structure.exact", differ == 0, measured=f"{differ} elements differ", claimed="exact")
    from suite.engine.checks import structure

    tensor = reader.whole(param)
    return structure.exact(case, tensor, claim.exact(tuple(tensor.shape)))


def _named(verdicts: list[Verdict], param: Param, law: Law) -> list[Verdict]:
    """Verdicts speak of the parameter: its name where verify has the initializer, its law as the call."""
    for v in verdicts:
        v.initializer = param.name
        v.call = f"{law.text} on {tuple(param.shape)} [{law.origin}]"
    return verdicts
