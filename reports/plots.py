"""Figures as inline SVG strings (matplotlib, Agg backend, text kept as text, no external references).

Each figure gets its own ``svg.hashsalt`` (its key), so the ids matplotlib writes for clip paths and
markers are unique within the page and identical from run to run; the SVG carries no date.
"""

from __future__ import annotations

import io
import itertools
import math
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import matplotlib.ticker
from matplotlib.figure import Figure

from reports import demos as demos_mod
from suite.bench.results import MIN_FIT_POINTS, median_interval

STATUS_COLOURS = {
    "pass": "#1a7f37",
    "fail": "#cf222e",
    "deviation": "#bf8700",
    "deviation-fixed": "#0969da",
    "not-provided": "#8c959f",
}
INIT_COLOURS = {"he": "#0969da", "xavier": "#1a7f37", "lecun": "#bf8700", "default": "#cf222e"}
INIT_STYLES = {"he": "-", "xavier": "-", "lecun": (0, (4, 3)), "default": "-"}
PALETTE = plt.get_cmap("tab10").colors

_STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#d0d7de",
    "grid.linewidth": 0.6,
    "legend.fontsize": 8,
    "legend.frameon": False,
    "svg.fonttype": "none",
    "figure.dpi": 100,
}


def to_svg(fig: Figure, key: str, tight: bool = True) -> str:
    """Serialise ``fig`` as an inline ``<svg>`` element (no XML prolog, no date), then close it.

    ``tight`` crops to what was drawn (legends outside the axes included) at the cost of a second draw.
    """
    buf = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": key}):
        fig.savefig(
            buf,
            format="svg",
            metadata={"Date": None, "Creator": None},
            bbox_inches="tight" if tight else None,
        )
    plt.close(fig)
    svg = buf.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    # many figures share one page: prefix every id (and every reference to one) with the figure's key
    prefix = re.sub(r"[^A-Za-z0-9_-]+", "-", key)
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}-\1"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}-\1)", svg)
    svg = re.sub(r'href="#([^"]+)"', rf'href="#{prefix}-\1"', svg)
    # keeps its natural width/height (pt) and viewBox; CSS shrinks it to the column where needed
    return svg.replace("<svg ", '<svg class="plot" role="img" ', 1)


def _figure(width: float, height: float, ncols: int = 1, nrows: int = 1, **kw):
    """A figure and a 2-D array of axes; called inside :func:`styled` functions, which set the style."""
    return plt.subplots(nrows, ncols, figsize=(width, height), squeeze=False, **kw)


def styled(fn):
    """Run a plotting function under the report's matplotlib style."""

    def wrapper(*args, **kwargs):
        with plt.rc_context(_STYLE):
            return fn(*args, **kwargs)

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper


# --- verification: histogram against the claimed density, QQ plot -----------------------------------


@styled
def distribution(plot: dict, title: str, status: str, key: str) -> str:
    """Histogram (as a density) with the claimed density at the bin centres, and the QQ plot."""
    fig, axes = _figure(7.0, 2.7, ncols=2)
    ax_h, ax_q = axes[0]
    edges, counts, density = plot["hist_edges"], plot["hist_counts"], plot["density"]
    n = sum(counts)
    widths = [b - a for a, b in itertools.pairwise(edges)]
    emp = [c / (n * w) if n and w > 0 else 0.0 for c, w in zip(counts, widths, strict=True)]
    centres = [(a + b) / 2 for a, b in itertools.pairwise(edges)]
    colour = STATUS_COLOURS.get(status, "#57606a")
    ax_h.stairs(emp, edges, fill=True, color="#afb8c1", alpha=0.8, label=f"measured histogram (n = {n:,})")
    ax_h.plot(centres, density, color=colour, lw=1.6, label=f"claimed {plot.get('family', '')} density")
    ax_h.set_title("histogram vs claimed density", loc="left")
    ax_h.set_xlabel("value")
    ax_h.set_ylabel("density")
    qt, qe = plot["qq_theoretical"], plot["qq_empirical"]
    ax_q.plot(qt, qe, ".", ms=3, color=colour, label=f"quantiles ({len(qt)})")
    finite = [v for v in (*qt, *qe) if math.isfinite(v)]
    if finite:
        lo, hi = min(finite), max(finite)
        ax_q.plot([lo, hi], [lo, hi], color="#57606a", lw=0.8, ls="--", label="y = x")
    ax_q.set_title("QQ plot", loc="left")
    ax_q.set_xlabel("claimed quantile")
    ax_q.set_ylabel("measured quantile")
    handles = [*ax_h.get_legend_handles_labels()[0], *ax_q.get_legend_handles_labels()[0]]
    fig.legend(handles=handles, loc="lower center", ncol=4, bbox_to_anchor=(0.5, 0.0))
    fig.suptitle(title, x=0.01, ha="left", fontsize=10, fontweight="bold")
    # one of these per initializer and target: a fixed layout instead of tight_layout's extra draws
    fig.subplots_adjust(left=0.085, right=0.985, top=0.79, bottom=0.26, wspace=0.28)
    return to_svg(fig, key, tight=False)


