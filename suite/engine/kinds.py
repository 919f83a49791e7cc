"""Claim kinds: each owns the checks run on a case's drawn tensors and the most statistical verdicts
those checks make for one case, and the checks run ONCE per initializer (on its first case, calling the
target itself: memory layouts, the long float64 stream) with their count (the run's per-check threshold
divides alpha by the sum of these counts over the planned cases and initializers,
:func:`suite.engine.verification.make_plan`).

A spec names its kind (:attr:`suite.spec.claims.Spec.kind`); no module branches on an initializer's name.
Adding a kind means one entry here and its checks in :mod:`suite.engine.checks`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from suite.engine.checks import independence, layout, marginal, stream, structure
from suite.engine.checks.context import CheckCase
from suite.engine.verdict import Verdict
from suite.spec import claims


@dataclass(frozen=True)
class ClaimKind:
    name: str
    #: Upper bound on the statistical verdicts :attr:`check` makes for one case.
    statistical_checks: int
    #: (case, drawn replicates of its call) -> verdicts.
    check: Callable[[CheckCase, list[torch.Tensor]], list[Verdict]]
    #: (first case, the target's function) -> verdicts of the checks run once per initializer.
    once: Callable[[CheckCase, Callable], list[Verdict]] = layout.check
    #: Upper bound on the statistical verdicts :attr:`once` makes.
    once_statistical_checks: int = 0
    #: The elements the claim's marginal law is stated for (None: all of them).
    select: Callable[[torch.Tensor], torch.Tensor] | None = None


def _exact(case: CheckCase, tensors: list[torch.Tensor]) -> list[Verdict]:
    claim = case.claim
    verdicts = [structure.exact(case, tensors[0], claim.exact(case.call.shape))]
    if claim.dirac_groups is not None:
        verdicts.append(structure.identity_convolution(case, tensors[0], claim.dirac_groups))
    return verdicts


def _orthogonal(case: CheckCase, tensors: list[torch.Tensor]) -> list[Verdict]:
    gain = case.claim.orthogonal_gain
    views = [independence.matrix_view(t) for t in tensors]
    verdicts = [structure.orthogonality(case, views[:8], gain, tensors[0].dtype, "structure.orthogonality")]
    if all(np.isfinite(v).all() for v in views):
        verdicts += structure.haar(case, views, gain)
    return verdicts


def _delta_orthogonal(case: CheckCase, tensors: list[torch.Tensor]) -> list[Verdict]:
    return structure.delta_orthogonal(case, tensors, case.claim.delta_orthogonal_gain)


def _marginal(case: CheckCase, tensors: list[torch.Tensor], select=None) -> list[Verdict]:
    verdicts = marginal.check(case, tensors, case.claim.marginal, select)
    if all(v.passed for v in verdicts if v.check == "finite"):
        verdicts += independence.check(case, tensors, select)
    return verdicts


def _nonzero(values: torch.Tensor) -> torch.Tensor:
    return values.ne(0)


def _sparse(case: CheckCase, tensors: list[torch.Tensor]) -> list[Verdict]:
    claim = case.claim
    verdicts = structure.sparse(case, tensors, claim.zeros_per_column, claim.marginal.std)
    if claim.zeros_per_column >= case.call.shape[0]:
        return verdicts  # every entry is zero: no values for the marginal or independence checks
    return verdicts + _marginal(case, tensors, select=_nonzero)


def _marginal_once(case: CheckCase, fn) -> list[Verdict]:
    return layout.check(case, fn) + stream.check(case, fn)


def _sparse_once(case: CheckCase, fn) -> list[Verdict]:
    return layout.check(case, fn) + stream.check(case, fn, select=lambda values: values != 0)


_MARGINAL_MAX = max(len(checks) for checks in marginal.STATISTICAL.values())
_INDEPENDENCE_MAX = len(independence.statistical_checks((2, 2)))  # a matrix gets every one
KINDS: dict[str, ClaimKind] = {
    kind.name: kind
    for kind in (
        ClaimKind(
            "marginal",
            _MARGINAL_MAX + _INDEPENDENCE_MAX,
            _marginal,
            _marginal_once,
            len(layout.STATISTICAL) + len(stream.STATISTICAL),
        ),
        # the non-zero values' law is a normal one (unbounded)
        ClaimKind(
            "sparse",
            structure.SPARSE_STATISTICAL + len(marginal.STATISTICAL["unbounded"]) + _INDEPENDENCE_MAX,
            _sparse,
            _sparse_once,
            len(stream.STATISTICAL),
            select=_nonzero,
        ),
        ClaimKind("orthogonal", len(structure.haar_checks((8, 8))), _orthogonal),  # a square matrix gets every one
        ClaimKind("delta_orthogonal", structure.DELTA_ORTHOGONAL_HAAR, _delta_orthogonal),
        ClaimKind("exact", 0, _exact),
    )
}
assert set(KINDS) == set(claims.KINDS), "every claim kind of the spec has its checks here"
