"""products.lognorm: the log-norm of a product of L Gaussian matrices against its exact mean and variance."""

from __future__ import annotations

import torch

from ..record import Check, FamilyResult, mean_test, variance_test
from ..values import products as theory

NAME = "products"
REFERENCE = (
    "Newman (1986), The distribution of Lyapunov exponents: exact results for random matrices, "
    "Commun. Math. Phys. 103; Cohen and Newman (1984), Ann. Probab. 12"
)
CASES = [(10, 4), (100, 4), (25, 16)]  # (L, n)
SIZES = {"quick": {"samples": 2000}, "default": {"samples": 6000}, "thorough": {"samples": 40000}}


def measure(depth: int, n: int, samples: int, gen: torch.Generator) -> torch.Tensor:
    """log ||W_L..W_1 x||^2 for ``samples`` independent products (W entries N(0, 1), x a unit vector),
    renormalising after each factor so that nothing overflows."""
    y = torch.zeros(samples, n, dtype=torch.float64)
    y[:, 0] = 1.0
    log_norm2 = torch.zeros(samples, dtype=torch.float64)
    for _ in range(depth):
        w = torch.randn(samples, n, n, generator=gen, dtype=torch.float64)
        y = torch.bmm(w, y.unsqueeze(-1)).squeeze(-1)
        norm2 = (y * y).sum(dim=1)
        log_norm2 += norm2.log()
        y = y / norm2.sqrt().unsqueeze(1)
    return log_norm2


def run(size: dict, gen: torch.Generator) -> FamilyResult:
    result = FamilyResult(series={"products": []})
    for depth, n in CASES:
        x = measure(depth, n, size["samples"], gen).numpy()
        mean_t, var_t = theory.lognorm_mean(depth, n), theory.lognorm_variance(depth, n)
        m, ci, p = mean_test(x, mean_t)
        claim = f"E log||W_L..W_1 x||^2 = L (ln 2 + psi(n/2)) for N(0,1) entries (L={depth}, n={n})"
        params = {"L": depth, "n": n, "moment": "mean"}
        result.checks.append(Check("products.lognorm", claim, params, mean_t, m, ci, p, REFERENCE, x.size, "t-test"))
        v, ci, p = variance_test(x, var_t)
        claim = f"Var log||W_L..W_1 x||^2 = L psi'(n/2) (L={depth}, n={n})"
        params = {"L": depth, "n": n, "moment": "variance"}
        result.checks.append(
            Check("products.lognorm", claim, params, var_t, v, ci, p, REFERENCE, x.size, "variance z-test (kurtosis)")
        )
        result.series["products"].append(
            {"L": depth, "n": n, "theory_mean": mean_t, "theory_sd": var_t**0.5, "sample": x[:400].round(4).tolist()}
        )
    return result