# --- the classic demonstrations -------------------------------------------------------------------


@styled
def propagation(p: demos_mod.Propagation) -> str:
    fig, axes = _figure(10.5, 5.6, ncols=3, nrows=2, sharex=True)
    layers = list(range(1, p.depth + 1))
    for col, nl in enumerate(demos_mod.NONLINEARITIES):
        for row, (series, label) in enumerate(
            ((p.forward, "activations: E[y²] of layer l"), (p.backward, "gradients: E[(∂L/∂y)²] at layer l"))
        ):
            ax = axes[row][col]
            for init in demos_mod.INITS:
                values = series[nl][init]
                ax.plot(
                    layers,
                    values,
                    color=INIT_COLOURS[init],
                    ls=INIT_STYLES[init],
                    lw=1.6,
                    label=demos_mod.INIT_LABELS[init],
                )
            ax.set_yscale("log")
            ax.set_title(f"{nl} network: {'forward' if row == 0 else 'backward'}", loc="left")
            if col == 0:
                ax.set_ylabel(label)
            if row == 1:
                ax.set_xlabel("layer l")
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=4, bbox_to_anchor=(0.5, -0.04))
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return to_svg(fig, "propagation")


@styled
def symmetry(s: demos_mod.Symmetry) -> str:
    fig, axes = _figure(10.0, 3.0, ncols=2)
    ax_d, ax_l = axes[0]
    colours = dict(zip(demos_mod.SYMMETRY_SCHEMES, ("#cf222e", "#1a7f37", "#0969da"), strict=True))
    show = min(40, s.steps)
    for scheme in demos_mod.SYMMETRY_SCHEMES:
        ax_d.step(
            range(show + 1),
            s.distinct[scheme][: show + 1],
            where="post",
            color=colours[scheme],
            lw=1.8,
            label=scheme,
        )
        ax_l.plot(range(s.steps + 1), s.loss[scheme], color=colours[scheme], lw=1.4, label=scheme)
    ax_d.set_ylim(0, s.hidden + 1)
    ax_d.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))  # units are counted: whole ticks
    ax_d.set_xlabel("SGD step")
    ax_d.set_ylabel(f"distinct hidden units (of {s.hidden})")
    ax_d.set_title(f"distinct hidden units, first {show} steps", loc="left")
    ax_d.legend(loc="center right")
    ax_l.set_yscale("log")
    ax_l.set_xlabel("SGD step")
    ax_l.set_ylabel("training loss (MSE, no dropout)")
    ax_l.set_title("training loss", loc="left")
    ax_l.legend(loc="upper right")
    fig.tight_layout()
    return to_svg(fig, "symmetry")


@styled
def sigmoid(s: demos_mod.Sigmoid) -> str:
    fig, axes = _figure(6.0, 2.8)
    ax = axes[0][0]
    ax.plot(s.x, s.value, color="#0969da", lw=1.8, label="σ(x) = 1 / (1 + e^(−x))")
    ax.plot(s.x, s.gradient, color="#cf222e", lw=1.8, label="σ'(x) = σ(x)(1 − σ(x))")
    ax.axhline(0.25, color="#57606a", lw=0.8, ls="--")
    ax.annotate(
        f"max σ' = {s.max_gradient:.4f} at x = {abs(s.argmax):.1f}",
        xy=(s.argmax, s.max_gradient),
        xytext=(1.6, 0.42),
        arrowprops={"arrowstyle": "->", "color": "#57606a"},
    )
    ax.set_xlabel("x")
    ax.set_ylim(-0.02, 1.05)
    ax.legend(loc="upper left")
    fig.tight_layout()
    return to_svg(fig, "sigmoid")


