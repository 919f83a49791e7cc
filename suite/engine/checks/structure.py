"""Structural checks: orthogonality and Haar distribution, zeros per column, exact tensors, the
identity convolution of ``dirac_`` and the norm-preserving convolution of ``delta_orthogonal_``."""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from scipy import stats

from suite.engine.checks.context import CheckCase
from suite.engine.verdict import Verdict
from suite.spec import oracle
from suite.stats import budget as budgets
from suite.stats import rounding, significance

CONV = {3: F.conv1d, 4: F.conv2d, 5: F.conv3d}


# --- orthogonality -------------------------------------------------------------------------------


def orthogonality_tolerance(dtype: torch.dtype, n: int) -> float:
    """Rounding an exactly orthogonal matrix to ``dtype`` moves its Gram matrix by about eps(dtype);
    a backward-stable QR in at least float32 adds O(eps * sqrt(n)) (Higham 2002, ch. 19)."""
    computed = torch.finfo(dtype if dtype == torch.float64 else torch.float32).eps
    return 2 * torch.finfo(dtype).eps + 10 * computed * math.sqrt(n)


def stiefel(matrix: np.ndarray) -> np.ndarray:
    """The tall orientation (m >= k) whose columns are claimed orthonormal."""
    return matrix if matrix.shape[0] >= matrix.shape[1] else matrix.T


def orthogonality(case: CheckCase, matrices: list[np.ndarray], gain: float, dtype: torch.dtype, check: str) -> Verdict:
    worst = 0.0
    for m in matrices:
        v = stiefel(m) / gain
        worst = max(worst, float(np.max(np.abs(v.T @ v - np.eye(v.shape[1])))))
    m = stiefel(matrices[0]).shape[0]
    tolerance = orthogonality_tolerance(dtype, m)
    return case.exact(
        check,
        worst <= tolerance,
        f"W^T W = gain^2 I (orthonormal {'columns' if matrices[0].shape[0] >= matrices[0].shape[1] else 'rows'}), "
        f"gain={gain:.6g}, to {tolerance:.2g} ({str(dtype)[6:]})",
        claimed=0.0,
        measured=worst,
        reason=f"max |W^T W / gain^2 - I| over {len(matrices)} draws",
    )


def haar_checks(shape_mk: tuple[int, int]) -> tuple[str, ...]:
    m, k = shape_mk
    names = ["haar.sign", "haar.diagonal"]
    if m == k:
        names.append("haar.determinant")
        if m >= 4:
            names.append("haar.trace_square")
        if m >= 8:
            names.append("haar.trace_fourth")
    return tuple(names)


def haar(case: CheckCase, matrices: list[np.ndarray], gain: float) -> list[Verdict]:
    """Haar measure on the Stiefel manifold (orthogonal group when square): invariance under left
    multiplication by orthogonal matrices gives P(V11 > 0) = 1/2 and E sum_i V_ii = 0 with variance
    k / m; for square V also P(det V = +1) = 1/2, E tr^2 = 1 (Var 2, n >= 4), E tr^4 = 3 (Var 96, n >= 8):
    the trace moments of Haar O(n) equal the standard normal's up to order n (Diaconis & Shahshahani 1994).
    Entry-wise tests are blind to sign-convention bugs; these are not."""
    alpha, effect = case.plan.check_alpha, budgets.STATED_PROPORTION_ERROR
    stack = np.stack(matrices)  # one shape: every statistic below over all R matrices at once
    vs = (stack if stack.shape[1] >= stack.shape[2] else stack.transpose(0, 2, 1)) / gain  # stiefel() of each
    r, m, k = vs.shape
    verdicts = [
        case.tested(
            "haar.sign",
            significance.proportion_test(int(np.count_nonzero(vs[:, 0, 0] > 0)), r, 0.5, alpha, effect),
            r,
            "P(V11 > 0) = 1/2 (Haar)",
        ),
        case.tested(
            "haar.diagonal",
            significance.moment_test(np.trace(vs[:, :k], axis1=1, axis2=2), 0.0, k / m, alpha, 0.2),
            r,
            f"sum_i V_ii has mean 0 and variance k/m = {k / m:.4g} (Haar)",
        ),
    ]
    if m == k:
        dets = np.linalg.slogdet(vs)[0]
        traces = np.trace(vs, axis1=1, axis2=2)
        verdicts.append(
            case.tested(
                "haar.determinant",
                significance.proportion_test(int((dets > 0).sum()), r, 0.5, alpha, effect),
                r,
                "P(det = +1) = 1/2 (Haar O(n))",
            )
        )
        if m >= 4:
            verdicts.append(
                case.tested(
                    "haar.trace_square",
                    significance.moment_test(traces**2, 1.0, 2.0, alpha, 0.2),
                    r,
                    "E tr^2 = 1, Var tr^2 = 2 (Haar O(n), n >= 4)",
                )
            )
        if m >= 8:
            verdicts.append(
                case.tested(
                    "haar.trace_fourth",
                    significance.moment_test(traces**4, 3.0, 96.0, alpha, 1.0),
                    r,
                    "E tr^4 = 3, Var tr^4 = 96 (Haar O(n), n >= 8)",
                )
            )
    return verdicts


