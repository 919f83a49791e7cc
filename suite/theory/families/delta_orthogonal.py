"""delta_orthogonal.cnn: a vanilla tanh CNN at criticality to 10,000 layers, delta-orthogonal against
Gaussian kernels of the same variance: forward signal, Jacobian spread, distinguishability, spatial structure,
and the depth at which each fails."""

from __future__ import annotations

import numpy as np
import torch

from .. import nets
from ..record import Check, FamilyResult, ordering_test
from ..values import meanfield

NAME = "delta_orthogonal"
REFERENCE = (
    "Xiao et al. (2018), Dynamical isometry and a mean field theory of CNNs: how to train 10,000-layer vanilla "
    "convolutional neural networks, ICML"
)
SB2 = 1e-7
CHANNELS, IMAGE = 8, 4
SIZES = {
    "quick": {"depth": 2000, "runs": 3, "probes": 8},
    "default": {"depth": 10000, "runs": 4, "probes": 8},
    "thorough": {"depth": 10000, "runs": 12, "probes": 16},
}
#: Failure criteria: forward signal outside [q*/4, 4 q*]; Jacobian spread Var(s^2)/E[s^2]^2 > 1 (estimated from
#: probes); the two inputs' correlation above 1 - 1e-3; spatial energy fraction below 1e-3.
SIGNAL_FACTOR, SPREAD_LIMIT, DISTINCT_LIMIT, SPATIAL_LIMIT = 4.0, 1.0, 1e-3, 1e-3


def checkpoints(depth: int) -> list[int]:
    out = [1, 10, 30, 100, 300, 1000, 3000, 10000]
    return [d for d in out if d <= depth] + ([depth] if depth not in out else [])


def spread(jvp: torch.Tensor, dim: int) -> np.ndarray:
    """Var(s^2)/E[s^2]^2 of J per network from Gaussian probes: E||Ju||^4 = (tr A)^2 + 2 tr A^2 (A = J^T J), so
    d tr A^2 / (tr A)^2 - 1 = d (mean X^2 - mean(X)^2) / (2 mean(X)^2) - 1 with X = ||Ju||^2 (plug-in)."""
    x = jvp.numpy()
    m = x.mean(axis=1)
    return dim * (x.var(axis=1) / (2 * m * m)) - 1.0


