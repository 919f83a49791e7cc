"""The report's theory section: from the theory document (``initcheck.theory/1``, ``python -m suite theory
--json F``) to figures (inline SVG) with captions that say what theory predicts and whether the measurement
agrees, and the table of every check. Rendered by ``templates/sections/theory.html.j2``."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np

from .. import plots

KERNEL_COLOURS = {"delta_orthogonal": "#0969da", "gaussian": "#cf222e", "orthogonal": "#0969da"}


def _style():
    """The report's matplotlib style (``reports.plots``)."""
    return plt.rc_context(plots._STYLE)


def verdict(checks: list[dict], prefix: str) -> dict:
    """How the decided checks whose id starts with ``prefix`` came out."""
    mine = [c for c in checks if c["id"].startswith(prefix) and c["decided"]]
    failed = [c for c in mine if not c["passed"]]
    agrees = bool(mine) and not failed
    if not mine:
        text = "No decided check in this run."
    elif agrees:
        text = f"The measurement agrees: all {len(mine)} checks hold at the run's family-wise alpha."
    else:
        text = f"The measurement DISAGREES: {len(failed)} of {len(mine)} checks are violated (see the table)."
    return {"n": len(mine), "failed": len(failed), "agrees": agrees, "text": text}


def _critical_line(series: dict) -> str:
    with _style():
        fig, axes = plots._figure(8.6, 3.2, ncols=2)
        ax, bx = axes[0]
        line = np.array(series["line"])
        ax.plot(line[:, 0], line[:, 1], color="#57606a", label="theory: chi_1 = 1")
        for p in series["points"]:
            ordered = p["chi1_theory"] < 1 - 1e-9
            chaotic = p["chi1_theory"] > 1 + 1e-9
            colour = "#0969da" if ordered else "#cf222e" if chaotic else "#1a7f37"
            ax.scatter(p["sigma_b2"], p["sigma_w2"], color=colour, zorder=3, s=22)
            ax.annotate(
                f"{p['chi1']:.3f}",
                (p["sigma_b2"], p["sigma_w2"]),
                fontsize=7,
                xytext=(4, 2),
                textcoords="offset points",
            )
            lo, hi = p["chi1_ci"]
            bx.errorbar(
                p["chi1_theory"],
                p["chi1"],
                yerr=[[p["chi1"] - lo], [hi - p["chi1"]]],
                fmt="o",
                color=colour,
                ms=4,
                capsize=2,
            )
        ax.set_xlabel("sigma_b^2")
        ax.set_ylabel("sigma_w^2")
        ax.set_title("critical line; points labelled with measured chi_1")
        ax.text(0.02, 0.95, "ordered below, chaotic above", transform=ax.transAxes, fontsize=7, va="top")
        lims = [
            min(p["chi1_theory"] for p in series["points"]) - 0.05,
            max(p["chi1_theory"] for p in series["points"]) + 0.05,
        ]
        bx.plot(lims, lims, color="#57606a", lw=0.8)
        bx.set_xlabel("chi_1, theory (quadrature)")
        bx.set_ylabel("chi_1, measured (99.9% CI)")
        bx.set_title("per-layer growth of ||J u||^2")
        return plots.to_svg(fig, "theory-critical-line")


def _spectra(series: dict) -> str:
    depths = series["depths"]
    with _style():
        fig, axes = plots._figure(8.6, 3.2, ncols=2)
        ax, bx = axes[0]
        shown = [depths[0], depths[-1]]
        for weights, data in series["spectra"].items():
            for depth, style in zip(shown, ("-", "--"), strict=True):
                values = np.asarray(data[str(depth)]["log10_s2"])
                ax.hist(
                    values,
                    bins=40,
                    histtype="step",
                    linestyle=style,
                    color=KERNEL_COLOURS[weights],
                    label=f"{weights}, L={depth}",
                    density=True,
                )
            measured = [np.mean(data[str(d)]["normalised_variance"]) for d in depths]
            theory = [data[str(d)]["theory"] for d in depths]
            bx.plot(depths, theory, color=KERNEL_COLOURS[weights], lw=1, label=f"{weights}: theory")
            bx.scatter(depths, measured, color=KERNEL_COLOURS[weights], s=18, label=f"{weights}: measured")
        ax.set_xlabel("log10 s^2 (one network)")
        ax.set_title("Jacobian squared singular values")
        ax.legend()
        bx.set_xscale("log")
        bx.set_yscale("log")
        bx.set_xlabel("depth L")
        bx.set_ylabel("Var(s^2) / E[s^2]^2")
        bx.set_title("spread of the spectrum by depth")
        bx.legend()
        return plots.to_svg(fig, "theory-spectra")


