"""The heap the imports leave: built without collections, then frozen, so that the garbage collector
stops walking it.

Importing torch, scipy, statsmodels and hypothesis leaves about a million objects tracked by CPython's
cyclic garbage collector. Every full collection walks all of them: the automatic ones the imports
themselves trigger (a fifth of the import time: 2.5-2.9 s against 2.9-3.4 s for the engine's imports
here), the explicit ``gc.collect()`` that Hypothesis (registering its random) and statsmodels
(``multipletests``) make, and the last one at interpreter exit (about 0.8 s of a run's end with torch
imported). So, as Python's ``gc`` documentation advises for a process that forks workers: collection is
paused while a process imports (:func:`pause`, :func:`importing`), and then ``gc.freeze()`` moves every
object alive into a permanent generation that collections ignore, and collection resumes
(:func:`freeze`). Objects created later are collected as before; frozen ones are never freed, which costs
nothing for modules that live until the process ends. Nothing about values or verdicts changes.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


def pause() -> None:
    """No automatic collections from now until :func:`freeze` (``gc.disable``)."""
    gc.disable()


def freeze() -> None:
    """Move every object alive now out of the garbage collector's reach (``gc.freeze``), and collect
    automatically again (``gc.enable``) from here on."""
    gc.freeze()
    gc.enable()


@contextlib.contextmanager
def importing() -> Iterator[None]:
    """A block that imports: no automatic collections in it (:func:`pause`), and what it leaves frozen
    after it (:func:`freeze`), however it ends."""
    pause()
    try:
        yield
    finally:
        freeze()
