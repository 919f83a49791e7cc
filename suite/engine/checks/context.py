"""What a check needs to know about the case it checks, and the one way it builds a verdict."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from suite.engine.verdict import Verdict
from suite.spec.claims import Claim, Spec
from suite.spec.strategies import Call
from suite.stats.budget import Budget
from suite.stats.significance import TestResult

#: torch's floating dtypes that numpy holds as they are; numpy lacks the 16-bit ones (a check widens
#: them to float64, exactly, or works on them in torch).
NUMPY_FLOATS = (torch.float32, torch.float64)


@dataclass
class RunPlan:
    """The run's statistical plan: the family-wise false-alarm rate and the per-check threshold."""

    budget: Budget
    alpha: float  # family-wise
    check_alpha: float  # per statistical check (planning and power)


@dataclass
class CheckCase:
    target: str
    spec: Spec
    call: Call
    claim: Claim
    index: int
    seed: int
    plan: RunPlan

    def exact(self, check: str, passed: bool, claim: str | None = None, **fields) -> Verdict:
        """A verdict of a deterministic check (no p-value); ``fields`` may override ``call``."""
        record = {"call": self.call.describe(), **fields}
        return Verdict(
            target=self.target,
            initializer=self.spec.name,
            check=check,
            case=self.index,
            claim=claim or self.claim.text,
            passed=bool(passed),
            seed=self.seed,
            **record,
        )

    def tested(self, check: str, result: TestResult, n: int, claim: str | None = None, **fields) -> Verdict:
        """A verdict of a statistical check; ``passed`` is settled later by Holm over the whole run."""
        return self.exact(
            check,
            True,
            claim,
            claimed=result.claimed,
            measured=result.measured,
            statistic=result.statistic,
            p_value=result.p_value,
            alpha=self.plan.check_alpha,
            sample_size=int(n),
            power=result.power,
            effect=result.effect,
            reason=result.detail,
            p_uniform=result.uniform,
            **fields,
        )
