"""A model's tensors as the audit sees them: every parameter and buffer once, with the modules that
own it (root first) and the other names of the same storage (tied weights)."""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import nn


@dataclass
class Param:
    name: str
    tensor: torch.Tensor  # detached; never copied
    buffer: bool
    owners: list[tuple[str, nn.Module]]  # (prefix, module) from the root to the direct owner
    tied: list[str] = field(default_factory=list)  # other names of the same storage

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.tensor.shape)

    @property
    def names(self) -> list[str]:
        return [self.name, *self.tied]


def _storage_key(t: torch.Tensor) -> tuple:
    if hasattr(t, "to_local") and hasattr(t, "placements"):  # a DTensor (issue 20): its local shard's storage
        t = t.to_local()
    return (t.device.type, t.untyped_storage().data_ptr(), t.storage_offset(), tuple(t.shape), t.stride(), t.dtype)


def collect(model: nn.Module) -> list[Param]:
    """Parameters, then buffers, in registration order; a tensor registered under several names (tied
    weights) appears once, under its first name, with the others in ``tied``."""
    modules = dict(model.named_modules(remove_duplicate=False))
    seen: dict[tuple, Param] = {}
    found: list[Param] = []
    named = [(n, t, False) for n, t in model.named_parameters(remove_duplicate=False)]
    named += [(n, t, True) for n, t in model.named_buffers(remove_duplicate=False) if t is not None]
    for name, tensor, buffer in named:
        key = _storage_key(tensor) if tensor.numel() else ("empty", name)
        if key in seen:
            seen[key].tied.append(name)
            continue
        param = Param(name, tensor.detach(), buffer, _owners(modules, name))
        seen[key] = param
        found.append(param)
    return found


def _owners(modules: dict[str, nn.Module], name: str) -> list[tuple[str, nn.Module]]:
    parts = name.split(".")[:-1]
    chain = [("", modules[""])]
    for depth in range(1, len(parts) + 1):
        prefix = ".".join(parts[:depth])
        if prefix in modules:
            chain.append((prefix, modules[prefix]))
    return chain
