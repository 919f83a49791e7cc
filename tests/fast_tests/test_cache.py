"""The kernels' disk cache is keyed by every file of jitted code: editing a helper module alone (not the
kernel's own file, which is all numba's own key tracks) compiles the kernel again instead of loading it."""

import os
import pathlib
import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("numba")

import numba

import initlib.fast as fast
from initlib.fast import kernels

#: The directory initlib is imported from here, for the subprocesses (which run elsewhere).
_PROJECT = str(pathlib.Path(fast.__file__).parents[2])

KERNEL_MODULE = """
import sys

from numba import types

from initlib.fast._jit import compile_cached, source_hash
from pkg import helper


def kernel(x):
    return helper.scaled(x)


compiled = compile_cached(kernel, types.float64(types.float64), source_hash((helper, sys.modules[__name__])))
stats = compiled.stats
print(compiled(1.0), sum(stats.cache_hits.values()), sum(stats.cache_misses.values()))
"""

HELPER_MODULE = """
from initlib.fast._jit import inline

SCALE = {scale}


@inline
def scaled(x):
    return x * SCALE
"""


def _run(root) -> tuple[float, int, int]:
    """(kernel(1.0), cache hits, cache misses) in a fresh interpreter (no .pyc: the edit keeps the size)."""
    out = subprocess.run(
        [sys.executable, "-B", "-c", "import pkg.kern"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join((str(root), _PROJECT))},
    ).stdout.split()
    return float(out[0]), int(out[1]), int(out[2])


def test_editing_an_inlined_helper_recompiles_the_kernel(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "kern.py").write_text(textwrap.dedent(KERNEL_MODULE))
    (package / "helper.py").write_text(HELPER_MODULE.format(scale="2.0"))

    assert _run(tmp_path) == (2.0, 0, 1)  # compiled and stored
    assert _run(tmp_path) == (2.0, 1, 0)  # unchanged sources: loaded from the cache
    (package / "helper.py").write_text(HELPER_MODULE.format(scale="3.0"))
    assert _run(tmp_path) == (3.0, 0, 1)  # the helper edited: compiled again, not the stale 2.0
    assert _run(tmp_path) == (3.0, 1, 0)


def test_the_cache_key_covers_every_module_with_compiled_code():
    """Every module of initlib.fast defining a numba function is among the files the key hashes."""
    defining = {
        value.py_func.__module__
        for module in sys.modules.values()
        if getattr(module, "__name__", "").startswith(fast.__name__)
        for value in vars(module).values()
        if isinstance(value, numba.core.registry.CPUDispatcher)
    }
    assert defining >= {"initlib.fast.kernels", "initlib.fast.box_muller", "initlib.fast.inverse_normal"}
    assert defining <= {m.__name__ for m in kernels.JITTED}


def test_every_kernel_is_compiled_through_the_keyed_cache():
    for name in kernels.SIGNATURES:
        assert type(getattr(kernels.KERNELS, name)._cache).__name__ == "_SourceKeyedCache"