@styled
def gaussian_product(gp: demos_mod.GaussianProduct) -> str:
    fig, axes = _figure(7.5, 3.2)
    ax = axes[0][0]
    depth = list(range(gp.depth + 1))
    shift = 0.5 * math.log(gp.n)
    for label, offset, colour in (
        ("N(0, 1) entries", 0.0, "#cf222e"),
        (f"N(0, 1/{gp.n}) entries", shift, "#0969da"),
    ):
        mean = [m - offset * d for m, d in zip(gp.mean, depth, strict=True)]
        lo = [m - s for m, s in zip(mean, gp.std, strict=True)]
        hi = [m + s for m, s in zip(mean, gp.std, strict=True)]
        ax.fill_between(depth, lo, hi, color=colour, alpha=0.15, lw=0)
        ax.plot(depth, mean, color=colour, lw=1.8, label=f"{label}: mean ± sd over {gp.trials:,} trials")
        variance = 1.0 if offset == 0 else 1.0 / gp.n
        ax.plot(depth, [gp.theory_mean(d, variance) for d in depth], color="black", lw=0.9, ls="--")
    ax.plot([], [], color="black", lw=0.9, ls="--", label="theory: L (ln 2 + ψ(n/2) + ln σ²) / 2")
    ax.axhline(0.0, color="#57606a", lw=0.8, ls=":", label="log √E‖Px‖² for N(0, 1/n): 0 at every depth")
    ax.set_xlabel("depth L (number of 4×4 factors)")
    ax.set_ylabel("log ‖W_L ⋯ W_1 x‖")
    ax.legend(loc="upper left")
    fig.tight_layout()
    return to_svg(fig, "gaussian-product")


# --- benchmarks -------------------------------------------------------------------------------------

#: Line styles and markers of the implementations (the one legend of a bench chart, right of the panels).
IMPL_STYLES = {"initlib": ("-", "o"), "initlib.fast": ("-", "^"), "torch": ("--", "x"), "jax": ("-.", "s")}
#: The panels of the ratio and roofline charts, in order.
IMPL_ORDER = ("initlib", "initlib.fast", "torch", "jax")
#: Smallest vertical distance between two direct labels (points): about one line of 8-point text.
LABEL_GAP_PT = 9.0


def _mib(n: float) -> str:
    """A tick label in MiB: whole numbers from 1 MiB, fractions 1/k below."""
    if n >= 1:
        return f"{n:.0f}"
    return f"1/{round(1 / n)}" if n > 0 else "0"


def _colour_map(names) -> dict[str, tuple]:
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}


def spread_labels(ys: list[float], gap: float, low: float, high: float) -> list[float]:
    """Label positions at least ``gap`` apart, each as near its ``ys`` as that allows and, where the space
    allows, within ``[low, high]``: sorted upwards, each pushed above its lower neighbour, the stack then pushed
    back down from ``high`` and, if that leaves the lowest under ``low``, up again. In the order of ``ys``."""
    order = sorted(range(len(ys)), key=lambda i: ys[i])
    placed = [ys[i] for i in order]
    for k in range(1, len(placed)):
        placed[k] = max(placed[k], placed[k - 1] + gap)
    if placed and placed[-1] > high:
        placed[-1] = high
        for k in range(len(placed) - 2, -1, -1):
            placed[k] = min(placed[k], placed[k + 1] - gap)
    if placed and placed[0] < low:
        placed = [y + low - placed[0] for y in placed]
    out = [0.0] * len(ys)
    for k, i in enumerate(order):
        out[i] = placed[k]
    return out


def _direct_labels(ax, items: list[tuple[float, float, str, object]]) -> None:
    """Label line ends ``(x, y, text, colour)`` just right of each end, nudged apart vertically so that no two
    labels overlap (:func:`spread_labels`; call once the axes' limits and the figure's layout are final)."""
    if not items:
        return
    px_per_pt = ax.figure.dpi / 72
    ends = [ax.transData.transform((x, y))[1] for x, y, _, _ in items]
    gap = LABEL_GAP_PT * px_per_pt
    placed = spread_labels(ends, gap, ax.bbox.y0 + gap / 2, ax.bbox.y1 - gap / 2)
    for (x, y, text, colour), end, at in zip(items, ends, placed, strict=True):
        ax.annotate(
            text,
            (x, y),
            xytext=(5, (at - end) / px_per_pt),
            textcoords="offset points",
            fontsize=8,
            color=colour,
            va="center",
            annotation_clip=False,
        )


