"""initlib's public functions, drawing through a set of :mod:`initlib.fast` kernels.

Each random initializer here IS initlib's function (the same code object: validation, formula,
signature, defaults, docstring), run with the names it draws through rebound: ``fill_uniform``,
``fill_normal``, ``fill_truncated_normal`` and ``rounded_fill_`` (:mod:`initlib.distributions`,
:mod:`initlib.variance_scaling`), ``scaled_fill_`` (:mod:`initlib.named`), ``_haar_orthogonal`` and the
value draw of ``sparse_`` (:mod:`initlib.structured`). So initlib.fast cannot drift from initlib's laws
and checks; only where the random words come from differs. The non-random functions are initlib's own.

:func:`functions` builds the whole set from a :class:`~initlib.fast.kernels.Kernels`; ``initlib.fast``
is ``functions(KERNELS)``, and the mutant catalogue builds sets on broken kernels.
"""

from __future__ import annotations

import functools
import types

import torch

import initlib
from initlib import distributions, named, structured, variance_scaling

from . import sampling
from .kernels import Kernels


def functions(kernels: Kernels) -> dict[str, object]:
    """Every name of ``initlib.__all__``: the random ones drawing through ``kernels``."""
    fills = {
        "fill_uniform": functools.partial(sampling.fill_uniform, kernels=kernels),
        "fill_normal": functools.partial(sampling.fill_normal, kernels=kernels),
        "fill_truncated_normal": functools.partial(sampling.fill_truncated_normal, kernels=kernels),
        "rounded_fill_": _whole,
    }
    scaling = _rebound(variance_scaling, **fills)
    plain = _rebound(distributions, **fills)
    fan_scaled = _rebound(named, scaled_fill_=scaling["scaled_fill_"])
    haar = functools.partial(_haar_orthogonal, fill_normal=fills["fill_normal"])
    shaped = _rebound(structured, _haar_orthogonal=haar, rounded_fill_=_normal_through(fills["fill_normal"]))
    found = {**vars(initlib), **plain, **scaling, **fan_scaled, **shaped}
    return {name: found[name] for name in initlib.__all__}


def _whole(tensor: torch.Tensor, fill) -> torch.Tensor:
    """initlib's ``rounded_fill_`` for samplers that handle every dtype themselves: one call."""
    fill(tensor)
    return tensor


def _normal_through(fill_normal):
    """``rounded_fill_`` for ``sparse_``, whose values are ``t.normal_(0.0, std, generator=g)``: the
    draw goes to ``fill_normal`` on the whole tensor instead."""

    class Redirect:
        def __init__(self, tensor):
            self.tensor = tensor

        def normal_(self, mean, std, generator=None):
            return fill_normal(self.tensor, mean, std, generator)

    def rounded_fill_(tensor, fill):
        fill(Redirect(tensor))
        return tensor

    return rounded_fill_


def _haar_orthogonal(rows, cols, gain, like, generator, fill_normal):
    """initlib's Haar orthogonal matrix (Mezzadri 2007, section 5: Q of the QR of a Gaussian matrix,
    columns times the signs of R's diagonal), its Gaussian matrix drawn by ``fill_normal``. Same steps
    as :func:`initlib.structured._haar_orthogonal`, whose draw is inline."""
    dtype = torch.float64 if like.dtype == torch.float64 else torch.float32
    tall, wide = max(rows, cols), min(rows, cols)
    gaussian = fill_normal(torch.empty(wide, tall, dtype=dtype, device=like.device), 0.0, 1.0, generator)
    reflectors, tau = torch.geqrf(gaussian.mT)
    del gaussian
    column_scale = reflectors.diagonal().sign().mul_(gain)
    q = torch.linalg.householder_product(reflectors, tau)
    del reflectors
    q.mul_(column_scale)
    return q if rows >= cols else q.mT


def _rebound(module: types.ModuleType, **replacements) -> dict[str, object]:
    """The functions defined in ``module`` that call a replaced name (directly or through another such
    function), their global names looked up in a copy of the module's namespace where ``replacements``
    hold; the module's other functions are its own objects."""
    namespace = dict(vars(module), **replacements)
    own = {
        name: value
        for name, value in vars(module).items()
        if isinstance(value, types.FunctionType) and value.__module__ == module.__name__ and name not in replacements
    }
    affected = set(replacements)
    while True:
        more = {name for name, value in own.items() if affected & _global_names(value.__code__)} - affected
        if not more:
            break
        affected |= more
    for name in affected - set(replacements):
        value = own[name]
        rebound = types.FunctionType(value.__code__, namespace, value.__name__, value.__defaults__, value.__closure__)
        rebound.__kwdefaults__, rebound.__annotations__ = value.__kwdefaults__, value.__annotations__
        rebound.__doc__, rebound.__qualname__ = value.__doc__, value.__qualname__
        rebound.__module__ = "initlib.fast"
        namespace[name] = rebound
    return namespace


def _global_names(code: types.CodeType) -> set[str]:
    """The names a code object and the functions nested in it (lambdas) look up."""
    names = set(code.co_names)
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            names |= _global_names(constant)
    return names
