"""The heap the imports leave: frozen, so that the garbage collector stops walking it.

Importing torch, scipy, statsmodels and hypothesis leaves about a million objects tracked by CPython's
cyclic garbage collector. Every full collection walks all of them: the automatic ones, the explicit
``gc.collect()`` that Hypothesis (registering its random) and statsmodels (``multipletests``) make, and the
last one at interpreter exit (about 0.8 s of a run's end with torch imported). ``gc.freeze()`` (Python's
``gc`` documentation) moves every object alive now into a permanent generation that collections ignore.
Objects created later are collected as before; frozen ones are never freed, which costs nothing for
modules that live until the process ends. Nothing about values or verdicts changes.
"""

from __future__ import annotations

import gc


def freeze() -> None:
    """Move every object alive now out of the garbage collector's reach (``gc.freeze``)."""
    gc.freeze()
