"""The theory families in run order, and the one place that runs them and decides the run.

A family is a module of ``suite.theory.families`` with NAME, SIZES[budget] and ``run(size, generator)``.
"""

from __future__ import annotations

import math
import time

from suite.engine.decision import holm

from . import seeds
from .families import delta_orthogonal, finite_width, isometry, meanfield, products, rbm, selu

FAMILIES = [products, meanfield, isometry, delta_orthogonal, selu, finite_width, rbm]
REQUIRED_IDS = [
    "products.lognorm",
    "meanfield.tanh.qstar",
    "meanfield.tanh.chi1",
    "meanfield.tanh.critical_line",
    "isometry.tanh",
    "delta_orthogonal.cnn",
    "selu.fixed_point",
    "relu.finite_width",
    "rbm.pretraining",
]


def family_names() -> list[str]:
    return [f.NAME for f in FAMILIES]


def run(budget: str, seed: int, alpha: float, only: list[str] | None = None, progress=print) -> dict:
    """Run the families (all, or ``only``) and decide every decided check by Holm at ``alpha``."""
    checks, series, timing = [], {}, {}
    for family in FAMILIES:
        if only and family.NAME not in only:
            continue
        wall, cpu = time.perf_counter(), time.process_time()
        result = family.run(family.SIZES[budget], seeds.generator(seed, family.NAME))
        timing[family.NAME] = {"wall_s": time.perf_counter() - wall, "cpu_s": time.process_time() - cpu}
        progress(f"  {family.NAME:<18} {len(result.checks):>3} checks  {timing[family.NAME]['wall_s']:6.1f} s")
        checks.extend(result.checks)
        series[family.NAME] = result.series
    decided = [c for c in checks if c.decided]
    for check in decided:  # a measurement that produced no number is a violation, never a pass
        if check.p_value is None or not math.isfinite(check.p_value):
            check.p_value = 0.0
            check.note = (check.note + "; " if check.note else "") + "non-finite statistic: counted as violated"
    rejected, adjusted = holm([c.p_value for c in decided], alpha)
    for check, bad, adj in zip(decided, rejected, adjusted, strict=True):
        check.passed, check.p_holm = not bad, adj
    return {"checks": checks, "series": series, "timing": timing}
