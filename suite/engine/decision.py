"""The one decision function: Holm's step-down over every statistical result of a run.

Every command that decides (``verify``, the pytest driver, ``audit``, ``theory``) calls :func:`holm`
(through :func:`settle` for verdicts), so the same seed and budget give the same verdicts however the
run is started. Holm (1979) controls the family-wise false-alarm rate at ``alpha`` for any dependence
between the tests; statsmodels computes it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def holm(p_values: Sequence[float], alpha: float) -> tuple[list[bool], list[float]]:
    """(rejected, Holm-adjusted p-values) for ``p_values`` at family-wise rate ``alpha``. A p-value that
    is not a number (a statistic the data leave undefined: a variance ratio on a constant sample, which a
    continuous law gives with probability 0) counts as 0, so that its check fails: statsmodels would
    leave it unrejected, a pass by default."""
    if not len(p_values):
        return [], []
    # imported here: only a process that decides pays for statsmodels and the pandas it brings (0.2-0.3 s)
    from statsmodels.stats.multitest import multipletests

    p_values = [0.0 if math.isnan(p) else p for p in p_values]
    reject, adjusted, _, _ = multipletests(p_values, alpha=alpha, method="holm")
    return [bool(r) for r in reject], [float(a) for a in adjusted]
