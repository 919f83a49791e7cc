"""Resolving the user's ``--model`` / ``--input`` factories (``MODULE:FACTORY``), as the target loader
resolves ``module:object`` targets."""

from __future__ import annotations


def load_callable(text: str, option: str):
    """The object named by ``MODULE:NAME`` (a dotted module or a path/to/file.py), which must be callable;
    ValueError naming ``option`` and the rule otherwise."""
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
    return obj
