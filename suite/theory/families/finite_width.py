"""relu.finite_width: Var log ||x_L||^2 of He-initialised ReLU networks grows with the sum of reciprocal
widths (constant against shrinking widths), against the exact per-layer law."""

from __future__ import annotations

import math

import torch

import initlib

from ..record import Check, FamilyResult, variance_test
from ..values import finite_width as theory

NAME = "finite_width"
REFERENCE = "Hanin and Rolnick (2018), How to start training: the effect of initialization and architecture, NeurIPS"
INPUT = 64
ARCHITECTURES = {
    "constant": [32] * 10,
    "shrinking": [64, 48, 32, 24, 16, 12, 10, 8, 8, 8],
    "wide": [128] * 10,
}
SIZES = {"quick": {"networks": 1500}, "default": {"networks": 4000}, "thorough": {"networks": 20000}}


def measure(widths: list[int], networks: int, gen: torch.Generator) -> torch.Tensor:
    """log(M_L / M_0), M = |x|^2 / width, for independent He-normal (fan_in) ReLU networks, zero bias."""
    x = torch.randn(networks, INPUT, 1, generator=gen, dtype=torch.float64)
    log_m0 = (x.squeeze(-1) ** 2).mean(dim=1).log()
    fan_in = INPUT
    for n in widths:
        w = initlib.kaiming_normal_(torch.empty(networks * n, fan_in), nonlinearity="relu", generator=gen)
        # kaiming_normal_ on the stacked matrix sees fan_in columns: variance 2 / fan_in, as for each network's own.
        x = torch.relu(torch.bmm(w.reshape(networks, n, fan_in).double(), x))
        fan_in = n
    return (x.squeeze(-1) ** 2).mean(dim=1).log() - log_m0


def run(size: dict, gen: torch.Generator) -> FamilyResult:
    result = FamilyResult(series={"architectures": []})
    for name, widths in ARCHITECTURES.items():
        x = measure(widths, size["networks"], gen)
        x = x[torch.isfinite(x)].numpy()  # all-off layers (probability about 2^-8 per network at width 8)
        t = theory.log_norm_variance(widths)
        v, ci, p = variance_test(x, t)
        params = {"widths": widths, "architecture": name, "sum_reciprocal_widths": sum(1 / n for n in widths)}
        claim = "Var log(M_L/M_0) = sum_j Var log chi2(Binomial(n_j, 1/2)) ~ 5 sum 1/n_j (He init, ReLU)"
        result.checks.append(
            Check(
                "relu.finite_width",
                claim,
                params,
                t,
                v,
                ci,
                p,
                REFERENCE,
                int(x.size),
                "variance z-test (kurtosis)",
                note=f"leading order 5 sum 1/n_j = {theory.leading_order(widths):.4f}",
            )
        )
        result.series["architectures"].append(
            {
                "name": name,
                "sum_reciprocal": params["sum_reciprocal_widths"],
                "theory": t,
                "measured": v,
                "ci": ci,
                "leading_order": theory.leading_order(widths),
            }
        )
    _ = math
    return result
