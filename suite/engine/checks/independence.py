"""Independence checks: the values of a tensor behave as independent draws.

Serial correlation of the flattened tensor (lag 1) and between adjacent rows (lag = row length);
dispersion of row means and of column means; repeated values within a tensor against across tensors.
Each pools all replicate tensors of a case.
"""

from __future__ import annotations

import numpy as np
import torch

from suite.engine.checks.context import NUMPY_FLOATS, CheckCase
from suite.engine.verdict import Verdict
from suite.stats import budget as budgets
from suite.stats import rounding, significance


def matrix_view(t: torch.Tensor) -> np.ndarray:
    """The (size(0), numel / size(0)) view the fans and orthogonality are defined on."""
    return t.double().reshape(t.shape[0], -1).numpy()


def matrix_stack(tensors: list[torch.Tensor]) -> np.ndarray:
    """The replicates' matrix views as one (R, size(0), numel / size(0)) float64 array."""
    return torch.stack(tensors).double().reshape(len(tensors), tensors[0].shape[0], -1).numpy()


def statistical_checks(shape: tuple[int, ...]) -> tuple[str, ...]:
    rows = shape[0]
    cols = int(np.prod(shape)) // max(rows, 1)
    names = ["serial"]
    if rows >= 2:
        names.append("adjacent_rows")
    if rows >= 2 and cols >= 2:
        names += ["row_means", "column_means"]
    names.append("repeats")
    return tuple(f"independence.{n}" for n in names)


#: Constant matrices count as possible under the claim when the chance of one among the replicates is above
#: this fraction of the check's threshold; below it, one is a violation (the dispersion tests' NaN).
CONSTANT_NEGLIGIBLE = 1e-3


def constant_matrices_possible(case: CheckCase, matrices: np.ndarray, dtype: torch.dtype) -> bool:
    """Whether the claimed law, rounded to ``dtype``, makes a constant matrix among the replicates likely
    enough to matter: P(some matrix of N values is constant) <= R p_max^(N - 1), p_max the largest
    probability of one value (:func:`suite.stats.rounding.largest_value_probability`)."""
    law = case.claim.marginal
    if law is None:
        return False
    count, size = matrices.shape[0], matrices[0].size
    bound = count * rounding.largest_value_probability(law, dtype) ** (size - 1)
    return bound > CONSTANT_NEGLIGIBLE * case.plan.check_alpha


def check(case: CheckCase, tensors: list[torch.Tensor], repeats_select=None) -> list[Verdict]:
    alpha = case.plan.check_alpha
    matrices = matrix_stack(tensors)
    if not (matrices.size and matrices.min() < matrices.max()):  # False for NaN; a std: three passes, a copy
        return []  # constant values: nothing to correlate (the marginal checks judge such a tensor)
    cols = matrices.shape[2]
    n = matrices.size
    planned = statistical_checks(tuple(tensors[0].shape))
    rho = budgets.STATED_CORRELATION
    verdicts = [
        case.tested(
            "independence.serial",
            significance.lag_correlation_test(matrices, 1, alpha, rho),
            n,
            "no correlation between consecutive values of the flattened tensor",
        )
    ]
    if "independence.adjacent_rows" in planned:
        verdicts.append(
            case.tested(
                "independence.adjacent_rows",
                significance.lag_correlation_test(matrices, cols, alpha, rho),
                n,
                "no correlation between the same column of adjacent rows",
            )
        )
    if "independence.row_means" in planned:
        possible = constant_matrices_possible(case, matrices, tensors[0].dtype)
        verdicts.append(
            case.tested(
                "independence.row_means",
                significance.group_mean_dispersion_test(matrices, 1, alpha, rho, possible),
                n,
                "row means vary as sigma^2 / cols (no shared component within a row)",
            )
        )
        verdicts.append(
            case.tested(
                "independence.column_means",
                significance.group_mean_dispersion_test(matrices, 0, alpha, rho, possible),
                n,
                "column means vary as sigma^2 / rows (no shared component within a column)",
            )
        )
    values = [t.reshape(-1) for t in tensors]
    if repeats_select is not None:
        values = [v[repeats_select(v)] for v in values]
    # equality is all the test looks at: float32 and float64 as they are, narrower floats widened exactly
    arrays = [(v if v.dtype in NUMPY_FLOATS else v.double()).numpy() for v in values]
    pairs = list(zip(arrays[0::2], arrays[1::2], strict=False))
    verdicts.append(
        case.tested(
            "independence.repeats",
            significance.collision_test(pairs, alpha, budgets.STATED_DUPLICATION),
            n,
            "values repeat within a tensor no more often than across independent tensors",
        )
    )
    return verdicts
