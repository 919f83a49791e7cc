"""The ways a fast counter-based sampler goes wrong, as mutants of ``initlib.fast`` (registered in
:data:`suite.selfcheck.mutants.CATALOGUE` where numba is installed).

Each mutant is ``initlib.fast`` built on a kernel set with ONE part replaced
(:func:`initlib.fast.kernels.build`): everything else, validation included, is initlib.fast's own code.
The kernels are compiled when the mutant's module is built, before any timed call.
"""

from __future__ import annotations

import importlib.util

from .mutants import CATALOGUE, Mutant

#: The mutants: (name, function verified, bug, the kernel part replaced and its replacement's factory).
SAMPLER_BUGS = (
    (
        "fast_blocks_seeded_alike",
        "uniform_",
        "every block's stream keyed alike (the block index left out of the key): blocks of 1024 repeat",
        "block_key",
        lambda stream, numba: numba.njit(inline="always")(lambda seed, block: stream.mix64(seed + stream.GAMMA)),
    ),
    (
        "fast_stream_repeats",
        "normal_",
        "the position counter wraps at 256: each block's stream repeats 4 times",
        "word",
        lambda stream, numba: numba.njit(inline="always")(
            lambda key, position: stream.word(key, position & stream.np.uint64(255))
        ),
    ),
    (
        "fast_float64_32_bits",
        "uniform_",
        "float64 uniforms from 32 random bits (x >> 32) 2^-32 instead of 53",
        "uniform53",
        lambda stream, numba: numba.njit(inline="always")(
            lambda x: stream.np.float64(x >> stream.np.uint64(32)) * stream.np.float64(2.0**-32)
        ),
    ),
    (
        "fast_normal_tails_wrong",
        "normal_",
        "the tail branch left out: Giles' central polynomial extrapolated past |z| = 2.7 (0.7% of values)",
        "outer",
        lambda stream, numba: importlib.import_module("initlib.fast.inverse_normal").central,
    ),
)


def _factory(function: str, part: str, replacement):
    def build():
        import numba

        from initlib.fast import api, kernels, stream

        return api.functions(kernels.build(**{part: replacement(stream, numba)}))[function]

    return build


if importlib.util.find_spec("numba") is not None:
    for name, function, bug, part, replacement in SAMPLER_BUGS:
        CATALOGUE.append(
            Mutant(name, function, bug, _factory(function, part, replacement), base="initlib.fast", lazy=True)
        )
