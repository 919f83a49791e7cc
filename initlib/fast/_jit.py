"""numba, the optional dependency of :mod:`initlib.fast`, the on-disk cache of its kernels, and the float32
exponent/significand split its vectorized log needs.

Importing this module without numba raises ``ImportError`` with a one-line message saying how to install it.

numba's own cache key (``numba.core.caching.Cache._index_key``) holds the signature, the CPU and the hash
of the cached function's own bytecode, and the index is dropped when that function's file changes; the
helpers a kernel inlines from other files are in neither, so editing them alone would leave stale compiled
kernels. :func:`compile_cached` adds the hash of every file of jitted code (:func:`source_hash`) to the key.
"""

from __future__ import annotations

import hashlib
import pathlib

INSTALL = "pip install 'initcheck[fast]'"

try:
    import numba
    from llvmlite import ir
    from numba import types
    from numba.core.caching import FunctionCache
    from numba.extending import intrinsic
except ImportError:
    raise ImportError(f"initlib.fast needs numba, which is not installed: {INSTALL}") from None

#: Every kernel: compiled on import (eagerly, from explicit signatures: before any call's time limit),
#: cached on disk, the GIL released so that threads run kernels side by side.
#: fastmath "contract" lets LLVM fuse a * b + c into one FMA (one rounding instead of two; 1.5x faster
#: normals here): the values are the same for any thread count, and may differ in the last bit between
#: CPUs with and without FMA.
KERNEL = {"nogil": True, "cache": True, "error_model": "numpy", "boundscheck": False, "fastmath": {"contract"}}


def inline(function):
    """A helper inlined into the kernels that call it."""
    return numba.njit(inline="always", **KERNEL)(function)


def source_hash(modules) -> str:
    """SHA-256 of the names and contents of the modules' files and this one's (its options and intrinsics
    are compiled into every kernel)."""
    digest = hashlib.sha256()
    for path in sorted({pathlib.Path(__file__), *(pathlib.Path(m.__file__) for m in modules)}):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


class _SourceKeyedCache(FunctionCache):
    """numba's function cache with ``source`` (:func:`source_hash`) added to every index key: an entry
    compiled from other sources is a miss, compiled again and stored beside it."""

    def __init__(self, py_func, source: str):
        super().__init__(py_func)
        self._source = source

    def _index_key(self, sig, codegen):
        return (*super()._index_key(sig, codegen), self._source)


def compile_cached(function, signature, source: str):
    """``function`` compiled for ``signature`` alone with :data:`KERNEL`'s options, through the disk
    cache keyed also by ``source`` (what ``numba.njit([signature], cache=True)`` does, with that key)."""
    dispatcher = numba.njit(**KERNEL)(function)
    dispatcher._cache = _SourceKeyedCache(function, source)
    dispatcher.compile(signature)
    dispatcher.disable_compile()
    return dispatcher


@intrinsic
def float32_exponent(typingctx, value):
    """The unbiased binary exponent of a positive normal float32, as a float32 (32-bit integer IR, so
    that a loop of them vectorizes 16 wide): floor(log2(value))."""
    if value != types.float32:
        return None

    def codegen(context, builder, signature, args):
        bits = builder.bitcast(args[0], ir.IntType(32))
        biased = builder.lshr(bits, ir.Constant(ir.IntType(32), 23))
        exponent = builder.sub(biased, ir.Constant(ir.IntType(32), 127))
        return builder.sitofp(exponent, ir.FloatType())

    return types.float32(types.float32), codegen


@intrinsic
def float32_significand(typingctx, value):
    """The significand of a positive normal float32, in [1, 2): value / 2^exponent."""
    if value != types.float32:
        return None

    def codegen(context, builder, signature, args):
        bits = builder.bitcast(args[0], ir.IntType(32))
        fraction = builder.and_(bits, ir.Constant(ir.IntType(32), 0x007FFFFF))
        one = builder.or_(fraction, ir.Constant(ir.IntType(32), 0x3F800000))
        return builder.bitcast(one, ir.FloatType())

    return types.float32(types.float32), codegen
