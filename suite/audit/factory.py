"""Resolving the user's ``--model`` / ``--input`` factories (``MODULE:FACTORY``), as the target loader
resolves ``module:object`` targets; each call of a factory runs under a time limit."""

from __future__ import annotations

import functools

#: Seconds one call of a factory may take (building a model, making its input). A factory that runs
#: past it raises :class:`FactoryTimeLimit`, which the audit reports as it reports any factory that
#: raises, so a stuck factory cannot stall the audit.
TIME_LIMIT = 300.0


class FactoryTimeLimit(Exception):
    """A factory call ran past its time limit."""


def load_callable(text: str, option: str, time_limit: float = TIME_LIMIT):
    """The object named by ``MODULE:NAME`` (a dotted module or a path/to/file.py), which must be callable,
    wrapped so that each call runs under ``time_limit`` seconds (:func:`time_limited`); ValueError naming
    ``option`` and the rule otherwise."""
    from suite.engine.targets import UsageError, load

    module_part, sep, attribute = text.partition(":")
    if not sep or not attribute:
        raise ValueError(f"{option}: expected MODULE:FACTORY (e.g. examples/models/tiny_gpt.py:build), got {text!r}")
    try:
        obj = load(text).obj
    except UsageError as error:
        raise ValueError(str(error).replace("--target:", f"{option}:")) from None
    if not callable(obj):
        raise ValueError(f"{option}: {attribute!r} in {module_part!r} is not callable")
    import torch

    if isinstance(obj, torch.nn.Module):  # a built model, audited as it is (calling it runs its forward)
        return obj
    return time_limited(obj, option, time_limit)


def time_limited(factory, option: str, seconds: float = TIME_LIMIT):
    """``factory`` with each call interrupted after ``seconds`` (:func:`suite.engine.invoke.time_limit`:
    SIGALRM, so the main thread only, and code stuck inside one C call is interrupted when it returns),
    raising :class:`FactoryTimeLimit` naming the limit. Name, docstring and signature are the factory's
    (``functools.wraps``: the audit reads ``width=`` from the signature)."""
    from suite.engine import invoke

    @functools.wraps(factory)
    def call(*args, **kwargs):
        try:
            with invoke.time_limit(seconds):
                return factory(*args, **kwargs)
        except invoke.TimedOut:
            raise FactoryTimeLimit(
                f"did not return within {seconds:g} s (the time limit of a {option} factory call, "
                "suite.audit.factory.TIME_LIMIT)"
            ) from None

    return call
