"""The ``torch-layers`` target's functions: ``<layer>_<parameter>_(tensor, generator=None, **arguments)``
fills ``tensor`` with what a fresh ``torch.nn`` module, constructed with ``arguments`` (e.g.
``lstm_weight_hh_l0_(t, input_size=32, hidden_size=64)``), puts in that parameter or buffer. The entries,
their constructor arguments and their claims: :mod:`suite.spec.layers`.

Modules draw their defaults in ``reset_parameters`` from the global RNG (torch/nn/modules/*.py); the
function seeds it with a 62-bit seed drawn from ``generator`` inside ``torch.random.fork_rng(devices=[])``,
so the same generator state gives the same parameters and the caller's global RNG is untouched. A lazy
module (``nn.LazyLinear``, ``nn.LazyConv*d``) is materialized by one forward pass on zeros of the call's
``input_shape``, as its documentation describes (its ``reset_parameters`` runs then).
"""

from __future__ import annotations

import torch

from suite.spec.layers import LAYER_TABLE, PARAMS, build, tensor_of

__all__ = ["LAYER_TABLE", "LayerDefaults", "defaults"]


def _fill(name: str, tensor: torch.Tensor, generator: torch.Generator | None = None, **arguments) -> torch.Tensor:
    if not isinstance(tensor, torch.Tensor):
        raise TypeError(f"tensor: expected a torch.Tensor, got {type(tensor).__name__}")
    entry = PARAMS[name]
    seed = int(torch.randint(0, 2**62, (1,), generator=generator)) if generator is not None else None
    with torch.random.fork_rng(devices=[]):
        if seed is not None:  # the CPU generator only: torch.manual_seed also seeds every lazy accelerator
            torch.default_generator.manual_seed(seed)  # backend, formatting a stack trace each (most of a call)
        try:
            module = build(entry, arguments)
        except TypeError as error:
            raise TypeError(f"arguments: nn.{entry.module.__name__} rejects {arguments} ({error})") from None
    source = tensor_of(module, entry.param)
    if tuple(source.shape) != tuple(tensor.shape):
        raise ValueError(f"tensor: {name}{arguments} has shape {tuple(source.shape)}, not {tuple(tensor.shape)}")
    with torch.no_grad():
        tensor.copy_(source)
    return tensor


class LayerDefaults:
    """``<layer>_<parameter>_(tensor, generator=None, **constructor arguments)`` for every entry of
    :data:`suite.spec.layers.PARAMS`."""

    def __getattr__(self, name: str):
        if name not in PARAMS:
            raise AttributeError(name)

        def fill(tensor: torch.Tensor, generator: torch.Generator | None = None, **arguments) -> torch.Tensor:
            return _fill(name, tensor, generator, **arguments)

        fill.__name__ = name
        return fill


def defaults() -> LayerDefaults:
    """The ``torch-layers`` target's functions (:data:`suite.engine.targets.LAYER_TARGETS`)."""
    return LayerDefaults()
