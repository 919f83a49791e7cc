"""selu.fixed_point: lecun_normal + SELU drives the activations' (mean, variance) to (0, 1) from perturbed
starts, along the trajectory the closed-form map gives, contracting the variance by g'(1) = 0.7826 per layer."""

from __future__ import annotations

import math

import numpy as np
import torch

import initlib

from ..record import Check, FamilyResult, mean_test
from ..values import selu as theory

NAME = "selu"
REFERENCE = "Klambauer et al. (2017), Self-normalizing neural networks, NeurIPS (theorem 1 and the Jacobian at (0, 1))"
STARTS = [(0.0, 2.0), (0.5, 0.5), (-0.5, 1.5), (0.0, 1.3)]
SIZES = {
    "quick": {"width": 256, "batch": 64, "runs": 8, "depth": 8},
    "default": {"width": 512, "batch": 64, "runs": 16, "depth": 8},
    "thorough": {"width": 1024, "batch": 128, "runs": 32, "depth": 12},
}
RECORDED = [1, 2, 4]  # layers whose (mean, variance) are decided


def measure(mean0: float, var0: float, size: dict, gen: torch.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(means, variances), runs x (depth + 1): over units and batch of independent lecun_normal SELU networks."""
    runs, width, batch, depth = size["runs"], size["width"], size["batch"], size["depth"]
    x = mean0 + math.sqrt(var0) * torch.randn(runs, batch, width, generator=gen)
    means, variances = [x.mean(dim=(1, 2))], [x.var(dim=(1, 2))]
    for _ in range(depth):
        w = torch.empty(runs, width, width)
        for r in range(runs):
            initlib.lecun_normal_(w[r], generator=gen)
        x = torch.nn.functional.selu(torch.bmm(x, w.transpose(1, 2)))
        means.append(x.mean(dim=(1, 2)))
        variances.append(x.var(dim=(1, 2)))
    return torch.stack(means, 1).double().numpy(), torch.stack(variances, 1).double().numpy()


def run(size: dict, gen: torch.Generator) -> FamilyResult:
    result = FamilyResult(series={"trajectories": [], "rate": theory.contraction_rate()})
    for mean0, var0 in STARTS:
        path = theory.trajectory(mean0, var0, size["depth"])
        means, variances = measure(mean0, var0, size, gen)
        result.series["trajectories"].append(
            {
                "start": [mean0, var0],
                "theory": path,
                "mean": means.mean(0).tolist(),
                "variance": variances.mean(0).tolist(),
            }
        )
        for layer in RECORDED:
            params = {"start_mean": mean0, "start_variance": var0, "layer": layer, "width": size["width"]}
            for k, (name, data) in enumerate((("mean", means), ("variance", variances))):
                m, ci, p = mean_test(data[:, layer], path[layer][k])
                claim = f"SELU {name} after {layer} lecun_normal layers from ({mean0}, {var0}) follows the map"
                result.checks.append(
                    Check(
                        "selu.fixed_point",
                        claim,
                        dict(params, quantity=name),
                        path[layer][k],
                        m,
                        ci,
                        p,
                        REFERENCE,
                        size["runs"],
                        "t-test over networks",
                    )
                )
    # The rate: from the start nearest the fixed point, (var_l - 1) / (var_{l-1} - 1) over layers 1..3.
    mean0, var0 = STARTS[-1]
    _, variances = measure(mean0, var0, size, gen)
    dev = variances[:, 1:4] - 1.0
    rates = (dev[:, 2] / dev[:, 0]) ** 0.5
    path = theory.trajectory(mean0, var0, 3)
    t = math.sqrt((path[3][1] - 1) / (path[1][1] - 1))
    m, ci, p = mean_test(rates, t)
    claim = f"per-layer contraction of the variance's deviation near (0, 1) (g'(1) = {theory.contraction_rate():.4f})"
    params = {"start_mean": mean0, "start_variance": var0, "layers": [1, 3], "quantity": "rate", "width": size["width"]}
    result.checks.append(
        Check("selu.fixed_point", claim, params, t, m, ci, p, REFERENCE, size["runs"], "t-test over networks")
    )
    return result
