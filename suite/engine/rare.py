"""Rare events are part of the claim: a truncated initializer that returns a value outside its bounds
once in a million draws is broken, and a billion-parameter model meets that a thousand times.

The bound checks (``support``: every value inside a bounded law's support; ``sparse.zeros_per_column``:
the exact zeros of every column) are cheap, a minimum, a maximum and a count, so they are sized for rare
violations, not by the statistical plan: a case's bound check sees at least

    n = ceil(ln(1 - RARE_POWER) / ln(1 - rate))

values, the budget's ``rare_rate`` (1e-6 at the default budget: n = 4,605,168; 1e-5 at quick: 460,515),
so that a violation at that rate per value is found with probability RARE_POWER = 0.99. The values of the
statistical sample count; further calls of the same case (seeds derived from the case's, ``"rare"``) make
up the rest and are reduced to their extremes and counts as they come, never held. The further calls of a
case are capped by the budget's ``rare_calls`` (a count, so that a run replays bit for bit; it binds only
for tensors under ``n / rare_calls`` values, smaller than any the claims tables draw, though a spec's fixed
call may be): the verdict states the values it saw and the detection probability they give.
"""

from __future__ import annotations

import contextlib
import math

import torch

from suite.engine import invoke
from suite.engine.checks.context import CheckCase
from suite.engine.verdict import Verdict
from suite.stats import budget as budgets
from suite.stats import rounding


def values_needed(rate: float, power: float = budgets.RARE_POWER) -> int:
    """The fewest values among which a violation at ``rate`` per value shows with probability ``power``."""
    return math.ceil(math.log1p(-power) / math.log1p(-rate))


def detection_probability(n: int, rate: float) -> float:
    """P(at least one of ``n`` values violates), each independently with probability ``rate``."""
    return -math.expm1(n * math.log1p(-rate))


def extend(case: CheckCase, fn, tensors: list[torch.Tensor], verdicts: list[Verdict]) -> list[Verdict]:
    """Top the case's bound check up to :func:`values_needed` values with further calls of ``fn``; the
    verdict then states all the values it saw and its detection probability at the budget's rate."""
    claim, c = case.claim, case.call
    if not case.spec.random or not tensors or c.numel == 0:
        return verdicts
    if claim.zeros_per_column is not None:
        check, count = "sparse.zeros_per_column", _zeros_below(claim.zeros_per_column)
    elif claim.marginal is not None and claim.marginal.bounded and claim.marginal_of == "all":
        check, count = "support", _outside(claim.marginal.support, tensors[0].dtype)
    else:
        return verdicts
    verdict = next((v for v in verdicts if v.check == check), None)
    if verdict is None:  # not reached (non-finite values): `finite` already says why
        return verdicts
    rate = case.plan.budget.rare_rate
    needed, seen = values_needed(rate), sum(t.numel() for t in tensors)
    calls = min(case.plan.budget.rare_calls, max(0, math.ceil((needed - seen) / c.numel)))
    tally = [0, math.inf, -math.inf]  # violations, smallest, largest (values, or zeros per column)
    for t in tensors:
        count(t, tally)
    failure, made = "", 0
    seeds = (invoke.derive_seed(case.seed, "rare", r) for r in range(calls))
    try:  # closed on the way out, whatever happens: the caller's RNG state and signal handler come back then
        with contextlib.closing(invoke.draws(fn, c, seeds, case.plan.budget.time_limit)) as tensors_drawn:
            for t in tensors_drawn:
                count(t, tally)
                made += 1
    except invoke.CallFailed as error:
        failure, calls = f"further call {made} {error}", made
    total = seen + calls * c.numel
    violations, low, high = tally
    what = "outside" if check == "support" else "columns with too few zeros"
    verdict.passed = verdict.passed and violations == 0 and not failure
    verdict.measured = (
        f"{violations} {what} among {total:,} values ({seen:,} of the statistical sample and {calls} further calls);"
        f" {'range' if check == 'support' else 'zeros per column'} [{low:.6g}, {high:.6g}]"
    )
    verdict.sample_size = total
    verdict.power = detection_probability(total, rate)
    verdict.effect = f"{rate:g} of the values violating"
    if failure:
        verdict.reason = failure
    elif total < needed:
        verdict.reason = (
            f"rare-event sizing cut at the budget's {case.plan.budget.rare_calls:,} further calls: "
            f"{total:,} of {needed:,} values, detection probability {verdict.power:.3f} at {rate:g} per value"
        )
    return verdicts


def _outside(support: tuple[float, float], dtype: torch.dtype):
    low, high = (rounding.representable(b, dtype) for b in support)

    def count(t: torch.Tensor, tally: list) -> None:
        # compared in the tensor's own dtype: the bounds are representable in it, so exactly; the extremes
        # (one pass) settle the usual tensor, with none outside; NaN, which aminmax propagates, counts
        # as outside, and the extremes are those of the other values
        values = t.detach().reshape(-1)
        smallest, largest = (float(m) for m in torch.aminmax(values))
        if not (low <= smallest and largest <= high):
            tally[0] += values.numel() - int(((values >= low) & (values <= high)).sum())
            if math.isnan(smallest):
                numbers = values[~values.isnan()]
                smallest, largest = math.inf, -math.inf
                if numbers.numel():
                    smallest, largest = (float(m) for m in torch.aminmax(numbers))
        tally[1], tally[2] = min(tally[1], smallest), max(tally[2], largest)

    return count


def _zeros_below(zeros: int):
    def count(t: torch.Tensor, tally: list) -> None:
        per_column = t.eq(0).sum(dim=0)
        tally[0] += int((per_column < zeros).sum())
        tally[1], tally[2] = min(tally[1], int(per_column.min())), max(tally[2], int(per_column.max()))

    return count
