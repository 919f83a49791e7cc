"""isometry.tanh: the input-output Jacobian's squared singular values of a deep tanh network at
criticality, orthogonal against Gaussian weights of the same variance, by depth."""

from __future__ import annotations

import numpy as np
import torch

from .. import nets
from ..record import Check, FamilyResult, mean_test, ordering_test
from ..values import isometry as theory
from ..values import meanfield

NAME = "isometry"
REFERENCE = (
    "Pennington, Schoenholz and Ganguli (2017), Resurrecting the sigmoid in deep learning through dynamical "
    "isometry: theory and practice, NeurIPS, eqs. 12-16"
)
SB2 = 1e-3
DEPTHS = [10, 25, 50, 100, 200]
#: The free-probability values are the width -> infinity limit at fixed depth; Gaussian products are decided
#: only where depth / width <= this (their finite-width corrections grow like depth / width).
MAX_DEPTH_PER_WIDTH = 0.25
SIZES = {
    "quick": {"width": 128, "runs": 4},
    "default": {"width": 200, "runs": 6},
    "thorough": {"width": 400, "runs": 12},
}


def run(size: dict, gen: torch.Generator) -> FamilyResult:
    width, runs = size["width"], size["runs"]
    sw2 = meanfield.critical_sw2(SB2)
    q = meanfield.q_star(sw2, SB2)
    result = FamilyResult(series={"spectra": {}, "depths": DEPTHS})
    stats = {}
    for weights in ("orthogonal", "gaussian"):
        per_run = [nets.tanh_jacobian_spectra(sw2, SB2, width, DEPTHS, weights, q, gen) for _ in range(runs)]
        nv = {d: np.array([float(s[d].var(unbiased=False) / s[d].mean() ** 2) for s in per_run]) for d in DEPTHS}
        m1 = {d: np.array([float(s[d].mean()) for s in per_run]) for d in DEPTHS}
        stats[weights] = nv
        result.series["spectra"][weights] = {
            str(d): {
                "log10_s2": np.log10(per_run[0][d].clamp_min(1e-300).numpy()).round(4).tolist(),
                "normalised_variance": nv[d].tolist(),
                "theory": theory.normalised_variance(d, SB2, weights),
                "mean_s2": m1[d].tolist(),
            }
            for d in DEPTHS
        }
        for d in DEPTHS:
            params = {
                "weights": weights,
                "depth": d,
                "width": width,
                "sigma_w2": sw2,
                "sigma_b2": SB2,
                "networks": runs,
            }
            t = theory.normalised_variance(d, SB2, weights)
            m, ci, p = mean_test(nv[d], t)
            decided = weights == "orthogonal" or d / width <= MAX_DEPTH_PER_WIDTH
            note = (
                ""
                if decided
                else f"not decided: depth/width = {d / width:.2f} > {MAX_DEPTH_PER_WIDTH} (theory: wide limit)"
            )
            claim = f"Var(s^2)/E[s^2]^2 of J = L (mu2/mu1^2 - 1 - s1), s1 = {theory.S1[weights]:g} ({weights} weights)"
            result.checks.append(
                Check(
                    "isometry.tanh",
                    claim,
                    dict(params, quantity="normalised_variance"),
                    t,
                    m,
                    ci,
                    p if decided else None,
                    REFERENCE,
                    runs,
                    "t-test over networks",
                    decided=decided,
                    note=note,
                )
            )
            mm, ci, _ = mean_test(m1[d], 1.0)
            result.checks.append(
                Check(
                    "isometry.tanh",
                    "E[s^2] = chi_1^L = 1 at criticality",
                    dict(params, quantity="mean_s2"),
                    1.0,
                    mm,
                    ci,
                    None,
                    REFERENCE,
                    runs,
                    "interval only",
                    decided=False,
                    note="reported, not decided: the finite-width drift of chi_1^L is not bounded here",
                )
            )
    deepest = DEPTHS[-1]
    diff, ci, p = ordering_test(stats["gaussian"][deepest], stats["orthogonal"][deepest])
    claim = f"at depth {deepest} the Gaussian network's spectrum is wider than the orthogonal one's"
    params = {
        "depth": deepest,
        "width": width,
        "quantity": "gaussian_minus_orthogonal",
        "sigma_w2": sw2,
        "sigma_b2": SB2,
    }
    t = theory.normalised_variance(deepest, SB2, "gaussian") - theory.normalised_variance(deepest, SB2, "orthogonal")
    result.checks.append(
        Check("isometry.tanh", claim, params, t, diff, ci, p, REFERENCE, runs, "one-sided Welch t-test")
    )
    return result
