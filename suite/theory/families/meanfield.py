"""meanfield.tanh.*: the length map's fixed point q*, chi_1, the critical line and the correlation depth
scale of deep tanh networks, measured on networks whose pre-activations start at the theory's q*."""

from __future__ import annotations

import math

import numpy as np
import torch

from .. import nets
from ..record import Check, FamilyResult, mean_test
from ..values import meanfield as theory

NAME = "meanfield"
POOLE = "Poole et al. (2016), Exponential expressivity in deep neural networks through transient chaos, NeurIPS"
SCHOENHOLZ = "Schoenholz et al. (2017), Deep information propagation, ICLR"
SIZES = {
    "quick": {"width": 256, "runs": 8, "burn_in": 5, "layers": 20},
    "default": {"width": 384, "runs": 12, "burn_in": 5, "layers": 30},
    "thorough": {"width": 1024, "runs": 24, "burn_in": 10, "layers": 60},
}
SB2 = 0.05
#: sw2 below, on (None: the critical value) and above the critical line at SB2.
SW2_POINTS = [1.0, 1.5, None, 2.5, 4.0]
#: further points of the critical line (sb2); the line's chi_1 = 1 is measured there too.
LINE_SB2 = [0.01, 0.1, 0.2]
C0 = 0.999
#: 1 - c below this is float32 rounding (the chain runs in float32), not signal.
FLOOR = 1e-5


def points() -> list[tuple[float, float]]:
    out = [(theory.critical_sw2(SB2) if s is None else s, SB2) for s in SW2_POINTS]
    return out + [(theory.critical_sw2(sb2), sb2) for sb2 in LINE_SB2]


def run(size: dict, gen: torch.Generator) -> FamilyResult:
    width, runs, burn, layers = size["width"], size["runs"], size["burn_in"], size["layers"]
    result = FamilyResult(series={"points": [], "line": []})
    for sw2, sb2 in points():
        qs, chi = theory.q_star(sw2, sb2), theory.chi1(sw2, sb2)
        bias = theory.finite_width_bias(sw2, sb2, width)
        q, corr, growth = nets.tanh_chain(sw2, sb2, width, runs, burn + layers, qs, C0, gen)
        params = {"sigma_w2": sw2, "sigma_b2": sb2, "width": width, "networks": runs, "layers": layers}
        note = (
            f"finite-width bias {bias['q']:+.2e} (q) and {bias['chi1']:+.2e} (chi_1) admitted: "
            "null interval theory..theory + 2 bias"
        )
        q_net = q[:, burn:].mean(dim=1).numpy()
        m, ci, p = mean_test(q_net, qs, qs + 2 * bias["q"])
        claim = "q* = fixed point of q -> sw2 E[tanh(sqrt(q) z)^2] + sb2 (mean |h|^2/N at depth)"
        result.checks.append(
            Check("meanfield.tanh.qstar", claim, params, qs, m, ci, p, POOLE, runs, "t-test over networks", note=note)
        )
        g_net = growth[:, burn:].mean(dim=1).numpy()
        mc, ci_c, p = mean_test(g_net, chi, chi + 2 * bias["chi1"])
        claim = "chi_1 = sw2 E[tanh'(sqrt(q*) z)^2] = per-layer growth of ||J u||^2 at the fixed point"
        result.checks.append(
            Check(
                "meanfield.tanh.chi1",
                claim,
                params,
                chi,
                mc,
                ci_c,
                p,
                SCHOENHOLZ,
                runs,
                "t-test over networks",
                note=note,
            )
        )
        on_line = abs(chi - 1.0) < 1e-9
        if on_line:
            claim = f"on the critical line sw2 = {sw2:.4f} at sb2 = {sb2}: chi_1 = 1"
            p_line = {"sigma_b2": sb2, "sigma_w2_critical": sw2, "quantity": "chi1", "width": width}
            _, _, p = mean_test(g_net, 1.0, 1.0 + 2 * bias["chi1"])
            result.checks.append(
                Check(
                    "meanfield.tanh.critical_line",
                    claim,
                    p_line,
                    1.0,
                    mc,
                    ci_c,
                    p,
                    SCHOENHOLZ,
                    runs,
                    "t-test over networks",
                    note=note,
                )
            )
        point = {
            "sigma_w2": sw2,
            "sigma_b2": sb2,
            "chi1_theory": chi,
            "chi1": mc,
            "chi1_ci": ci_c,
            "q_theory": qs,
            "q": m,
        }
        if chi < 1.0 - 1e-9:
            point.update(depth_scale(sw2, sb2, corr, burn, layers, bias, result, params))
        else:
            point["c_star_theory"] = theory.c_star(sw2, sb2)
            point["c_late"] = float(corr[:, -layers // 3 :].mean())
        point["corr_profile"] = corr.mean(dim=0).tolist()
        result.series["points"].append(point)
    grid = np.linspace(0.002, 0.3, 30)
    result.series["line"] = [[float(s), theory.critical_sw2(float(s))] for s in grid]
    return result


def depth_scale(sw2, sb2, corr, burn, layers, bias, result, params) -> dict:
    """Ordered phase: 1 - c_l -> 0 at rate chi_c = chi_1 per layer; xi_c = -1 / ln chi_c. Measured from the
    mean log-decrement of 1 - c from the first layer to the last layer where every network's 1 - c is above FLOOR."""
    chi = theory.chi_c(sw2, sb2)
    xi = theory.depth_scale(sw2, sb2)
    one_minus = (1.0 - corr).clamp_min(1e-300).log()
    usable = int(((1.0 - corr) > FLOOR).all(dim=0).cumprod(0).sum())
    window = min(usable, burn + layers)
    rates = ((one_minus[:, window - 1] - one_minus[:, 0]) / (window - 1)).numpy()
    lo = math.log(chi) + math.log1p(2 * bias["chi1"] / chi)
    m, ci, p = mean_test(rates, math.log(chi), lo)
    to_xi = lambda r: -1.0 / r if r < 0 else math.inf  # noqa: E731
    claim = f"correlation depth scale xi_c = -1/ln chi_c off the line (ordered phase, sw2={sw2:.3g}, sb2={sb2})"
    p2 = dict(params, quantity="depth_scale", window_layers=window)
    ci_xi = sorted([to_xi(ci[0]), to_xi(ci[1])])
    result.checks.append(
        Check(
            "meanfield.tanh.critical_line",
            claim,
            p2,
            xi,
            to_xi(m),
            ci_xi,
            p,
            SCHOENHOLZ,
            len(rates),
            "t-test of the mean log-decrement of 1 - c over networks",
        )
    )
    return {"xi_theory": xi, "xi": to_xi(m), "xi_ci": ci_xi}
