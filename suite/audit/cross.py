"""Checks across a model's parameters: non-finite values, uninitialized memory, untied parameters that
are identical or almost perfectly correlated, tied parameters (reported once).

Identity and correlation are judged on sketches (the values at the same n <= 4096 fixed positions of every
tensor of one shape): two independent tensors have a sample correlation of about N(0, 1/n), so
|r| >= max(:data:`CORRELATED`, :data:`STANDARD_ERRORS` / sqrt(n)) is not a chance event (at least 8 standard
errors: P < 1e-15 per pair; 32 at n = 4096); the check is exact. Tensors of fewer than 64 values are
compared for identity only.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict

import numpy as np
import torch

from suite.engine.verdict import Verdict

from .laws import CALL, NONE, Law
from .params import Param
from .reader import LocalReader
from .sample import Summary

CORRELATED = 0.5
STANDARD_ERRORS = 8.0
#: No initializer in the claims table puts values beyond this magnitude in a weight (constant_ may; its
#: own exact check judges it).
HUGE = 1e8


def verdict(target: str, name: str, check: str, claim: str, passed: bool, seed: int, law_text: str, **fields):
    return Verdict(
        target=target,
        initializer=name,
        check=check,
        case=0,
        call=law_text,
        claim=claim,
        passed=passed,
        seed=seed,
        **fields,
    )


def finite(target: str, param: Param, law: Law, summary: Summary, seed: int) -> Verdict:
    return verdict(
        target,
        param.name,
        "finite",
        "every value is finite (whole tensor)",
        summary.nonfinite == 0,
        seed,
        law.text,
        measured=f"{summary.nonfinite} NaN/inf of {param.tensor.numel()}",
    )


def uninitialized(target: str, param: Param, law: Law, summary: Summary, seed: int) -> Verdict | None:
    """Values no initializer produces: subnormal float32/float64 numbers (a normal draw lands there with
    probability < 1e-30) and magnitudes beyond 1e8: the signature of ``torch.empty`` memory."""
    if not param.tensor.is_floating_point() or (law.kind == CALL and not law.random):
        return None
    subnormal = summary.subnormal if param.tensor.dtype in (torch.float32, torch.float64) else 0
    huge = max(abs(summary.low), abs(summary.high)) if summary.count else 0.0
    passed = subnormal == 0 and huge <= HUGE and summary.nonfinite == 0
    return verdict(
        target,
        param.name,
        "uninitialized",
        f"no values that no initializer produces (subnormals, NaN/inf, |x| > {HUGE:g}): not torch.empty memory",
        passed,
        seed,
        law.text,
        measured=f"{subnormal} subnormal, {summary.nonfinite} non-finite, max |x| = {huge:.3g}",
        reason="" if passed else "looks like uninitialized (torch.empty) memory",
    )


def duplicates(
    target: str, params: list[Param], laws: dict[str, Law], summaries, seed: int, reader: LocalReader | None = None
) -> list[Verdict]:
    """Untied parameters of one shape whose values are identical, or correlated with |r| >= 0.5 (values
    read through ``reader``: default, the tensors held whole here)."""
    reader = reader or LocalReader()
    groups: dict[tuple, list[Param]] = defaultdict(list)
    for p in params:
        law = laws[p.name]
        if law.kind == "ignore" or (law.kind == CALL and not law.random) or (law.kind == NONE and p.buffer):
            continue
        if p.tensor.is_floating_point() and p.tensor.numel() >= 2 and summaries[p.name].std > 0:
            groups[(tuple(p.shape), p.tensor.dtype)].append(p)
    verdicts, compared, worst = [], 0, 0.0
    for members in groups.values():
        if len(members) < 2:
            continue
        sketches = np.stack([reader.sketch(p) for p in members])
        sketches = (sketches - sketches.mean(axis=1, keepdims=True)) / sketches.std(axis=1, keepdims=True)
        r = sketches @ sketches.T / sketches.shape[1]
        threshold = max(CORRELATED, STANDARD_ERRORS / math.sqrt(sketches.shape[1]))
        for i, j in itertools.combinations(range(len(members)), 2):
            compared += 1
            a, b = members[i], members[j]
            identical = bool(np.array_equal(sketches[i], sketches[j])) and reader.digest(a) == reader.digest(b)
            if identical or abs(r[i, j]) >= threshold:
                what = "identical values" if identical else f"correlation {r[i, j]:.4f}"
                verdicts.append(
                    verdict(
                        target,
                        a.name,
                        "independence.between_parameters",
                        f"{a.name} and {b.name} are independent draws (untied, |r| < {threshold:.3g})",
                        False,
                        seed,
                        laws[a.name].text,
                        measured=f"{what} between {a.name} and {b.name}",
                        reason="filled from the same generator state, or one copied from the other",
                    )
                )
            else:
                worst = max(worst, abs(float(r[i, j])))
    if not verdicts:
        verdicts.append(
            verdict(
                target,
                "(model)",
                "independence.between_parameters",
                f"untied random parameters of equal shape are not identical and |r| < max({CORRELATED}, "
                f"{STANDARD_ERRORS:g}/sqrt(n)) over n <= 4096 shared positions",
                True,
                seed,
                "",
                measured=f"{compared} pairs compared; largest |r| {worst:.3f}",
            )
        )
    return verdicts