@styled
def bench_throughput(results: list[dict], roofline: list[dict], device: str) -> str:
    """GB/s against tensor size (MiB), one panel per dtype, for the initializers timed at several sizes (those
    timed at one size are in the other charts and the table): each initializer named at its line's end, the
    names nudged apart where they would overlap, not through a colour legend; the implementations told apart by
    line style (the one legend, right of the panels); the fill_ roofline dotted black, named likewise."""
    dtypes = sorted({r["dtype"] for r in results})
    sizes_of: dict[tuple[str, str], set[int]] = {}
    for r in results:
        sizes_of.setdefault((r["dtype"], r["initializer"]), set()).add(r["numel"])
    names = sorted({name for (_, name), sizes in sizes_of.items() if len(sizes) > 1})
    colours = _colour_map(names)
    fig, axes = _figure(5.4 * len(dtypes) + 1.6, 3.8, ncols=len(dtypes), sharey=True)
    labels_of: dict[str, list] = {}
    for ax, dtype in zip(axes[0], dtypes, strict=True):
        labels = labels_of[dtype] = []
        for name in names:
            for impl, (ls, marker) in IMPL_STYLES.items():
                pts = sorted(
                    (r["bytes"] / 2**20, r["gbps"])
                    for r in results
                    if r["dtype"] == dtype and r["initializer"] == name and r["impl"] == impl and r["gbps"] is not None
                )
                if len(pts) < 2:
                    continue
                ax.plot(*zip(*pts, strict=True), ls=ls, marker=marker, ms=4, lw=1.3, color=colours[name])
                if impl == "initlib":
                    labels.append((*pts[-1], name, colours[name]))
        nbytes = {r["numel"]: r["bytes"] for r in results if r["dtype"] == dtype}
        roof = sorted(
            (nbytes.get(r["numel"], r.get("bytes") or r["numel"]) / 2**20, r["fill_gbps"])
            for r in roofline
            if r["dtype"] == dtype and r.get("fill_gbps") is not None
        )
        if roof:
            ax.plot(*zip(*roof, strict=True), color="black", ls=":", lw=1.4)
            labels.append((*roof[-1], "fill_", "black"))
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_title(f"{device}, {dtype}: initializers timed at several sizes", loc="left")
        ax.set_xlabel("tensor size (MiB)")
        ax.xaxis.set_major_locator(matplotlib.ticker.LogLocator(base=4))  # every other power of 2: labels apart
        ax.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
        ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: _mib(v)))
        ax.margins(x=0.05)
    axes[0][0].set_ylabel("GB/s written (tensor bytes / median time)")
    impls = [impl for impl in IMPL_STYLES if any(r["impl"] == impl for r in results)]
    handles = [plt.Line2D([], [], color="#57606a", ls=IMPL_STYLES[i][0], marker=IMPL_STYLES[i][1]) for i in impls]
    fig.legend(handles, impls, loc="upper left", bbox_to_anchor=(1.0, 0.9), title="implementation")
    fig.tight_layout(w_pad=7.0)  # room right of each panel for its names
    for ax, dtype in zip(axes[0], dtypes, strict=True):
        _direct_labels(ax, labels_of[dtype])
    return to_svg(fig, f"bench-gbps-{device}")


