"""The shared libraries' imports, without what a verifier's processes never use.

The verifier's parent and its fork server each import torch, SciPy and Hypothesis before any check runs;
that start is most of a quick run. Two parts of it do nothing for the checks:

- SciPy (1.15 and later) decorates several hundred functions with ``xp_capabilities``, which parses each
  docstring with numpydoc's ``FunctionDoc`` at import time, to append a table of the array libraries the
  function was tested with (``scipy/_lib/_array_api.py``). That is about a third of importing
  ``scipy.stats`` here (0.25-0.3 s of 0.8 s). :func:`import_scipy_stats` imports it with the parse
  skipped: each docstring is kept as written, without the table; no function changes.
- Hypothesis runs the ``hypothesis`` entry points of every installed package at import, to register
  strategies for their types (``hypothesis/entry_points.py``, which the ``HYPOTHESIS_NO_PLUGINS``
  variable turns off). trio's, which selenium brings, takes 0.15 s. The suite draws from its own
  strategies only, so :func:`prepare` sets the variable unless the environment sets it.

Both change nothing that a verdict depends on. If SciPy's internals differ from what is expected here, or
the import fails with the parse skipped, SciPy is imported as it comes.
"""

from __future__ import annotations

import os
import sys


class _DocstringKept(dict):
    """A stand-in for numpydoc's ``FunctionDoc`` in ``xp_capabilities``: any section is an empty list
    (the decorator appends its table to ``Notes``, which is dropped), and the text is the function's own
    docstring after a first line (the decorator strips what it takes for the signature)."""

    def __init__(self, function):
        super().__init__()
        self.text = getattr(function, "__doc__", None) or ""

    def __missing__(self, section):
        return []

    def __str__(self) -> str:
        return "\n" + self.text


def import_scipy_stats() -> None:
    """Import ``scipy.stats`` without the docstring tables of ``xp_capabilities`` (see the module's
    docstring); a no-op once it is imported."""
    if "scipy.stats" in sys.modules:
        return
    try:
        from scipy._lib import _array_api as array_api

        original = array_api.FunctionDoc
    except (ImportError, AttributeError):  # another SciPy: as it comes
        import scipy.stats

        return
    array_api.FunctionDoc = _DocstringKept
    try:
        import scipy.stats
    except Exception:  # the stand-in does not suit this SciPy: as it comes (failed modules were unloaded)
        array_api.FunctionDoc = original
        import scipy.stats  # noqa: F401
    finally:
        array_api.FunctionDoc = original


def prepare() -> None:
    """Before a verifier's process imports the engine: Hypothesis without entry-point plugins, and
    ``scipy.stats`` imported without its docstring tables."""
    os.environ.setdefault("HYPOTHESIS_NO_PLUGINS", "1")
    import_scipy_stats()
