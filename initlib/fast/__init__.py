"""initlib.fast: initlib's initializers with random values drawn on the CPU several times faster than torch.

Every name of ``initlib`` with the same signature, defaults, checks and law (the functions are initlib's
own code, drawing through other samplers: :mod:`initlib.fast.api`). The random values come from a
counter-based stream (:mod:`initlib.fast.stream`): one 64-bit draw from the caller's ``torch.Generator``
(or the global one) seeds it and advances that generator; blocks of values are filled on up to
``torch.get_num_threads()`` threads, with the same values for any thread count. float32, float64 (53
random bits per uniform), float16 and bfloat16 (computed in float32, rounded once). Tensors on other
devices are filled as initlib fills them. The values differ from initlib's and torch's (another stream);
the laws are the same, which ``python -m suite verify --target initlib.fast`` checks.

Needs numba: ``pip install 'initcheck[fast]'``.
"""

from __future__ import annotations

from . import _jit  # first: without numba, the one-line ImportError saying how to install it
from .api import functions
from .kernels import KERNELS

globals().update(functions(KERNELS))

from initlib import EXTRAS, TORCH_COMPATIBLE, __all__, __version__  # noqa: E402 (after the names above)
