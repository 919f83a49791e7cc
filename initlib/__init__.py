"""initlib: a small, fast reference implementation of neural-network weight initializers.

Drop-in compatible with ``torch.nn.init`` (same functions, parameter names and defaults, ``generator=``
wherever it draws, in place, returning its argument), plus LeCun, general variance scaling
(``fan_in | fan_out | fan_avg | fan_geo_avg``; ``truncated_normal | normal | uniform``; torch and
JAX/Keras kernel layouts) and delta-orthogonal convolution kernels.
"""

from importlib import metadata as _metadata

from .distributions import constant_, normal_, ones_, trunc_normal_, uniform_, zeros_
from .fans import compute_fans
from .gain import calculate_gain
from .named import (
    kaiming_normal_,
    kaiming_uniform_,
    lecun_normal_,
    lecun_uniform_,
    xavier_normal_,
    xavier_uniform_,
)
from .structured import delta_orthogonal_, dirac_, eye_, orthogonal_, sparse_
from .variance_scaling import variance_scaling_

try:  # the distribution's version (pyproject.toml is its one source)
    __version__ = _metadata.version("initcheck")
except _metadata.PackageNotFoundError:  # imported from a source tree that is not installed
    __version__ = "unknown"

#: The functions that share their names, parameters and defaults with ``torch.nn.init``.
TORCH_COMPATIBLE = (
    "calculate_gain",
    "uniform_",
    "normal_",
    "trunc_normal_",
    "constant_",
    "ones_",
    "zeros_",
    "eye_",
    "dirac_",
    "xavier_uniform_",
    "xavier_normal_",
    "kaiming_uniform_",
    "kaiming_normal_",
    "orthogonal_",
    "sparse_",
)
#: initlib's initializers beyond ``torch.nn.init``.
EXTRAS = ("lecun_uniform_", "lecun_normal_", "variance_scaling_", "delta_orthogonal_", "compute_fans")

__all__ = [*TORCH_COMPATIBLE, *EXTRAS]