# --- sparse ------------------------------------------------------------------------------------------


#: Samplers draw from finite-resolution uniforms (torch: 24 bits for float32 and the half types, 53 for
#: float64), so a handful of input values may map to exactly 0 (Box-Muller's radius at u = 1, say):
#: measured on torch's float32 normal_, 97 exact zeros in 2^30 draws, 1.5 per 2^24. Extra zeros in a
#: sparse_ tensor are judged against this atom (at most 4 input values) plus rounding to zero.
SAMPLER_RESOLUTION_BITS = {torch.float64: 53}


def zero_probability(dtype: torch.dtype, std: float) -> float:
    """Probability that a N(0, std^2) draw is exactly 0 in ``dtype``: the rounding cell of 0 plus the
    atom a sampler of finite resolution may put there."""
    _, zero_edge = rounding.cell_edges(torch.zeros(1, dtype=dtype))
    rounded_to_zero = 2 * float(stats.norm.cdf(zero_edge[0] / std) - 0.5) if std > 0 else 1.0
    return min(1.0, rounded_to_zero + 4 * 2.0 ** -SAMPLER_RESOLUTION_BITS.get(dtype, 24))


#: Statistical verdicts of :func:`sparse` (extra zeros, pattern).
SPARSE_STATISTICAL = 2


def sparse(case: CheckCase, tensors: list[torch.Tensor], zeros: int, std: float) -> list[Verdict]:
    """At least ``zeros`` zeros in every column, uniformly placed; any further zeros are normal draws
    that are exactly 0 (see :func:`zero_probability`), tested against their Poisson law."""
    rows, cols = tensors[0].shape
    counts = np.stack([t.eq(0).sum(dim=0).numpy() for t in tensors])
    below = int((counts < zeros).sum())
    nonzero_cells = len(tensors) * cols * (rows - zeros)
    expected_extra = zero_probability(tensors[0].dtype, std) * nonzero_cells
    extra = int((counts - zeros).clip(min=0).sum())
    verdicts = [
        case.exact(
            "sparse.zeros_per_column",
            below == 0,
            f"at least ceil(sparsity * rows) = {zeros} zeros in every column (more only by chance: extra_zeros)",
            claimed=zeros,
            measured=f"zeros per column from {counts.min()} to {counts.max()} over {len(tensors)} draws",
        )
    ]
    poisson_p = float(stats.poisson.sf(extra - 1, expected_extra)) if extra else 1.0
    critical = stats.poisson.isf(case.plan.check_alpha, expected_extra)
    power = float(stats.poisson.sf(critical, expected_extra + len(tensors) * cols))
    result = significance.TestResult(
        extra,
        poisson_p,
        extra,
        expected_extra,
        power,
        "one extra zero in every column",
        "zeros beyond the pattern: normal draws that are exactly 0 (rounding, sampler resolution)",
        uniform=False,  # a Poisson count: discrete
    )
    verdicts.append(
        case.tested(
            "sparse.extra_zeros",
            result,
            nonzero_cells,
            f"extra zeros ~ Poisson({expected_extra:.3g}) (normal draws that are exactly 0)",
        )
    )
    if 0 < zeros < rows:
        per_row = np.stack([t.eq(0).sum(dim=1).numpy() for t in tensors]).sum(axis=0).astype(float)
        draws = len(tensors) * cols
        p = zeros / rows
        # Each column puts a zero in a row with probability p, rows negatively correlated within a
        # column (exactly `zeros` per column): the finite-population factor rows / (rows - 1).
        statistic = float(np.sum((per_row - draws * p) ** 2) / (draws * p * (1 - p) * rows / (rows - 1)))
        verdicts.append(
            case.tested(
                "sparse.pattern",
                significance.chi2_dispersion_test(
                    statistic,
                    rows - 1,
                    case.plan.check_alpha,
                    1.5,
                    "zero counts per row 1.5 times as dispersed",
                ),
                draws,
                "every row is equally likely to hold a column's zeros (uniform pattern)",
            )
        )
    return verdicts