def _profiles(series: dict) -> str:
    with _style():
        fig, axes = plots._figure(8.6, 2.9, ncols=3)
        panels = [
            ("q", "forward signal q_l"),
            ("one_minus_corr", "1 - corr(x1, x2)"),
            ("spatial", "spatial energy fraction"),
        ]
        for (key, title), ax in zip(panels, axes[0], strict=True):
            for kernels, prof in series["profiles"].items():
                y = np.maximum(np.asarray(prof[key], dtype=float), 1e-30)
                ax.plot(prof["layers"], y, color=KERNEL_COLOURS[kernels], label=kernels.replace("_", "-"))
            if key == "q":
                ax.axhline(series["q_star"], color="#57606a", lw=0.8, ls="--", label="q* (theory)")
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_xlabel("layer")
            ax.set_title(title)
        axes[0][0].legend()
        return plots.to_svg(fig, "theory-depth-profiles")


def _selu(series: dict) -> str:
    with _style():
        fig, axes = plots._figure(8.6, 3.0, ncols=2)
        for k, t in enumerate(series["trajectories"]):
            colour = plots.PALETTE[k % len(plots.PALETTE)]
            theory = np.asarray(t["theory"])
            layers = np.arange(len(theory))
            label = f"start ({t['start'][0]:g}, {t['start'][1]:g})"
            for j, ax in enumerate(axes[0]):
                ax.plot(layers, theory[:, j], color=colour, lw=1, label=label)
                ax.scatter(layers, t["mean" if j == 0 else "variance"], color=colour, s=14)
        axes[0][0].set_title("mean of activations")
        axes[0][1].set_title("variance of activations")
        for ax in axes[0]:
            ax.set_xlabel("layer")
        axes[0][1].legend()
        return plots.to_svg(fig, "theory-selu")


def _finite_width(series: dict) -> str:
    with _style():
        fig, axes = plots._figure(4.3, 3.0)
        ax = axes[0][0]
        rows = series["architectures"]
        x = [r["sum_reciprocal"] for r in rows]
        ax.plot(sorted(x), [5 * v for v in sorted(x)], color="#57606a", lw=0.8, label="5 sum 1/n (leading order)")
        for r in rows:
            ax.errorbar(
                r["sum_reciprocal"],
                r["measured"],
                yerr=[[r["measured"] - r["ci"][0]], [r["ci"][1] - r["measured"]]],
                fmt="o",
                ms=4,
                capsize=2,
                label=f"{r['name']} (measured)",
            )
            ax.scatter(r["sum_reciprocal"], r["theory"], marker="x", color="#24292f")
        ax.set_xlabel("sum of reciprocal widths")
        ax.set_ylabel("Var log ||x_L||^2")
        ax.set_title("x: exact theory; dots: measured")
        ax.legend()
        return plots.to_svg(fig, "theory-finite-width")


def _rbm(series: dict) -> str:
    with _style():
        fig, axes = plots._figure(4.3, 3.0)
        ax = axes[0][0]
        for k, (init, curve) in enumerate(series["curves"].items()):
            ax.plot(np.arange(1, len(curve) + 1), curve, color=plots.PALETTE[k], label=init.replace("_", " "))
        ax.axhline(math.log(10), color="#57606a", lw=0.8, ls="--", label="chance (ln 10)")
        ax.set_xlabel("epoch")
        ax.set_ylabel("training cross-entropy")
        ax.set_title("deep sigmoid net on digits")
        ax.legend()
        return plots.to_svg(fig, "theory-rbm")


