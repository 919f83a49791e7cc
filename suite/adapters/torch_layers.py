"""The ``torch-layers`` target's functions: ``<layer>_weight_(tensor, generator=None)`` and
``<layer>_bias_(tensor, fan_in, generator=None)`` fill ``tensor`` with a fresh layer's default parameters.

The layers' ``reset_parameters`` draws from the global RNG; :func:`_layer` seeds it from the generator the
suite passes (inside ``torch.random.fork_rng``, so the caller's global RNG is untouched) and the functions
copy the layer's fresh weight or bias into the tensor. Their claims: :mod:`suite.spec.layers`.
"""

from __future__ import annotations

import torch

from suite.spec.layers import LAYER_TABLE, LAYERS

__all__ = ["LAYER_TABLE", "LayerDefaults", "defaults"]


def _layer(kind: str, weight_shape: tuple[int, ...], generator: torch.Generator | None):
    seed = int(torch.randint(0, 2**62, (1,), generator=generator)) if generator is not None else None
    with torch.random.fork_rng(devices=[]):
        if seed is not None:
            torch.manual_seed(seed)
        out, cin, *kernel = weight_shape
        if kind == "linear":
            return LAYERS[kind](cin, out)
        return LAYERS[kind](cin, out, kernel_size=tuple(kernel))


class LayerDefaults:
    """Functions ``<layer>_weight_(tensor, generator=None)`` and ``<layer>_bias_(tensor, fan_in,
    generator=None)`` that fill ``tensor`` with a fresh layer's default parameters."""

    def __getattr__(self, name: str):
        kind, _, part = name.rstrip("_").rpartition("_")
        if kind not in LAYERS or part not in ("weight", "bias"):
            raise AttributeError(name)

        def fill(tensor: torch.Tensor, fan_in: int | None = None, generator: torch.Generator | None = None):
            if part == "weight":
                layer = _layer(kind, tuple(tensor.shape), generator)
                source = layer.weight
            else:
                layer = _layer(
                    kind,
                    (tensor.shape[0], fan_in) + ((1,) * (int(kind[-2]) if kind != "linear" else 0)),
                    generator,
                )
                source = layer.bias
            with torch.no_grad():
                tensor.copy_(source)
            return tensor

        return fill


def defaults() -> LayerDefaults:
    """The ``torch-layers`` target's functions (:data:`suite.engine.targets.LAYER_TARGETS`)."""
    return LayerDefaults()