# --- exact structures ------------------------------------------------------------------------------------


def exact(case: CheckCase, tensor: torch.Tensor, expected: np.ndarray) -> Verdict:
    want = torch.from_numpy(expected).to(tensor.dtype)
    mismatches = int((~torch.eq(tensor, want)).sum()) if tensor.shape == want.shape else tensor.numel()
    return case.exact("structure.exact", mismatches == 0, measured=f"{mismatches} elements differ", claimed="exact")


def identity_convolution(case: CheckCase, tensor: torch.Tensor, groups: int) -> Verdict:
    """Convolving with a Dirac kernel (padding k // 2) copies input channel d of each group to output
    channel d for d < min(out/groups, in), and outputs zeros on the other channels."""
    weight = tensor.double()
    out, cin, *kernel = weight.shape
    spatial = [5] * len(kernel)
    x = torch.randn(2, groups * cin, *spatial, dtype=torch.float64, generator=torch.Generator().manual_seed(case.seed))
    y = CONV[weight.dim()](x, weight, padding=[k // 2 for k in kernel], groups=groups)
    y = y[(slice(None), slice(None), *(slice(0, s) for s in spatial))]
    per_group = out // groups
    expected = torch.zeros_like(y)
    for g in range(groups):
        for d in range(min(per_group, cin)):
            expected[:, g * per_group + d] = x[:, g * cin + d]
    error = float((y - expected).abs().max())
    return case.exact(
        "structure.identity_convolution",
        error == 0.0,
        "the convolution (padding k//2) copies each group's first channels unchanged",
        claimed=0.0,
        measured=error,
    )


#: The Haar checks the delta-orthogonal centre taps get (sign and diagonal; they hold for any shape).
DELTA_ORTHOGONAL_HAAR = 2


def delta_orthogonal(case: CheckCase, tensors: list[torch.Tensor], gain: float) -> list[Verdict]:
    first = tensors[0]
    centre = oracle.kernel_centre(tuple(first.shape[2:]))
    taps = (slice(None), slice(None), *centre)
    off = first.clone()
    off[taps] = 0
    nonzero_off = int(off.ne(0).sum())
    centres = list(torch.stack(tensors)[(slice(None), *taps)].double().numpy())  # one gather for every draw
    verdicts = [
        case.exact(
            "structure.off_centre_zero",
            nonzero_off == 0,
            f"every tap but the centre {centre} is zero",
            measured=f"{nonzero_off} non-zero off-centre values",
        ),
        orthogonality(case, centres[:8], gain, first.dtype, "structure.orthogonality"),
    ]
    out, cin, *kernel = first.shape
    weight = first.double()
    x = torch.randn(3, cin, *[6] * len(kernel), dtype=torch.float64, generator=torch.Generator().manual_seed(case.seed))
    padded = F.pad(x, [p for k in reversed(kernel) for p in (k // 2, k - 1 - k // 2)], mode="circular")
    y = CONV[weight.dim()](padded, weight)
    ratio = (y.flatten(1).norm(dim=1) / x.flatten(1).norm(dim=1)).numpy()
    tolerance = orthogonality_tolerance(first.dtype, out)
    error = float(np.max(np.abs(ratio / gain - 1)))
    verdicts.append(
        case.exact(
            "structure.norm_preservation",
            error <= tolerance,
            f"circular convolution, stride 1: ||y|| = gain ||x|| to {tolerance:.2g}",
            claimed=gain,
            measured=f"ratios {ratio.min():.6g}..{ratio.max():.6g}",
        )
    )
    verdicts += haar(case, centres, gain)[:DELTA_ORTHOGONAL_HAAR]
    return verdicts
