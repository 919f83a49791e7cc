"""pytest-benchmark benchmarks of every initializer (initlib, torch.nn.init, JAX) and of the roofline.

One test function, parametrised with the plan's (pass, case) pairs in run order (see
:mod:`suite.bench.plan`). Each case times ``rounds`` rounds of ``iterations`` calls on a preallocated
tensor whose pages are already mapped, with pytest-benchmark's ``pedantic`` mode and the synchronising
timer of :mod:`suite.bench.timing`; the first pass warms every case up and estimates its time, which
sets its rounds and iterations. Run it with ``python -m suite bench`` (or ``pytest THIS_FILE
--benchmark-json=PATH --benchmark-timer=suite.bench.timing.synchronized_timer`` for the quick CPU plan).
"""

from __future__ import annotations

import time

import pytest
import torch

from suite.bench.impls import INITIALIZERS, bytes_of, jax_call, reference_call, torch_call
from suite.bench.plan import FULL_ROUNDS_TIME, Case, Plan, build_plan
from suite.bench.timing import time_call

#: Where ``python -m suite bench`` leaves its plan for this module, and its deadline (``time.monotonic()``,
#: from ``--time-limit``): cases due after it are not run, and :data:`STOPPED` counts them.
PLAN_KEY = pytest.StashKey[Plan]()
DEADLINE_KEY = pytest.StashKey[float]()
STOPPED: list[tuple[int, str]] = []
#: The counterparts that could not be timed in this process (no such function, or it raised on the
#: case's dtype or device, e.g. torch's orthogonal_ on bfloat16), one entry per case.
SKIPPED: list[dict] = []
#: Seconds of calls per round (the rounds per case and pass: ``Plan.rounds_time``).
ROUND_TIME = 1e-3
#: The roofline (fill_, copy_: milliseconds at 4096 x 4096) keeps the full run's rounds in every run: it is
#: the denominator of every fill_ fraction, and a single round of it swings with a busy machine.
REFERENCE_ROUNDS_TIME = FULL_ROUNDS_TIME
MAX_ROUNDS, MAX_ITERATIONS = 7, 1000


def _plan(config) -> Plan:
    return config.stash.get(PLAN_KEY, None) or build_plan(quick=True)


def pytest_generate_tests(metafunc):
    if "bench_item" in metafunc.fixturenames:
        items = _plan(metafunc.config).all_cases()
        metafunc.parametrize("bench_item", items, ids=[f"p{index}-{case.key}" for index, case in items])


class Bench:
    """Tensors, targets and time estimates shared by the cases of a run."""

    def __init__(self, device: str, rounds_time: float):
        self.rounds_time = rounds_time
        self.generator = torch.Generator(device=device).manual_seed(0)
        self.tensors: dict[tuple, torch.Tensor] = {}
        self.targets: dict[str, object] = {}
        self.estimates: dict[str, float] = {}
        self.unsupported: dict[str, str] = {}

    def tensor(self, case: Case, slot: int = 0) -> torch.Tensor:
        """A tensor of the case's device, dtype and shape, its pages touched; only the current
        (device, dtype, numel)'s tensors are kept, so memory stays at two tensors."""
        key = (case.device, case.dtype, case.shape, slot)
        if key not in self.tensors:
            current = (case.device, case.dtype, case.numel)
            self.tensors = {k: t for k, t in self.tensors.items() if (k[0], k[1], t.numel()) == current}
            dtype = getattr(torch, case.dtype)
            self.tensors[key] = torch.empty(case.shape, dtype=dtype, device=case.device).fill_(1.0)
        return self.tensors[key]

    def target(self, case: Case):
        if case.impl == "jax":
            if case.key not in self.targets:
                self.targets[case.key] = jax_call(case.initializer, case.shape, case.dtype, case.device)
            return self.targets[case.key]  # None: JAX has no counterpart (the case is skipped)
        if case.impl == "reference":
            return reference_call(case.initializer, self.tensor(case), self.tensor(case, slot=1))
        return torch_call(case.initializer, case.impl, self.tensor(case), self.generator)

    def schedule(self, case: Case, target) -> tuple[int, int, int]:
        """(rounds, iterations, warm-up rounds): about ``rounds_time`` of timed rounds, each at least
        ``ROUND_TIME`` long; the first time a case runs, one call warms it up and one estimates it."""
        warmup = 0
        if case.key not in self.estimates:
            first = time_call(target)
            self.estimates[case.key] = time_call(target) if first < 0.1 else first
        elif self.estimates[case.key] < 0.02:
            warmup = 1
        estimate = max(self.estimates[case.key], 1e-9)
        iterations = int(min(MAX_ITERATIONS, max(1, ROUND_TIME // estimate)))
        budget = REFERENCE_ROUNDS_TIME if case.impl == "reference" else self.rounds_time
        rounds = int(min(MAX_ROUNDS, max(1, budget // (estimate * iterations))))
        return rounds, iterations, warmup


@pytest.fixture(scope="session")
def bench(request) -> Bench:
    plan = _plan(request.config)
    return Bench(plan.device, plan.rounds_time)


def test_call(benchmark, bench, bench_item, request):
    pass_index, case = bench_item
    deadline = request.config.stash.get(DEADLINE_KEY, None)
    if deadline is not None and time.monotonic() > deadline:
        STOPPED.append((pass_index, case.key))
        pytest.skip("the time limit (--time-limit) ran out before this case")
    reason = bench.unsupported.get(case.key)
    target = None if reason else bench.target(case)
    if target is None and reason is None:
        reason = f"{case.impl} has no counterpart of {case.initializer} for {case.dtype} on {case.device}"
    if target is not None:
        try:
            rounds, iterations, warmup = bench.schedule(case, target)
        except Exception as error:
            if case.impl == "initlib" or case.impl == "reference":
                raise
            reason = f"{case.impl}'s {case.initializer} raised {type(error).__name__}: {error}"
    if reason:
        if case.key not in bench.unsupported:
            bench.unsupported[case.key] = reason
            SKIPPED.append(
                {
                    "initializer": case.initializer,
                    "impl": case.impl,
                    "device": case.device,
                    "dtype": case.dtype,
                    "shape": list(case.shape),
                    "reason": reason,
                }
            )
        pytest.skip(reason)
    benchmark.group = case.key
    benchmark.extra_info.update(
        initializer=case.initializer,
        impl=case.impl,
        device=case.device,
        dtype=case.dtype,
        shape=list(case.shape),
        numel=case.numel,
        bytes=bytes_of(case.shape, case.dtype),
        pass_index=pass_index,
        kwargs=INITIALIZERS[case.initializer].kwargs if case.initializer in INITIALIZERS else {},
    )
    benchmark.pedantic(target, rounds=rounds, iterations=iterations, warmup_rounds=warmup)
