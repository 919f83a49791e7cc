"""API checks: in place, returns its argument, keeps dtype and shape, honours ``generator=``, leaves
the global RNG alone, gives fresh values at every call (the generator's state advances), is a no-op on
zero-element tensors, and rejects documented bad input with ValueError or TypeError."""

from __future__ import annotations

import warnings

import torch

from suite.engine.checks.context import CheckCase
from suite.engine.invoke import CallFailed, derive_seed, fresh_tensor, generator, invoke, takes_generator
from suite.engine.verdict import Verdict
from suite.spec.claims import BadCall
from suite.spec.strategies import Call

ACCEPTED_ERRORS = (ValueError, TypeError)


def check(case: CheckCase, fn) -> list[Verdict]:
    c, seconds = case.call, case.plan.budget.time_limit
    random = case.spec.random
    seed = derive_seed(case.seed, "api") if random else None
    tensor = fresh_tensor(c)
    pointer = tensor.data_ptr()
    verdicts: list[Verdict] = []
    try:
        returned = invoke(fn, tensor, c.args, seed, seconds)
    except CallFailed as failure:
        return [case.exact("api.call", False, "a valid call completes", reason=str(failure))]
    verdicts.append(
        case.exact(
            "api.returns_argument",
            returned is tensor,
            "returns the tensor it was given",
            measured=type(returned).__name__ if returned is not tensor else "its argument",
            reason="" if returned is tensor else "returned a different object (a new tensor instead of the argument?)",
        )
    )
    unfilled = int(torch.isnan(tensor).sum()) if tensor.is_floating_point() else 0
    verdicts.append(
        case.exact(
            "api.in_place",
            tensor.data_ptr() == pointer and unfilled == 0,
            "fills its argument in place",
            measured=f"{unfilled} of {tensor.numel()} elements left unfilled",
        )
    )
    kept = tensor.dtype == getattr(torch, c.dtype) and tuple(tensor.shape) == c.shape
    if isinstance(returned, torch.Tensor):
        kept = kept and returned.dtype == tensor.dtype and returned.shape == tensor.shape
    verdicts.append(
        case.exact(
            "api.keeps_dtype_shape",
            kept,
            f"dtype {c.dtype} and shape {c.shape} kept",
            measured=f"argument {str(tensor.dtype)[6:]} {tuple(tensor.shape)}"
            + (
                f"; returned {str(returned.dtype)[6:]} {tuple(returned.shape)}"
                if isinstance(returned, torch.Tensor)
                else ""
            ),
        )
    )
    if random:
        verdicts += _generator_checks(case, fn, seconds)
        verdicts += _successive_calls(case, fn, seconds)
    verdicts.append(_zero_element(case, fn, seconds))
    return verdicts


def _generator_checks(case: CheckCase, fn, seconds: float) -> list[Verdict]:
    c = case.call
    seed = derive_seed(case.seed, "generator")
    try:
        first, second, other = (fresh_tensor(c) for _ in range(3))
        before = torch.get_rng_state()
        invoke(fn, first, c.args, seed, seconds)
        after = torch.get_rng_state()
        invoke(fn, second, c.args, seed, seconds)
        invoke(fn, other, c.args, seed + 1, seconds)
    except CallFailed as failure:
        return [
            case.exact("api.generator", False, "the same generator state gives the same tensor", reason=str(failure))
        ]
    same = torch.equal(first, second) or (torch.isnan(first).all() and torch.isnan(second).all())
    different = not torch.equal(first, other)
    if not takes_generator(fn):  # drawn under a global seed per call: a convention, not a failure of its law
        return [
            case.exact(
                "api.generator",
                same and different,
                "generator= not supported: the suite seeds the global RNG per call (torch.manual_seed in "
                "torch.random.fork_rng, restored afterwards); the same global seed gives the same tensor, "
                "another seed another tensor",
                measured=f"generator= not supported; same global seed {'identical' if same else 'DIFFERENT'}, "
                f"other seed {'different' if different else 'IDENTICAL'}",
            )
        ]
    return [
        case.exact(
            "api.generator",
            same and different,
            "the same generator state gives the same tensor; another seed another tensor",
            measured=f"same seed {'identical' if same else 'DIFFERENT'}, "
            f"other seed {'different' if different else 'IDENTICAL'}",
        ),
        case.exact(
            "api.global_rng",
            torch.equal(before, after),
            "a call with generator= leaves the global RNG alone",
            measured="untouched" if torch.equal(before, after) else "the global RNG state changed",
        ),
    ]


#: Below this many elements two independent draws may coincide (a 1 x 1 orthogonal matrix is +-gain).
FRESH_MIN_NUMEL = 16


