"""Random draws for float16 and bfloat16 tensors: drawn in float32 and rounded to nearest.

torch's own half-precision samplers work in the narrow dtype: its bfloat16 ``uniform_`` never returns
the largest representable value below ``b`` (that cell's mass lands elsewhere), and a truncated normal
rejected in the narrow dtype keeps values that round onto a bound from outside it. Drawing in float32
and rounding once gives exactly the claimed continuous law rounded to the dtype.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

HALF = (torch.float16, torch.bfloat16)
#: float32 scratch of at most this many elements (4 MiB), reused block after block.
_BLOCK = 1 << 20


def rounded_fill_(tensor: torch.Tensor, fill: Callable[[torch.Tensor], object]) -> torch.Tensor:
    """``fill`` the tensor in place; half-precision tensors are filled block by block through a
    float32 buffer, in order, so the same generator state still gives the same tensor."""
    if tensor.dtype not in HALF:
        fill(tensor)
        return tensor
    contiguous = tensor.is_contiguous()
    flat = tensor.view(-1) if contiguous else torch.empty(tensor.numel(), dtype=tensor.dtype, device=tensor.device)
    scratch = torch.empty(min(flat.numel(), _BLOCK), dtype=torch.float32, device=tensor.device)
    for start in range(0, flat.numel(), scratch.numel()):
        part = flat[start : start + scratch.numel()]
        block = scratch[: part.numel()]
        fill(block)
        part.copy_(block)
    if not contiguous:
        tensor.copy_(flat.view(tensor.shape))
    return tensor
