"""The ``torch-layers`` target's functions: ``<layer>_<parameter>_(tensor, generator=None, **arguments)``
fills ``tensor`` with what a fresh ``torch.nn`` module, constructed with ``arguments`` (e.g.
``lstm_weight_hh_l0_(t, input_size=32, hidden_size=64)``), puts in that parameter or buffer. The entries,
their constructor arguments and their claims: :mod:`suite.spec.layers`.

Modules draw their defaults in ``reset_parameters`` from the global RNG (torch/nn/modules/*.py); the
function seeds it with a 62-bit seed drawn from ``generator`` inside ``torch.random.fork_rng(devices=[])``,
so the same generator state gives the same parameters and the caller's global RNG is untouched. A lazy
module (``nn.LazyLinear``, ``nn.LazyConv*d``) is materialized by one forward pass on zeros of the call's
``input_shape``, as its documentation describes (its ``reset_parameters`` runs then).

A module whose construction draws nothing but its ``reset_parameters()`` (:data:`RESET_IS_CONSTRUCTION`:
their ``__init__`` creates the parameters with ``torch.empty`` and ends with ``self.reset_parameters()``,
torch/nn/modules/{linear,conv,sparse,rnn}.py; a lazy one's ``initialize_parameters`` materializes them and
calls it) is built once per constructor arguments and re-initialized with ``reset_parameters()`` on later
calls, under the same seeding: the values are those of a fresh module, bit for bit
(tests/adapter_tests/test_torch_layers.py checks it for every such entry), without building the module
(``nn.LSTM``'s construction costs as much as drawing its weights).
"""

from __future__ import annotations

from collections import OrderedDict

import torch
from torch import nn

from suite.spec.layers import LAYER_TABLE, PARAMS, build, tensor_of

__all__ = ["LAYER_TABLE", "RESET_IS_CONSTRUCTION", "LayerDefaults", "defaults"]

#: Module types whose construction draws exactly what their ``reset_parameters()`` draws (see above).
RESET_IS_CONSTRUCTION = (
    nn.Linear,
    nn.Bilinear,
    nn.modules.conv._ConvNd,
    nn.Embedding,
    nn.EmbeddingBag,
    nn.modules.rnn.RNNBase,
    nn.modules.rnn.RNNCellBase,
)
#: (table entry, built module) of those types by (function name, constructor arguments), the most recent last.
_BUILT: OrderedDict[tuple, tuple] = OrderedDict()
_KEEP = 8


def _fill(name: str, tensor: torch.Tensor, generator: torch.Generator | None = None, **arguments) -> torch.Tensor:
    if not isinstance(tensor, torch.Tensor):
        raise TypeError(f"tensor: expected a torch.Tensor, got {type(tensor).__name__}")
    entry = PARAMS[name]
    seed = int(torch.randint(0, 2**62, (1,), generator=generator)) if generator is not None else None
    with torch.random.fork_rng(devices=[]):
        if seed is not None:  # the CPU generator only: torch.manual_seed also seeds every lazy accelerator
            torch.default_generator.manual_seed(seed)  # backend, formatting a stack trace each (most of a call)
        module = _module(name, entry, arguments)
    source = tensor_of(module, entry.param)
    if tuple(source.shape) != tuple(tensor.shape):
        raise ValueError(f"tensor: {name}{arguments} has shape {tuple(source.shape)}, not {tuple(tensor.shape)}")
    with torch.no_grad():
        tensor.copy_(source)
    return tensor


def _module(name: str, entry, arguments: dict) -> nn.Module:
    """A fresh module's parameters for ``arguments``, drawn from the global RNG as it stands: a module of
    :data:`RESET_IS_CONSTRUCTION` built earlier and re-initialized, else a new one."""
    try:
        key = (name, tuple(sorted(arguments.items())))
        built, module = _BUILT.get(key, (None, None))
    except TypeError:  # an unhashable argument (a list): built anew
        key, built = None, None
    if built is entry:  # (not an entry replaced since, as tests do)
        _BUILT.move_to_end(key)
        with torch.no_grad():
            module.reset_parameters()
        return module
    try:
        module = build(entry, arguments)
    except TypeError as error:
        raise TypeError(f"arguments: nn.{entry.module.__name__} rejects {arguments} ({error})") from None
    if key is not None and isinstance(module, RESET_IS_CONSTRUCTION):
        _BUILT[key] = (entry, module)
        while len(_BUILT) > _KEEP:
            _BUILT.popitem(last=False)
    return module


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