def _successive_calls(case: CheckCase, fn, seconds: float) -> list[Verdict]:
    """Two successive calls with ONE generator object: its state advances at each call and the second
    tensor differs from the first (an initializer that re-seeds a private generator from
    ``generator.initial_seed()``, or draws from a copy of its state, returns the same tensor every time:
    every layer of a model with one shape gets the same weights). The same without ``generator=``: two
    successive calls from the global RNG differ (no re-seeding from ``torch.initial_seed()``); run
    under ``torch.random.fork_rng`` from a seeded state, so the run's global RNG is left alone."""
    c = case.call
    with_generator = takes_generator(fn)  # a function without generator= gets the global-RNG half only
    shared = generator(derive_seed(case.seed, "successive"))
    states, tensors = [shared.get_state()], []
    try:
        for _ in range(2 if with_generator else 0):
            tensors.append(fresh_tensor(c))
            invoke(fn, tensors[-1], {**c.args, "generator": shared}, None, seconds)
            states.append(shared.get_state())
        global_tensors = []
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(derive_seed(case.seed, "successive-global"))
            for _ in range(2):
                global_tensors.append(fresh_tensor(c))
                invoke(fn, global_tensors[-1], c.args, None, seconds)
    except CallFailed as failure:
        return [case.exact("api.successive_calls", False, "successive calls complete", reason=str(failure))]
    judged = c.numel >= FRESH_MIN_NUMEL
    fresh_global = not judged or not torch.equal(global_tensors[0], global_tensors[1])
    verdicts = [
        case.exact(
            "api.successive_calls_global",
            fresh_global,
            "successive calls without generator= give fresh tensors (the global RNG is not re-seeded)",
            measured=f"second tensor {'different' if fresh_global else 'IDENTICAL to the first'}",
        ),
    ]
    if not with_generator:
        return verdicts
    advanced = not torch.equal(states[0], states[1]) and not torch.equal(states[1], states[2])
    fresh = not judged or not torch.equal(tensors[0], tensors[1])
    return [
        case.exact(
            "api.successive_calls",
            advanced and fresh,
            "successive calls with one generator advance its state and give fresh tensors",
            measured=f"state {'advanced' if advanced else 'NOT advanced'} at each call; second tensor "
            f"{'different' if fresh else 'IDENTICAL to the first'}",
        ),
        *verdicts,
    ]


def _zero_element(case: CheckCase, fn, seconds: float) -> Verdict:
    c = case.call
    shape = (*c.shape[:-1], 0)
    empty = torch.empty(shape, dtype=getattr(torch, c.dtype))
    zero_call = Call(c.name, shape, c.dtype, c.kwargs)
    seed = derive_seed(case.seed, "empty") if case.spec.random else None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            returned = invoke(fn, empty, c.args, seed, seconds)
    except CallFailed as failure:
        return case.exact(
            "api.zero_element",
            False,
            "a zero-element tensor is a no-op",
            reason=str(failure),
            call=zero_call.describe(),
        )
    return case.exact(
        "api.zero_element",
        returned is empty,
        "a zero-element tensor is a no-op (returns it)",
        call=zero_call.describe(),
        measured="returned its argument" if returned is empty else "returned another object",
    )


def errors(case: CheckCase, fn, bad_calls: tuple[BadCall, ...]) -> list[Verdict]:
    """Each documented bad input raises ValueError or TypeError (within the time limit)."""
    verdicts = []
    for bad in bad_calls:
        c = Call(case.spec.name, bad.shape, bad.dtype, tuple(sorted(bad.kwargs.items())))
        args = dict(bad.kwargs)
        tensor = torch.zeros(bad.shape, dtype=getattr(torch, bad.dtype))
        seed = derive_seed(case.seed, "error") if case.spec.random else None
        raised = _raised(fn, tensor, args, seed, case.plan.budget.time_limit)
        verdicts.append(
            case.exact(
                f"api.error({bad.what})",
                raised is not None and issubclass(raised[0], ACCEPTED_ERRORS),
                f"{bad.what}: raises ValueError or TypeError",
                call=c.describe(),
                measured="no error" if raised is None else f"{raised[0].__name__}: {raised[1]}",
            )
        )
    return verdicts


def _raised(fn, tensor, args, seed, seconds):
    """(type, message) of what the call raised, or None. A call past the time limit counts as a hang."""
    try:
        invoke(fn, tensor, args, seed, seconds)
    except CallFailed as failure:
        if failure.error is None:
            return TimeoutError, str(failure)
        return type(failure.error), str(failure.error)
    return None
