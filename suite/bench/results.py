"""From pytest-benchmark's raw JSON to ``initcheck.bench/1`` (docs/json-schemas.md).

For every case, the per-call times of all its rounds over all passes give the median and the IQR. A
result is then reported as GB/s written (the tensor's bytes once, over the median), as a fraction of
``fill_``'s GB/s on the same device, dtype and size (the roofline, measured in the same run), and as
its ratio to torch's time for the same call. Both ratios are paired by pass: the median over passes of
the ratio of the two medians within each pass (the ``fill_`` fraction: fill_'s time over the case's).
Passes interleave the implementations, so a disturbance that slows one pass (a shared machine) slows
both sides of its ratio; a ratio of medians pooled over passes does not pair
them, and flagged identical code (``eye_``: both call ``torch.eye``) at 1.15 in one run on 2 shared
cores. Scaling entries fit ``t = c * n^k`` by least squares in log-log over the points past the
overhead-dominated regime, where there are at least :data:`MIN_FIT_POINTS` of them (two points fit any
line exactly and say nothing about the trend).
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict

import numpy as np
import scipy.stats

from suite.bench.plan import MAIN_SHAPE as _MAIN

SCHEMA = "initcheck.bench/1"
MAIN_SHAPE = list(_MAIN)
#: Sizes (elements) from which a size series is bandwidth/RNG-bound, and orthogonal_ sides from which
#: the QR is compute-bound: the fits start there.
FIT_FROM_NUMEL, FIT_FROM_SIDE = 10**6, 512
#: The fewest points past ``FIT_FROM_*`` a scaling exponent is fitted through.
MIN_FIT_POINTS = 3
#: The issue's targets: (name, initializers, comparison, threshold).
CPU_RATIO_LIMIT = 1.05
TRUNC_SPEEDUP, TRUNC_OVER_NORMAL = 10.0, 1.3
#: initlib.fast on the CPU (issue 21): at least this many times faster than torch, per initializer;
#: trunc_normal_ against torch's normal_.
FAST_SPEEDUPS = {"uniform_": 5.0, "normal_": 3.0, "trunc_normal_": 3.0}
CUDA_FILL_FRACTIONS = (
    (
        (
            "normal_",
            "uniform_",
            "xavier_normal_",
            "xavier_uniform_",
            "kaiming_normal_",
            "kaiming_uniform_",
            "lecun_normal_",
            "lecun_uniform_",
        ),
        0.8,
    ),
    (("trunc_normal_", "variance_scaling_"), 0.6),
)


def _quartiles(data: list[float]) -> tuple[float, float]:
    if len(data) < 2:
        return data[0], data[0]
    q1, _, q3 = statistics.quantiles(data, n=4, method="inclusive")
    return q1, q3


def collect(raw: dict) -> dict[tuple, dict]:
    """Per case (initializer, impl, device, dtype, shape): its info and per-call times by pass."""
    cases: dict[tuple, dict] = {}
    for bench in raw.get("benchmarks", []):
        info = bench["extra_info"]
        key = (info["initializer"], info["impl"], info["device"], info["dtype"], tuple(info["shape"]))
        entry = cases.setdefault(key, {"info": info, "passes": defaultdict(list)})
        entry["passes"][info["pass_index"]].extend(bench["stats"]["data"])
    return cases


def _times(entry: dict) -> list[float]:
    return [t for times in entry["passes"].values() for t in times]


def _roofline(cases: dict) -> list[dict]:
    rows = []
    refs = defaultdict(dict)
    for (name, impl, device, dtype, shape), entry in cases.items():
        if impl == "reference":
            refs[(device, dtype, math.prod(shape))][name] = statistics.median(_times(entry))
    for (device, dtype, numel), medians in sorted(refs.items()):
        nbytes = _bytes(cases, device, dtype, numel)
        fill_s, copy_s = medians.get("fill_"), medians.get("copy_")
        row = {
            "device": device,
            "dtype": dtype,
            "numel": numel,
            "bytes": nbytes,
            "fill_s": fill_s,
            "copy_s": copy_s,
            "fill_gbps": _gbps(nbytes, fill_s),
            "copy_gbps": _gbps(nbytes, copy_s),
        }
        rows.append(row)
    return rows


def _bytes(cases, device, dtype, numel) -> int:
    for (_, _, d, t, shape), entry in cases.items():
        if (d, t, math.prod(shape)) == (device, dtype, numel):
            return entry["info"]["bytes"]
    raise KeyError((device, dtype, numel))


def _gbps(nbytes: int, seconds: float | None) -> float | None:
    return nbytes / seconds / 1e9 if seconds else None


def _results(cases: dict) -> list[dict]:
    rows = []
    for key, entry in cases.items():
        name, impl, device, dtype, shape = key
        if impl == "reference":
            continue
        times = _times(entry)
        median = statistics.median(times)
        q1, q3 = _quartiles(times)
        nbytes = entry["info"]["bytes"]
        gbps = _gbps(nbytes, median)
        torch_entry = cases.get((name, "torch", device, dtype, shape))
        ratio = pass_ratios = None
        if impl != "torch" and torch_entry is not None:
            ratio, pass_ratios = paired_ratio(entry, torch_entry)
        fill_entry = cases.get(("fill_", "reference", device, dtype, _reference_shape(cases, device, dtype, shape)))
        fraction = fill_fractions = None
        if fill_entry is not None:
            fraction, fill_fractions = paired_ratio(fill_entry, entry)
            fill_fractions = fill_fractions or None
        rows.append(
            {
                "initializer": name,
                "impl": impl,
                "device": device,
                "dtype": dtype,
                "shape": list(shape),
                "numel": math.prod(shape),
                "bytes": nbytes,
                "kwargs": entry["info"].get("kwargs", {}),
                "median_s": median,
                "iqr_s": q3 - q1,
                "rounds": len(times),
                "gbps": gbps,
                "fill_fraction": fraction,
                "fill_pass_fractions": fill_fractions,
                "ratio_to_torch": ratio,
                "pass_ratios": pass_ratios,
            }
        )
    return rows


def _reference_shape(cases: dict, device: str, dtype: str, shape: tuple) -> tuple | None:
    """The shape the roofline was timed on for a case's (device, dtype, numel): a conv kernel's plan shape
    (``[4096, 4096]`` for ``[4096, 4096, 1]``) has the same number of elements."""
    numel = math.prod(shape)
    for name, impl, d, t, ref_shape in cases:
        if impl == "reference" and name == "fill_" and (d, t) == (device, dtype) and math.prod(ref_shape) == numel:
            return ref_shape
    return None


def paired_ratio(entry: dict, baseline: dict) -> tuple[float | None, list[float]]:
    """(median over passes, per-pass list) of ``entry``'s median time over ``baseline``'s in the same
    pass; ``None`` when no pass timed both."""
    ratios = [
        statistics.median(entry["passes"][p]) / statistics.median(baseline["passes"][p])
        for p in sorted(entry["passes"])
        if baseline["passes"].get(p)
    ]
    return (statistics.median(ratios) if ratios else None), ratios


def median_interval(values) -> tuple[float, float, float] | None:
    """A distribution-free interval for the median of what ``values`` sample: their j-th smallest and
    j-th largest, which cover the median with probability 1 - 2 P(Binomial(k, 1/2) < j) (k values;
    Conover 1999, section 3.2), with j the largest that keeps that at least 90%, else j = 1 (5 passes:
    the extremes, 93.75%; 3 passes: 75%). ``(low, high, coverage)``, or ``None`` with fewer than 2."""
    ordered = sorted(values)
    k = len(ordered)
    if k < 2:
        return None
    j = 1
    while j + 1 <= k // 2 and 1 - 2 * scipy.stats.binom.cdf(j, k, 0.5) >= 0.9:
        j += 1
    return ordered[j - 1], ordered[k - j], float(1 - 2 * scipy.stats.binom.cdf(j - 1, k, 0.5))


def fit_power_law(points: list[tuple[float, float]]) -> dict | None:
    """Least squares of log t = log c + k log n; ``None`` with fewer than :data:`MIN_FIT_POINTS` points."""
    if len(points) < MIN_FIT_POINTS:
        return None
    n, t = np.log([p[0] for p in points]), np.log([p[1] for p in points])
    exponent, log_c = np.polyfit(n, t, 1)
    return {"model": "c * n^k", "exponent": float(exponent), "c": float(math.exp(log_c)), "points": len(points)}


def _scaling(results: list[dict]) -> list[dict]:
    """Time against size (2-D tensors of every size in the plan) and orthogonal_ against its side."""
    series = defaultdict(list)
    for row in results:
        shape = row["shape"]
        if len(shape) == 2 or (len(shape) == 3 and shape[2] == 1):
            series[(row["initializer"], row["impl"], row["device"], row["dtype"])].append(row)
    entries = []
    for (name, impl, device, dtype), rows in sorted(series.items()):
        by_side = name == "orthogonal_"
        if by_side:
            rows = [r for r in rows if r["shape"][0] == r["shape"][1]]
            points = sorted((r["shape"][0], r["median_s"]) for r in rows)
            fit_from = FIT_FROM_SIDE
        else:
            points = sorted((r["numel"], r["median_s"]) for r in rows)
            fit_from = FIT_FROM_NUMEL
        if len(points) < 3:
            continue
        fit = fit_power_law([p for p in points if p[0] >= fit_from])
        if fit:
            fit["n_min"] = fit_from
        entries.append(
            {
                "initializer": name,
                "impl": impl,
                "device": device,
                "dtype": dtype,
                "x": "side" if by_side else "numel",
                "points": [{"n": n, "median_s": t} for n, t in points],
                "fit": fit,
                "overhead_s": points[0][1],
                "ns_per_element": 1e9 * points[-1][1] / (points[-1][0] ** 2 if by_side else points[-1][0]),
            }
        )
    return entries


def _targets(results: list[dict], cases: dict, memory: list[dict], device: str) -> list[dict]:
    """The issue's performance targets, evaluated on this run's 4096 x 4096 float32 results."""

    def key_of(name: str) -> tuple:
        return (name, "initlib", device, "float32", tuple(MAIN_SHAPE))

    main = {
        (r["initializer"], r["impl"]): r
        for r in results
        if r["dtype"] == "float32" and r["shape"][:2] == MAIN_SHAPE and r["numel"] == 4096**2
    }
    targets = []

    def target(name, initializer, value, comparison, threshold, passes=()):
        meets = (lambda v: v <= threshold) if comparison == "<=" else (lambda v: v >= threshold)
        met = None if value is None else meets(value)
        interval = median_interval(passes)
        if value is None:
            verdict = "not measured"
        elif met:
            verdict = "met"
        elif interval and meets(interval[0] if comparison == "<=" else interval[1]):
            verdict = "within noise"
        else:
            verdict = "missed"
        targets.append(
            {
                "target": name,
                "initializer": initializer,
                "device": device,
                "dtype": "float32",
                "shape": MAIN_SHAPE,
                "value": value,
                "comparison": comparison,
                "threshold": threshold,
                "met": met,
                "interval": list(interval[:2]) if interval else None,
                "interval_coverage": interval[2] if interval else None,
                "verdict": verdict,
            }
        )

    if device == "cpu":
        for (name, impl), row in sorted(main.items()):
            if impl == "initlib" and row["ratio_to_torch"] is not None:
                ratio, passes = row["ratio_to_torch"], row["pass_ratios"]
                target("time / torch's time", name, ratio, "<=", CPU_RATIO_LIMIT, passes)
        trunc = main.get(("trunc_normal_", "initlib"))
        if trunc and trunc["ratio_to_torch"]:
            speedups = [1 / ratio for ratio in trunc["pass_ratios"]]
            target("speed-up over torch", "trunc_normal_", 1 / trunc["ratio_to_torch"], ">=", TRUNC_SPEEDUP, speedups)
        _fast_targets(target, main, cases, device)
        trunc_case, normal_case = cases.get(key_of("trunc_normal_")), cases.get(key_of("normal_"))
        if trunc_case and normal_case:
            over_normal, passes = paired_ratio(trunc_case, normal_case)
            target("time / initlib normal_'s time", "trunc_normal_", over_normal, "<=", TRUNC_OVER_NORMAL, passes)
    else:
        for names, threshold in CUDA_FILL_FRACTIONS:
            for name in names:
                row = main.get((name, "initlib"))
                if row:
                    fractions = row["fill_pass_fractions"] or ()
                    target("fraction of fill_ bandwidth", name, row["fill_fraction"], ">=", threshold, fractions)
    peaks = {(m["initializer"], m["impl"]): m["peak_bytes"] for m in memory}
    for name in {m["initializer"] for m in memory}:
        ours, theirs = peaks.get((name, "initlib")), peaks.get((name, "torch"))
        if ours is not None and theirs:
            target("peak memory / torch's peak memory", name, ours / theirs, "<=", 1.0)
    return targets


def _fast_targets(target, main: dict, cases: dict, device: str) -> None:
    """initlib.fast's speed-ups over torch (:data:`FAST_SPEEDUPS`), medians of per-pass ratios;
    trunc_normal_'s is over torch's normal_ (a paired ratio, pass by pass)."""
    for name, threshold in FAST_SPEEDUPS.items():
        versus = "normal_" if name == "trunc_normal_" else name
        fast = cases.get((name, "initlib.fast", device, "float32", tuple(MAIN_SHAPE)))
        theirs = cases.get((versus, "torch", device, "float32", tuple(MAIN_SHAPE)))
        if fast and theirs and main.get((name, "initlib.fast")):
            ratio, passes = paired_ratio(theirs, fast)
            label = "initlib.fast speed-up over torch" + (" normal_" if versus != name else "")
            target(label, name, ratio, ">=", threshold, passes)


def build(raw: dict, *, machine: dict, quick: bool, passes: int, memory: list[dict], suite_version: str) -> dict:
    """The ``initcheck.bench/1`` document."""
    cases = collect(raw)
    roofline = _roofline(cases)
    results = _results(cases)
    results.sort(key=lambda r: (r["dtype"] != "float32", r["numel"], r["initializer"], r["impl"]))
    return {
        "schema": SCHEMA,
        "suite_version": suite_version,
        "quick": quick,
        "passes": passes,
        "machine": machine,
        "roofline": roofline,
        "results": results,
        "scaling": _scaling(results),
        "memory": memory,
        "targets": _targets(results, cases, memory, machine["device"]),
    }