def _dot_panels(rows: list[dict], value: str, passes: str, key: str, what: str, reference, text) -> str:
    """Small multiples, no legend: one panel per (dtype, implementation), one line per initializer at its largest
    size (its shape named where it is not the run's largest), a dot at the row's ``value``, a grey bar over the
    distribution-free interval of the median of its per-pass values (``passes``;
    suite.bench.results.median_interval) and the value written beside it. ``reference(ax)`` draws the line to
    read against and sets the x axis; ``text(v)`` writes a value."""
    dtypes = sorted({r["dtype"] for r in rows})
    impls = [i for i in IMPL_ORDER if any(r["impl"] == i for r in rows)]
    names = sorted({r["initializer"] for r in rows})
    main = max(r["numel"] for r in rows)
    height = 0.7 + len(dtypes) * (0.45 + 0.22 * len(names))
    fig, axes = _figure(3.0 * len(impls) + 1.4, height, ncols=len(impls), nrows=len(dtypes), sharey=True)
    for d, dtype in enumerate(dtypes):
        for i, impl in enumerate(impls):
            ax = axes[d][i]
            largest: dict[str, dict] = {}
            for r in sorted(rows, key=lambda r: r["numel"]):  # the largest size last, kept
                if r["dtype"] == dtype and r["impl"] == impl and r.get(value) is not None:
                    largest[r["initializer"]] = r
            for y, name in enumerate(names):
                r = largest.get(name)
                if r is None:
                    continue
                interval = median_interval(r.get(passes) or [])
                if interval:
                    ax.plot(interval[:2], [y, y], color="#afb8c1", lw=3, solid_capstyle="butt")
                ax.plot([r[value]], [y], "o", color="#0969da", ms=4.5)
                right = max(r[value], interval[1]) if interval else r[value]
                ax.annotate(
                    text(r[value]),
                    (right, y),
                    xytext=(4, 0),
                    textcoords="offset points",
                    fontsize=7.5,
                    va="center",
                    annotation_clip=False,
                )
            reference(ax)
            ax.set_title(impl + (f", {dtype}" if len(dtypes) > 1 else ""), loc="left")
            ax.grid(axis="y", visible=False)
            ax.margins(x=0.3)
            if not largest:
                ax.text(0.5, 0.5, "not timed", transform=ax.transAxes, ha="center", color="#57606a")
    labels = []
    for name in names:
        biggest = max((r for r in rows if r["initializer"] == name), key=lambda r: r["numel"])
        labels.append(name if biggest["numel"] == main else f"{name} ({'×'.join(map(str, biggest['shape']))})")
    for row_axes in axes:
        row_axes[0].set_yticks(range(len(names)), labels)
        row_axes[0].set_ylim(len(names) - 0.5, -0.5)
    fig.suptitle(what, x=0.01, ha="left", fontsize=10)
    fig.tight_layout()
    return to_svg(fig, key)


@styled
def bench_ratio(results: list[dict], device: str) -> str:
    """Time over torch's for the same call, per implementation (small multiples), at each initializer's largest
    size: the median of the per-pass ratios, its interval over passes, the value beside it; 1 is torch."""
    rows = [r for r in results if r.get("ratio_to_torch") is not None]

    def reference(ax):
        ax.axvline(1.0, color="black", lw=0.9, ls="--")
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}"))
        ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        ax.set_xlabel("time / torch's (log; < 1 faster)")

    what = f"{device}: time relative to torch (dot: median over passes; bar: its interval; dashed: torch)"
    return _dot_panels(rows, "ratio_to_torch", "pass_ratios", f"bench-ratio-{device}", what, reference, "{:.2f}".format)


@styled
def bench_roofline(results: list[dict], device: str) -> str:
    """Fraction of the fill_ roofline's bandwidth, per implementation (small multiples), at each initializer's
    largest size: the median of the per-pass fractions, its interval over passes, the value beside it."""
    rows = [r for r in results if r.get("fill_fraction") is not None]

    def reference(ax):
        ax.axvline(1.0, color="black", lw=0.9, ls=":")
        ax.set_xlim(left=0)
        ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
        ax.set_xlabel("of fill_'s GB/s")

    what = f"{device}: fraction of the fill_ roofline (dot: median over passes; bar: its interval; dotted: fill_)"
    return _dot_panels(
        rows, "fill_fraction", "fill_pass_fractions", f"bench-roofline-{device}", what, reference, "{:.0%}".format
    )


