"""A target whose ``uniform_`` is correct but warns at every call, as ``torch.nn.init.trunc_normal_`` does for
a mean far from its interval: a run shows the warning once, as one process would, however many workers
call the function."""

import warnings

import initlib

MESSAGE = "warning_target.uniform_ was called"


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    """Correct; warns."""
    warnings.warn(MESSAGE, UserWarning, stacklevel=1)
    return initlib.uniform_(tensor, a, b, generator=generator)
