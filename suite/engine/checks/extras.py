"""Checks of the non-initializer functions: ``calculate_gain``'s table and initlib's ``compute_fans``."""

from __future__ import annotations

import math

from suite.engine.invoke import UnitTimedOut, time_limit
from suite.engine.verdict import Verdict
from suite.spec import oracle
from suite.spec.claims import FAN_CASES, GAIN_BAD_CASES, GAIN_CASES

TIME_LIMIT = 10.0


def _verdict(target, name, check, case, call, claim, passed, seed, **fields) -> Verdict:
    return Verdict(
        target=target,
        initializer=name,
        check=check,
        case=case,
        call=call,
        claim=claim,
        passed=bool(passed),
        seed=seed,
        **fields,
    )


def _call(fn, *args):
    try:
        with time_limit(TIME_LIMIT):
            return fn(*args), None
    except BaseException as error:  # includes the time limit; the verdict reports it
        if isinstance(error, (KeyboardInterrupt, UnitTimedOut)):
            raise
        return None, error


def gain_table(target: str, fn, seed: int) -> list[Verdict]:
    """calculate_gain equals the documented table to 1e-12 (relative), and rejects bad input."""
    verdicts = []
    for index, (nonlinearity, param) in enumerate(GAIN_CASES):
        expected = oracle.gain(nonlinearity, param)
        got, error = _call(fn, nonlinearity, param)
        ok = error is None and isinstance(got, (int, float)) and math.isclose(got, expected, rel_tol=1e-12)
        verdicts.append(
            _verdict(
                target,
                "calculate_gain",
                "gain.table",
                index,
                f"calculate_gain({nonlinearity!r}, {param!r})",
                f"the documented gain for {nonlinearity}",
                ok,
                seed,
                claimed=expected,
                measured=repr(got) if error is None else f"{type(error).__name__}: {error}",
            )
        )
    for index, (what, args) in enumerate(GAIN_BAD_CASES):
        _, error = _call(fn, *args)
        ok = isinstance(error, (ValueError, TypeError))
        verdicts.append(
            _verdict(
                target,
                "calculate_gain",
                f"api.error({what})",
                index,
                f"calculate_gain{args!r}",
                f"{what}: raises ValueError or TypeError",
                ok,
                seed,
                measured="no error" if error is None else f"{type(error).__name__}: {error}",
            )
        )
    return verdicts


def fan_table(target: str, fn, seed: int) -> list[Verdict]:
    """compute_fans(shape, layout) equals the layouts' definitions (torch (out, in, *k); JAX (*k, in, out))."""
    verdicts = []
    for index, (shape, layout) in enumerate(FAN_CASES):
        expected = oracle.fans(shape, layout)
        got, error = _call(fn, shape, layout)
        ok = error is None and isinstance(got, (tuple, list)) and tuple(got) == expected
        verdicts.append(
            _verdict(
                target,
                "compute_fans",
                "fans.table",
                index,
                f"compute_fans({shape}, {layout!r})",
                f"(fan_in, fan_out) in the {layout} layout",
                ok,
                seed,
                claimed=str(expected),
                measured=str(got) if error is None else f"{type(error).__name__}: {error}",
            )
        )
    _, error = _call(fn, (5,), "torch")
    verdicts.append(
        _verdict(
            target,
            "compute_fans",
            "api.error(a 1-D shape has no fans)",
            0,
            "compute_fans((5,), 'torch')",
            "a 1-D shape has no fans: raises ValueError or TypeError",
            isinstance(error, (ValueError, TypeError)),
            seed,
            measured="no error" if error is None else f"{type(error).__name__}: {error}",
        )
    )
    return verdicts


EXTRAS = {"calculate_gain": gain_table, "compute_fans": fan_table}
