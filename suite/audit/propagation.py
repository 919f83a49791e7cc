"""Signal propagation at initialization: the mean square of each block's output and of the gradient
reaching it (forward hooks and one backward pass of sum(output * g), g ~ N(0, 1) seeded, so the
gradient at the output has mean square 1), per block and as a growth rate per block; and the width
sweep (muP's coordinate check): the per-block activation scale of ``factory(width=w)`` against w.

Blocks are the children of the ``nn.ModuleList`` or ``nn.Sequential`` holding the most parameters.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import torch
from torch import nn


def blocks(model: nn.Module) -> list[tuple[str, nn.Module]]:
    """The children of the ``nn.ModuleList`` or ``nn.Sequential`` (at least two children) that holds the
    most parameters (the trunk: GPT-2's ``h``, a ResNet's stages), else the model's own children."""
    best, most = None, -1
    for prefix, module in model.named_modules():
        if isinstance(module, (nn.ModuleList, nn.Sequential)) and len(module) >= 2:
            count = sum(p.numel() for p in module.parameters())
            if count > most:
                best, most = (prefix, module), count
    if best is None:
        return list(model.named_children())
    prefix, module = best
    return [(f"{prefix}.{n}" if prefix else n, m) for n, m in module.named_children()]


def first_tensor(output):
    """The first floating tensor in a module's output (a tensor, a tuple, a dict or a ModelOutput)."""
    if isinstance(output, torch.Tensor):
        return output if output.is_floating_point() else None
    values = output.values() if isinstance(output, dict) else output if isinstance(output, (tuple, list)) else ()
    for value in values:
        found = first_tensor(value)
        if found is not None:
            return found
    return None


def call_model(model: nn.Module, inputs):
    if isinstance(inputs, dict):
        return model(**inputs)
    if isinstance(inputs, (tuple, list)):
        return model(*inputs)
    return model(inputs)


def measure(model: nn.Module, inputs, seed: int, backward: bool = True) -> dict:
    """Per block: mean square of the output and of the gradient reaching it; growth per block."""
    found = blocks(model)
    forward_ms: dict[str, float] = {}
    backward_ms: dict[str, float] = {}
    handles = []

    def hook(name):
        def record(module, args, output):
            tensor = first_tensor(output)
            if tensor is None:
                return
            forward_ms[name] = float(tensor.detach().double().pow(2).mean())
            if backward and tensor.requires_grad:
                tensor.register_hook(lambda grad: backward_ms.__setitem__(name, float(grad.double().pow(2).mean())))

        return record

    for name, module in found:
        handles.append(module.register_forward_hook(hook(name)))
    try:
        with torch.set_grad_enabled(backward):
            out = first_tensor(call_model(model, inputs))
            if backward and out is not None and out.requires_grad:
                g = torch.randn(out.shape, generator=torch.Generator().manual_seed(seed), dtype=out.dtype)
                (out * g).sum().backward()
    finally:
        for h in handles:
            h.remove()
        model.zero_grad(set_to_none=True)
    names = [n for n, _ in found if n in forward_ms]
    result = {
        "blocks": names,
        "forward_mean_square": [forward_ms[n] for n in names],
        "backward_mean_square": [backward_ms.get(n) for n in names],
    }
    result["forward_growth"] = _growth(result["forward_mean_square"])
    result["backward_growth"] = _growth(result["backward_mean_square"][::-1])[::-1]
    result["forward_growth_per_block"] = _geometric(result["forward_growth"])
    result["backward_growth_per_block"] = _geometric(result["backward_growth"])
    return result


def _growth(values: list) -> list:
    """Ratios of consecutive mean squares (None where either is missing or zero)."""
    return [(b / a if a and b is not None and a > 0 else None) for a, b in itertools.pairwise(values)]


def _geometric(ratios: list) -> float | None:
    usable = [r for r in ratios if r is not None and r > 0 and math.isfinite(r)]
    return float(math.exp(np.mean(np.log(usable)))) if usable else None


def width_sweep(factory, widths: list[int], make_inputs, seed: int) -> dict:
    """Per block, the output mean square of ``factory(width=w)`` at each width; the log-log slope."""
    table: dict[str, list] = {}
    for w in widths:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            model = factory(width=w)
            inputs = make_inputs()
        measured = measure(model, inputs, seed, backward=False)
        for name, ms in zip(measured["blocks"], measured["forward_mean_square"], strict=True):
            table.setdefault(name, [None] * len(widths))[widths.index(w)] = ms
    slopes = {}
    for name, values in table.items():
        points = [(math.log(w), math.log(v)) for w, v in zip(widths, values, strict=True) if v]
        slopes[name] = float(np.polyfit(*zip(*points, strict=True), 1)[0]) if len(points) >= 2 else None
    return {"widths": widths, "blocks": list(table), "mean_square": [table[n] for n in table], "slope": slopes}