def context(doc: dict) -> dict:
    """The section's context: run facts, figures with captions, and the table of checks."""
    checks = doc["checks"]
    series = doc["series"]
    figures = []

    def add(family, make, title, predicts, prefix, demonstration=False):
        if family not in series or not series[family]:
            return
        v = verdict(checks, prefix)
        agreement = "A demonstration, not a verdict." if demonstration else v["text"]
        figures.append(
            {
                "id": f"theory-{family}",
                "title": title,
                "svg": make(series[family]),
                "predicts": predicts,
                "agreement": agreement,
                "agrees": True if demonstration else v["agrees"],
            }
        )

    add(
        "meanfield",
        _critical_line,
        "Mean field: the critical line with measured points",
        "Theory (Poole et al. 2016; Schoenholz et al. 2017): chi_1 = sw2 E[tanh'(sqrt(q*) z)^2] is below 1 in the "
        "ordered phase, 1 on the line and above 1 in the chaotic phase; q* solves the length map; off the line, "
        "correlations decay with depth scale -1/ln chi_c.",
        "meanfield.",
    )
    add(
        "isometry",
        _spectra,
        "Dynamical isometry: Jacobian spectra, orthogonal against Gaussian, by depth",
        "Theory (Pennington et al. 2017): at criticality Var(s^2)/E[s^2]^2 = L (mu2/mu1^2 - 1 - s1); orthogonal "
        "weights (s1 = 0) keep the spread small, Gaussian weights (s1 = -1) add about 1 per layer.",
        "isometry.",
    )
    add(
        "delta_orthogonal",
        _profiles,
        "10,000-layer tanh CNN: depth profiles, delta-orthogonal against Gaussian kernels",
        "Theory (Xiao et al. 2018): delta-orthogonal kernels make the CNN a per-pixel orthogonal network, so signal, "
        "spectrum and input distinctions propagate as at criticality; Gaussian kernels mix positions, so spatial "
        "structure collapses and the Jacobian becomes ill-conditioned.",
        "delta_orthogonal.",
    )
    add(
        "selu",
        _selu,
        "SELU: trajectories to the (0, 1) fixed point (lines: theory, dots: measured)",
        "Theory (Klambauer et al. 2017): with lecun_normal weights the map s -> E[selu(sqrt(s) z)^2] has the "
        "attracting fixed point (0, 1); the variance's deviation contracts by g'(1) = 0.7826 per layer.",
        "selu.",
    )
    add(
        "finite_width",
        _finite_width,
        "Finite width: Var log ||x_L||^2 against the sum of reciprocal widths",
        "Theory (Hanin and Rolnick 2018): for He-initialised ReLU nets the variance of log ||x_L||^2 is the sum "
        "over layers of Var log chi2(Binomial(n_j, 1/2)), about 5 sum 1/n_j: shrinking widths fluctuate more.",
        "relu.finite_width",
    )
    add(
        "rbm",
        _rbm,
        "Greedy RBM pretraining against plain initialisation (training loss)",
        "Historical method (Hinton et al. 2006; Bengio et al. 2007): layer-wise RBM pretraining starts a deep "
        "sigmoid network where plain small-random initialisation stalls.",
        "rbm.",
        demonstration=True,
    )
    add(
        "products",
        _products,
        "Products of Gaussian matrices: log-norm against its exact law",
        "Theory (Newman 1986): log ||W_L..W_1 x||^2 is a sum of L independent log chi2(n), mean "
        "L (ln 2 + psi(n/2)), variance L psi'(n/2).",
        "products.",
    )
    failed = [c for c in checks if c["decided"] and not c["passed"]]
    rows = [
        {
            "id": c["id"],
            "params": ", ".join(f"{k}={_short(v)}" for k, v in c["params"].items()),
            "claim": c["claim"],
            "theory": c["theory"],
            "measured": c["measured"],
            "ci": c["ci"],
            "p": c["p_value"],
            "p_holm": c.get("p_holm"),
            "status": "report" if not c["decided"] else "pass" if c["passed"] else "fail",
            "reference": c["reference"],
            "note": c.get("note", ""),
        }
        for c in checks
    ]
    s = doc["summary"]
    return {
        "seed": doc["seed"],
        "budget": doc["budget"],
        "alpha": doc["alpha"],
        "decided": s["decided"],
        "failed": len(failed),
        "report_only": s["checks"] - s["decided"],
        "exit_code": s["exit_code"],
        "wall_s": s.get("wall_s"),
        "cpu_s": s.get("cpu_s"),
        "figures": figures,
        "rows": rows,
    }


def _products(series: dict) -> str:
    with _style():
        cases = series["products"]
        fig, axes = plots._figure(8.6, 2.8, ncols=len(cases))
        for case, ax in zip(cases, axes[0], strict=True):
            sample = np.asarray(case["sample"])
            ax.hist(sample, bins=30, density=True, histtype="stepfilled", alpha=0.35, color="#0969da")
            grid = np.linspace(sample.min(), sample.max(), 200)
            m, sd = case["theory_mean"], case["theory_sd"]
            ax.plot(grid, np.exp(-0.5 * ((grid - m) / sd) ** 2) / (sd * math.sqrt(2 * math.pi)), color="#24292f", lw=1)
            ax.axvline(m, color="#cf222e", lw=0.8)
            ax.set_title(f"L={case['L']}, n={case['n']}")
            ax.set_xlabel("log ||P x||^2")
        return plots.to_svg(fig, "theory-products")


def _short(v) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, list) and len(v) > 4:
        return f"[{v[0]}, {v[1]}, ..., {v[-1]}] ({len(v)})"
    return str(v)
