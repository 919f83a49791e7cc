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
        "trunc_normal_",
        "the inverse CDF's tail branch left out: Giles' central polynomial extrapolated past |z| = 2.7 "
        "(intervals holding less than half the mass, drawn by inversion)",
        "outer",
        lambda stream, numba: importlib.import_module("initlib.fast.inverse_normal").central,
    ),
    (
        "fast_box_muller_log_series",
        "normal_",
        "Box-Muller's ln u by the series -(f + f^2/2 + f^3/3), f = 1 - u: right for small radii, "
        "radii too short in the tails (r = 1.8 for 2.1 at u = 0.1)",
        "normal_pair32",
        lambda stream, numba: _log_series_pair(numba),
    ),
)


def _log_series_pair(numba):
    """Box-Muller (initlib/fast/box_muller.py) with ln u replaced by three terms of its series about 1."""
    box_muller = importlib.import_module("initlib.fast.box_muller")
    f32 = box_muller.np.float32

    def pair(x):
        f = f32(1.0) - box_muller.radius_u(x)
        r = box_muller.np.sqrt(f32(2.0) * (f + f * f / f32(2.0) + f * f * f / f32(3.0)))
        cosine, sine = box_muller.cos_sin(x)
        return r * cosine, r * sine

    return numba.njit(inline="always")(pair)


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
