"""The bench command: its plan, the conversion of raw timings to initcheck.bench/1 (on synthetic
timings with known answers), usage errors, and one tiny real run (a few seconds)."""

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

import initlib
from suite.bench import results
from suite.bench.impls import INITIALIZERS
from suite.bench.plan import MAIN_SHAPE, QUICK_TABLE_SKIPS, build_plan

ROOT = Path(__file__).resolve().parents[2]


def bench(*args, timeout=300):
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    return subprocess.run(
        [sys.executable, "-m", "suite", "bench", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_initializers_cover_initlib():
    assert set(INITIALIZERS) == set(initlib.TORCH_COMPATIBLE + initlib.EXTRAS) - {
        "calculate_gain",
        "compute_fans",
    }


def test_quick_plan_times_every_torch_initializer_against_torch_on_the_main_shape():
    plan = build_plan(quick=True)
    cases = plan.cases(0)
    main = {(c.initializer, c.impl) for c in cases if c.dtype == "float32" and c.numel == math.prod(MAIN_SHAPE)}
    everywhere = {(c.initializer, c.impl) for c in cases}
    for name, spec in INITIALIZERS.items():
        if spec.in_torch:
            # the quick table leaves out the 4096 x 4096 QR (orthogonal_); the sweep times it against torch
            assert {(name, "torch"), (name, "initlib")} <= (everywhere if name in QUICK_TABLE_SKIPS else main), name
    assert {("fill_", "reference"), ("copy_", "reference")} <= main
    first, second = plan.cases(0), plan.cases(1)
    order = [c.impl for c in first if c.initializer == "normal_" and c.numel == math.prod(MAIN_SHAPE)]
    assert order[:2] == ["torch", "initlib"]  # then initlib.fast where numba is installed
    assert [c.impl for c in second if c.initializer == "normal_" and c.numel == math.prod(MAIN_SHAPE)] == order[::-1]


def test_the_quick_plan_is_the_cheap_one():
    """The report's benchmark: less time per case and pass than the full run, no JAX, the same passes."""
    from suite.bench.plan import DEFAULT_PASSES

    quick, full = build_plan(quick=True, jax=True), build_plan(quick=False, jax=True)
    assert "jax" not in quick.impls and "jax" in full.impls
    assert quick.rounds_time < full.rounds_time
    assert quick.passes == full.passes == DEFAULT_PASSES


def test_rounds_per_pass_follow_the_budget_and_the_roofline_keeps_the_full_one():
    """A 10 ms call: 0.03 s of rounds is 2 of them (quick), the roofline's 0.2 s is capped at MAX_ROUNDS."""
    from suite.bench.benchmarks import MAX_ROUNDS, Bench
    from suite.bench.plan import QUICK_ROUNDS_TIME, Case

    bench = Bench("cpu", QUICK_ROUNDS_TIME)
    ours, fill = (
        Case(name, impl, "cpu", "float32", MAIN_SHAPE)
        for name, impl in (("normal_", "initlib"), ("fill_", "reference"))
    )
    bench.estimates = {ours.key: 0.01, fill.key: 0.01}
    assert bench.schedule(ours, None) == (2, 1, 1)  # rounds, 1 call each (10 ms > 1 ms), a warm-up round
    assert bench.schedule(fill, None) == (MAX_ROUNDS, 1, 1)


def test_plan_filters():
    plan = build_plan(quick=True, only=("normal_",), max_numel=10**5)
    names = {name for _, group in plan.groups for name in group}
    assert names == {"normal_"}
    assert all(math.prod(shape) <= 10**5 for (_, shape), _ in plan.groups)


def _raw(entries):
    """pytest-benchmark's JSON layout: one benchmark per (case, pass) with its per-call times."""
    benchmarks = []
    for (name, impl, shape, dtype, pass_index), data in entries.items():
        numel = math.prod(shape)
        nbytes = numel * getattr(torch, dtype).itemsize
        info = dict(initializer=name, impl=impl, device="cpu", dtype=dtype, shape=list(shape), numel=numel)
        info.update(bytes=nbytes, pass_index=pass_index, kwargs={})
        benchmarks.append({"extra_info": info, "stats": {"data": data}})
    return {"benchmarks": benchmarks}


def test_results_medians_ratios_roofline_and_fit():
    shape = (4096, 4096)
    entries = {
        ("fill_", "reference", shape, "float32", 0): [0.004, 0.002, 0.003],
        ("copy_", "reference", shape, "float32", 0): [0.006],
        ("normal_", "torch", shape, "float32", 0): [0.10, 0.10, 0.30],
        ("normal_", "initlib", shape, "float32", 0): [0.05, 0.06, 0.04],
        ("normal_", "torch", shape, "float32", 1): [0.10],
        ("normal_", "initlib", shape, "float32", 1): [0.08],
    }
    for side in (128, 256, 512, 1024, 2048):  # t = 1e-9 n^3 exactly; 3 points from FIT_FROM_SIDE
        entries[("fill_", "reference", (side, side), "float32", 0)] = [1e-6]
        entries[("orthogonal_", "initlib", (side, side), "float32", 0)] = [1e-9 * side**3]
    doc = results.build(
        _raw(entries), machine={"device": "cpu"}, quick=True, passes=2, memory=[], suite_version="0.1.0"
    )
    assert doc["schema"] == "initcheck.bench/1"
    roof = next(r for r in doc["roofline"] if r["numel"] == 4096**2)
    assert roof["fill_s"] == 0.003 and roof["fill_gbps"] == pytest.approx(4096**2 * 4 / 0.003 / 1e9)
    ours = next(r for r in doc["results"] if r["initializer"] == "normal_" and r["impl"] == "initlib")
    assert ours["median_s"] == pytest.approx(0.055) and ours["rounds"] == 4
    assert ours["pass_ratios"] == pytest.approx([0.5, 0.8])  # 0.05 / 0.10, then 0.08 / 0.10
    assert ours["ratio_to_torch"] == pytest.approx(0.65)  # paired: their median, not 0.055 / 0.10
    assert ours["fill_fraction"] == pytest.approx(0.003 / 0.05)  # paired: pass 0 alone timed fill_
    assert ours["fill_pass_fractions"] == pytest.approx([0.003 / 0.05])
    sweep = next(s for s in doc["scaling"] if s["initializer"] == "orthogonal_")
    assert sweep["x"] == "side" and sweep["fit"]["exponent"] == pytest.approx(3.0)
    assert sweep["fit"]["c"] == pytest.approx(1e-9) and sweep["fit"]["points"] == 3
    target = next(t for t in doc["targets"] if t["initializer"] == "normal_")
    assert target["met"] is True and target["value"] == pytest.approx(0.65)


def test_trunc_normal_targets_pair_the_passes():
    """A disturbance in one pass slows both sides of that pass's ratio and must not move the result."""
    shape, entries = (4096, 4096), {}
    for p, slow in enumerate((1.0, 3.0, 1.0)):  # pass 1 runs three times slower for everyone
        entries[("trunc_normal_", "torch", shape, "float32", p)] = [1.0 * slow]
        entries[("trunc_normal_", "initlib", shape, "float32", p)] = [0.08 * slow]
        entries[("normal_", "torch", shape, "float32", p)] = [0.066 * slow]
        entries[("normal_", "initlib", shape, "float32", p)] = [0.066 * slow]
    entries[("trunc_normal_", "initlib", shape, "float32", 1)] = [0.5]  # pooled medians would see 0.08 vs 1.0
    entries[("fill_", "reference", shape, "float32", 0)] = [0.004]
    doc = results.build(_raw(entries), machine={"device": "cpu"}, quick=True, passes=3, memory=[], suite_version="0")
    targets = {t["target"]: t for t in doc["targets"] if t["initializer"] == "trunc_normal_"}
    assert targets["speed-up over torch"]["value"] == pytest.approx(12.5)  # median of 12.5, 6, 12.5
    assert targets["time / initlib normal_'s time"]["value"] == pytest.approx(0.08 / 0.066)


def test_a_target_missed_within_the_spread_of_the_passes_is_within_noise():
    """Identical code timed on a noisy machine: the median lands above 1.05, but some passes meet it."""
    shape, entries = (4096, 4096), {}
    for p, (ours, theirs) in enumerate([(1.10, 1.0), (0.95, 1.0), (1.08, 1.0), (1.2, 1.0), (1.0, 1.0)]):
        entries[("zeros_", "torch", shape, "float32", p)] = [theirs]
        entries[("zeros_", "initlib", shape, "float32", p)] = [ours]
        entries[("ones_", "torch", shape, "float32", p)] = [1.0]
        entries[("ones_", "initlib", shape, "float32", p)] = [1.1 + p / 100]  # every pass slower
    entries[("fill_", "reference", shape, "float32", 0)] = [0.004]
    doc = results.build(_raw(entries), machine={"device": "cpu"}, quick=True, passes=5, memory=[], suite_version="0")
    zeros, ones = (next(t for t in doc["targets"] if t["initializer"] == name) for name in ("zeros_", "ones_"))
    assert zeros["value"] == pytest.approx(1.08) and zeros["met"] is False
    assert zeros["interval"] == pytest.approx([0.95, 1.2]) and zeros["interval_coverage"] == pytest.approx(0.9375)
    assert zeros["verdict"] == "within noise"
    assert ones["met"] is False and ones["verdict"] == "missed"


def test_no_exponent_through_fewer_than_three_points():
    """Two points fit any power law exactly: the sweep to 1024 has two sides from FIT_FROM_SIDE (512)."""
    assert results.MIN_FIT_POINTS == 3
    assert results.fit_power_law([(512, 1.0), (1024, 8.0)]) is None
    fit = results.fit_power_law([(512, 1.0), (1024, 8.0), (2048, 64.0)])
    assert fit["exponent"] == pytest.approx(3.0) and fit["points"] == 3


def test_fill_fraction_pairs_the_passes():
    """fill_'s time over the case's, pass by pass: a pass slowed for both leaves the fraction alone."""
    shape, entries = (4096, 4096), {}
    for p, slow in enumerate((1.0, 4.0, 1.0)):
        entries[("fill_", "reference", shape, "float32", p)] = [0.01 * slow]
        entries[("normal_", "initlib", shape, "float32", p)] = [0.1 * slow]
    doc = results.build(_raw(entries), machine={"device": "cpu"}, quick=True, passes=3, memory=[], suite_version="0")
    (row,) = doc["results"]
    assert row["fill_pass_fractions"] == pytest.approx([0.1, 0.1, 0.1]) and row["fill_fraction"] == pytest.approx(0.1)


@pytest.mark.parametrize("k, j_th, coverage", [(3, 1, 0.75), (5, 1, 0.9375), (7, 1, 1 - 2 / 128), (9, 2, 1 - 20 / 512)])
def test_median_interval_order_statistics(k, j_th, coverage):
    """Coverage 1 - 2 P(Binomial(k, 1/2) < j), computed here by counting subsets."""
    assert coverage == pytest.approx(1 - 2 * sum(math.comb(k, i) for i in range(j_th)) / 2**k)
    low, high, got = results.median_interval(list(range(k, 0, -1)))
    assert (low, high) == (j_th, k + 1 - j_th) and got == pytest.approx(coverage)


@pytest.mark.parametrize(
    "args, argument",
    [
        (["--only", "nonsense_"], "--only"),
        (["--passes", "0"], "--passes"),
        (["--threads", "0"], "--threads"),
        (["--device", "tpu"], "--device"),
        (["--time-limit", "0"], "--time-limit"),
        (["--raw", str(ROOT)], "--raw"),
        pytest.param(
            ["--device", "cuda"],
            "--device",
            marks=pytest.mark.skipif(torch.cuda.is_available(), reason="a GPU is available"),
        ),
    ],
)
def test_usage_errors_name_the_argument_and_exit_2(args, argument):
    done = bench(*args)
    assert done.returncode == 2
    assert f"error: {argument}:" in done.stderr


def test_tiny_run_writes_the_json(tmp_path):
    out = tmp_path / "sub" / "bench.json"
    done = bench(
        "--quick",
        "--passes",
        "1",
        "--max-numel",
        "20000",
        "--only",
        "normal_,trunc_normal_,orthogonal_",
        "--threads",
        "1",
        "--json",
        str(out),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    doc = json.loads(out.read_text())
    assert doc["schema"] == "initcheck.bench/1" and doc["machine"]["device"] == "cpu"
    assert doc["machine"]["threads"] == 1
    assert doc["machine"]["torch"] == torch.__version__
    assert {r["initializer"] for r in doc["results"]} == {"normal_", "trunc_normal_", "orthogonal_"}
    for row in doc["results"]:
        assert row["median_s"] > 0 and row["gbps"] > 0 and row["fill_fraction"] > 0
        assert (row["ratio_to_torch"] is None) == (row["impl"] == "torch")
    assert {(r["dtype"], r["numel"]) for r in doc["roofline"]} >= {("float32", r["numel"]) for r in doc["results"]}


def test_output_paths_are_checked_before_any_work_and_no_folder_is_left_by_a_usage_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    done = bench("--raw", str(blocker / "raw.json"), "--only", "nonsense_")
    assert done.returncode == 2 and "--raw: cannot write" in done.stderr and done.stderr.count("\n") == 1
    done = bench("--raw", str(tmp_path / "new" / "raw.json"), "--only", "nonsense_")
    assert done.returncode == 2 and "--only: unknown initializer" in done.stderr
    assert not (tmp_path / "new").exists(), "a run stopped by a usage error leaves no folder behind"


@pytest.mark.slow
def test_a_run_stopped_by_its_time_limit_says_so(tmp_path):
    """Far more passes than 3 s allow: the file says what was left out, or nothing ran and the command says why."""
    out = tmp_path / "bench.json"
    done = bench("--time-limit", "3", "--passes", "100", "--only", "normal_", "--max-numel", "1100", "--json", str(out))
    if done.returncode == 1:  # a slow start (a busy machine) can use up the 3 s before the first case
        assert "ran out before the first case" in done.stderr and not out.exists()
        return
    assert done.returncode == 0, done.stderr
    stopped = json.loads(out.read_text())["stopped"]
    assert stopped["passes_planned"] == 100 and stopped["passes_complete"] < 100
    assert 0 < stopped["cases_not_run"] < stopped["cases_planned"]
    assert "STOPPED: --time-limit 3 s ran out" in done.stdout