def first_failure(bad: np.ndarray) -> int | None:
    """The first layer (1-based) where the criterion fails in the median network; None if it never does."""
    rows = [int(np.argmax(b)) + 1 if b.any() else None for b in bad]
    fails = sorted(r for r in rows if r is not None)
    return fails[len(rows) // 2] if len(fails) > len(rows) // 2 else None


def run(size: dict, gen: torch.Generator) -> FamilyResult:
    sw2 = meanfield.critical_sw2(SB2)
    q = meanfield.q_star(sw2, SB2)
    mu = meanfield.mu(2, q) / meanfield.mu(1, q) ** 2 - 1.0
    depth, runs, probes = size["depth"], size["runs"], size["probes"]
    marks = checkpoints(depth)
    result = FamilyResult(series={"profiles": {}, "q_star": q, "checkpoints": marks})
    base = {"sigma_w2": sw2, "sigma_b2": SB2, "channels": CHANNELS, "image": IMAGE, "networks": runs, "depth": depth}
    prof = {}
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # thousands of tiny convolutions: threads only add overhead
    try:
        for kernels in ("delta_orthogonal", "gaussian"):
            prof[kernels] = nets.tanh_cnn_profile(
                sw2, SB2, CHANNELS, IMAGE, depth, kernels, runs, probes, marks, q, gen
            )
    finally:
        torch.set_num_threads(threads)
    for kernels, r in prof.items():
        dim = CHANNELS * IMAGE * IMAGE
        spreads = {d: spread(r["jvp"][d], dim) for d in marks}
        layers = np.unique(np.geomspace(1, depth, 200).astype(int)) - 1
        result.series["profiles"][kernels] = {
            "layers": (layers + 1).tolist(),
            "q": r["q"][:, layers].median(dim=0).values.tolist(),
            "one_minus_corr": (1 - r["corr"][:, layers]).median(dim=0).values.tolist(),
            "spatial": r["spatial"][:, layers].median(dim=0).values.tolist(),
            "spread": {str(d): float(np.median(spreads[d])) for d in marks},
            "spread_theory_orthogonal": {str(d): d * mu for d in marks},
        }
        qa = r["q"].numpy()
        fails = {
            "signal": first_failure(~((qa > q / SIGNAL_FACTOR) & (qa < q * SIGNAL_FACTOR))),
            "distinguishable": first_failure((1 - r["corr"]).numpy() < DISTINCT_LIMIT),
            "spatial": first_failure(r["spatial"].numpy() < SPATIAL_LIMIT),
        }
        bad_spread = np.stack([spreads[d] > SPREAD_LIMIT for d in marks], axis=1)
        first = first_failure(bad_spread)
        fails["spectrum"] = None if first is None else marks[first - 1]
        result.series["profiles"][kernels]["failure_depth"] = fails
        for criterion, at in fails.items():
            claim = f"depth at which the {criterion} criterion first fails with {kernels} kernels (median network)"
            result.checks.append(
                Check(
                    "delta_orthogonal.cnn",
                    claim,
                    dict(base, kernels=kernels, quantity=f"failure_depth.{criterion}"),
                    None,
                    at,
                    None,
                    None,
                    REFERENCE,
                    runs,
                    "first failing layer",
                    decided=False,
                    note="none within the depth" if at is None else "",
                )
            )
    d_o, g = prof["delta_orthogonal"], prof["gaussian"]
    for mark in [m for m in marks if m >= 100]:
        claim = f"at depth {mark} two inputs stay more distinguishable (1 - corr) with delta-orthogonal kernels"
        diff, ci, p = ordering_test((1 - d_o["corr"][:, mark - 1]).numpy(), (1 - g["corr"][:, mark - 1]).numpy())
        result.checks.append(
            Check(
                "delta_orthogonal.cnn",
                claim,
                dict(base, quantity="distinguishability", at=mark),
                None,
                diff,
                ci,
                p,
                REFERENCE,
                runs,
                "one-sided Welch t-test",
            )
        )
        claim = (
            f"at depth {mark} the spatial structure survives with delta-orthogonal kernels and collapses with Gaussian"
        )
        a = np.log(d_o["spatial"][:, mark - 1].clamp_min(1e-300).numpy())
        b = np.log(g["spatial"][:, mark - 1].clamp_min(1e-300).numpy())
        diff, ci, p = ordering_test(a, b)
        result.checks.append(
            Check(
                "delta_orthogonal.cnn",
                claim,
                dict(base, quantity="log_spatial_fraction", at=mark),
                None,
                diff,
                ci,
                p,
                REFERENCE,
                runs,
                "one-sided Welch t-test on log fractions",
            )
        )
    dim = CHANNELS * IMAGE * IMAGE
    for mark in [m for m in marks if m >= 10]:
        so, sg = spread(d_o["jvp"][mark], dim), spread(g["jvp"][mark], dim)
        if not (np.isfinite(sg).all() and np.isfinite(so).all()):
            continue  # a Jacobian that vanished to 0 in float64: the spread is undefined (its failure depth says so)
        diff, ci, p = ordering_test(np.log1p(np.maximum(sg, -0.999)), np.log1p(np.maximum(so, -0.999)))
        claim = f"at depth {mark} the Jacobian spectrum is wider with Gaussian kernels (log(1 + spread))"
        result.checks.append(
            Check(
                "delta_orthogonal.cnn",
                claim,
                dict(base, quantity="log1p_spread", at=mark),
                None,
                diff,
                ci,
                p,
                REFERENCE,
                runs,
                "one-sided Welch t-test",
            )
        )
    mark = marks[-1]
    so = spread(d_o["jvp"][mark], dim)
    claim = f"delta-orthogonal spread at depth {mark} = L (mu2/mu1^2 - 1) (free probability, infinite width)"
    result.checks.append(
        Check(
            "delta_orthogonal.cnn",
            claim,
            dict(base, quantity="spread_delta_orthogonal", at=mark),
            mark * mu,
            float(np.mean(so)),
            [float(so.min()), float(so.max())],
            None,
            REFERENCE,
            runs,
            "probe estimate; range over networks",
            decided=False,
            note=f"reported, not decided: {CHANNELS} channels per pixel is far from the infinite-width limit",
        )
    )
    return result
