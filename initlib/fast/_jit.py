"""numba, the optional dependency of :mod:`initlib.fast`, and the float32 exponent/significand split
its vectorized log needs.

Importing this module without numba raises ``ImportError`` with a one-line message saying how to install it.
"""

from __future__ import annotations

INSTALL = "pip install 'initcheck[fast]'"

try:
    import numba
    from llvmlite import ir
    from numba import types
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