@styled
def bench_scaling(series: list[dict], device: str) -> str:
    """Time (ms) against size, one panel per x axis: elements for the fills, n for orthogonal_'s n x n QR; a fitted
    exponent named with the number of points it went through (suite.bench.results fits only through
    ``MIN_FIT_POINTS`` or more); one legend below the panels, off the data and the axis labels."""
    kinds = {"numel": [], "side": []}
    for s in series:
        kind = s.get("x") or ("side" if s["initializer"] == "orthogonal_" else "numel")
        kinds.setdefault(kind, []).append(s)
    panels = [(kind, group) for kind, group in kinds.items() if group]
    fig, axes = _figure(6.5 if len(panels) == 1 else 11.0, 3.4, ncols=len(panels))
    keys = sorted({(s["initializer"], s["dtype"]) for s in series})
    colours = _colour_map(keys)
    for ax, (kind, group) in zip(axes[0], panels, strict=True):
        for s in group:
            pts = sorted((p["n"], 1e3 * p["median_s"]) for p in s["points"])
            if not pts:
                continue
            fit = s.get("fit") or {}
            fitted = fit.get("points") or sum(n >= fit.get("n_min", math.inf) for n, _ in pts)
            label = f"{s['initializer']} {s['impl']} {s['dtype']}"
            if fit.get("exponent") is not None and fitted >= MIN_FIT_POINTS:
                label += f": ∝ n^{fit['exponent']:.2f} (fit over {fitted} points)"
            else:
                fit = {}  # an exponent through fewer points says nothing about the trend
                label += f": no fit ({fitted} of the {MIN_FIT_POINTS} points it needs past the overhead)"
            style = IMPL_STYLES.get(s["impl"], ("-", "o"))
            colour = colours[(s["initializer"], s["dtype"])]
            ax.plot(*zip(*pts, strict=True), ls=style[0], marker=style[1], ms=4, color=colour, label=label)
            if fit.get("exponent") is not None and fit.get("c"):
                ns = [pts[0][0], pts[-1][0]]
                ax.plot(ns, [1e3 * fit["c"] * n ** fit["exponent"] for n in ns], color="#57606a", lw=0.7, ls=":")
        ax.set_xscale("log", base=2 if kind == "side" else 10)
        ax.set_yscale("log")
        ax.set_xlabel("n (n × n matrix)" if kind == "side" else "elements (n)")
        ax.set_ylabel("median time (ms)")
        what = "orthogonal_ against n" if kind == "side" else "against tensor size"
        ax.set_title(f"{device}: {what} (dotted: fitted c·n^k)", loc="left")
        ax.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())  # minor labels crowd a short log axis
    # Fixed axes and one legend below the whole figure, off the data and the axis labels (a legend inside the
    # layout would shrink the axes; to_svg's tight crop takes in what lies below the figure).
    fig.subplots_adjust(left=0.09 if len(panels) > 1 else 0.14, right=0.98, top=0.88, bottom=0.17, wspace=0.3)
    handles = [h for ax in axes[0] for h in ax.get_legend_handles_labels()[0]]
    fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=len(panels))
    return to_svg(fig, f"bench-scaling-{device}")


# --- mutants and calibration -------------------------------------------------------------------------


@styled
def kill_rates(mutants: list[dict]) -> str:
    """Kill rate with its Clopper-Pearson interval, one row per mutant."""
    height = 0.8 + 0.22 * len(mutants)
    fig, axes = _figure(6.5, height)
    ax = axes[0][0]
    colours = {"killed": STATUS_COLOURS["pass"], "survived": STATUS_COLOURS["fail"], "equivalent": "#8c959f"}
    for i, m in enumerate(mutants):
        rate = m["killed"] / m["runs"] if m["runs"] else 0.0
        lo, hi = m.get("ci_low"), m.get("ci_high")
        c = colours.get(m["status"], "#57606a")
        if lo is not None and hi is not None:
            ax.plot([lo, hi], [i, i], color=c, lw=2.5, alpha=0.45, solid_capstyle="butt")
        ax.plot([rate], [i], "o", color=c, ms=5)
    ax.set_yticks(range(len(mutants)), [m["name"] for m in mutants])
    ax.invert_yaxis()
    ax.set_xlim(-0.03, 1.03)
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.set_xlabel("kill rate over seeds (bar: 95% Clopper-Pearson interval)")
    fig.tight_layout()
    return to_svg(fig, "kill-rates")


@styled
def calibration_histogram(p_values: dict) -> str:
    counts = p_values["counts"]
    bins = len(counts)
    total = sum(counts)
    fig, axes = _figure(6.0, 2.8)
    ax = axes[0][0]
    edges = [i / bins for i in range(bins + 1)]
    ax.stairs(counts, edges, fill=True, color="#0969da", alpha=0.55, label=f"p-values ({total:,})")
    if bins:
        expected = total / bins
        half = 3 * math.sqrt(expected * (1 - 1 / bins))
        ax.axhline(expected, color="black", lw=1, ls="--", label="uniform expectation")
        ax.axhspan(expected - half, expected + half, color="#8c959f", alpha=0.2, lw=0, label="± 3 sd")
    title = "p-values of every statistical verdict, all seeds"
    if p_values.get("chi2") is not None and p_values.get("p_value") is not None:
        title += f": χ² = {p_values['chi2']:.3g}, p = {p_values['p_value']:.3g}"
    ax.set_title(title, loc="left")
    ax.set_xlabel("p-value")
    ax.set_ylabel("count")
    ax.set_xlim(0, 1)
    ax.legend(loc="lower right")
    fig.tight_layout()
    return to_svg(fig, "calibration")
