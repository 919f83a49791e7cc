"""Initializers defined by structure rather than by a marginal distribution alone:
``eye_``, ``dirac_``, ``orthogonal_``, ``delta_orthogonal_`` and ``sparse_``."""

from __future__ import annotations

import math

import torch

from . import _checks
from ._precision import rounded_fill_


def eye_(tensor: torch.Tensor):
    """The 2-D identity: ``tensor[i, j] = 1 if i == j else 0`` (as many inputs preserved as possible)."""
    tensor = _checks.tensor_arg(tensor)
    _checks.dims(tensor, (2,), "eye_ fills 2-dimensional tensors only")
    if _checks.is_noop(tensor):
        return tensor
    with torch.no_grad():
        torch.eye(*tensor.shape, out=tensor)  # one pass: zeros, then ones on the diagonal, in place
    return tensor


def kernel_centre(kernel_shape) -> tuple[int, ...]:
    """The centre tap of a kernel: ``k // 2`` per dimension (torch's ``dirac_``)."""
    return tuple(k // 2 for k in kernel_shape)


def dirac_(tensor: torch.Tensor, groups: int = 1):
    """The Dirac delta: the identity convolution of as many channels as possible, per group.

    Zeros, then ``tensor[g * out_per_group + d, d, k1 // 2, ..., kn // 2] = 1`` for every group ``g``
    and ``d < min(out_per_group, in)``, where ``out_per_group = size(0) / groups``. Convolving with it
    (padding ``k // 2``) copies input channel ``d`` of each group to its output channel ``d``.
    3-5 dimensions; ``size(0)`` divisible by ``groups``.
    """
    tensor = _checks.tensor_arg(tensor)
    groups = _checks.positive_int(groups, "groups")
    _checks.dims(tensor, (3, 4, 5), "dirac_ fills 3-, 4- or 5-dimensional convolution weights")
    if tensor.size(0) % groups:
        raise ValueError(f"groups: dim 0 of the tensor ({tensor.size(0)}) must be divisible by groups ({groups})")
    if _checks.is_noop(tensor):
        return tensor
    out_per_group = tensor.size(0) // groups
    channels = torch.arange(min(out_per_group, tensor.size(1)), device=tensor.device)
    group_offsets = torch.arange(groups, device=tensor.device) * out_per_group
    out_index = (group_offsets[:, None] + channels[None, :]).reshape(-1)
    in_index = channels.repeat(groups)
    with torch.no_grad():
        tensor.zero_()
        tensor[(out_index, in_index, *kernel_centre(tensor.shape[2:]))] = 1
    return tensor


def _haar_orthogonal(rows: int, cols: int, gain: float, like: torch.Tensor, generator) -> torch.Tensor:
    """A (rows, cols) matrix with orthonormal rows or columns (whichever are fewer), times ``gain``,
    Haar-distributed: Q of the QR factorisation of a Gaussian matrix, its columns multiplied by the
    signs of R's diagonal (Mezzadri 2007, How to generate random matrices from the classical compact
    groups, section 5). Computed in float64 for float64 tensors and in float32 otherwise (LAPACK has
    no half-precision QR); the caller casts the result back.
    """
    dtype = torch.float64 if like.dtype == torch.float64 else torch.float32
    tall, wide = max(rows, cols), min(rows, cols)
    # Drawn as (wide, tall) so that its transpose is the column-major (tall, wide) matrix LAPACK wants.
    gaussian = torch.empty(wide, tall, dtype=dtype, device=like.device).normal_(generator=generator)
    reflectors, tau = torch.geqrf(gaussian.mT)
    del gaussian
    column_scale = reflectors.diagonal().sign().mul_(gain)
    q = torch.linalg.householder_product(reflectors, tau)
    del reflectors
    q.mul_(column_scale)
    return q if rows >= cols else q.mT


def orthogonal_(tensor: torch.Tensor, gain: float = 1, generator: torch.Generator | None = None):
    """A (semi-)orthogonal matrix times ``gain``, Haar-distributed (Saxe et al. 2013, Exact solutions to
    the nonlinear dynamics of learning in deep linear neural networks).

    The tensor is viewed as ``rows = size(0)`` by ``cols = numel / rows``; with ``W`` that matrix,
    ``W W^T = gain^2 I`` when rows <= cols and ``W^T W = gain^2 I`` otherwise.
    """
    tensor = _checks.random_tensor_arg(tensor)
    gain = _checks.real(gain, "gain")
    if tensor.dim() < 2:
        raise ValueError(f"tensor: orthogonal_ needs at least 2 dimensions, got shape {tuple(tensor.shape)}")
    generator = _checks.generator_arg(generator, tensor)
    if _checks.is_noop(tensor):
        return tensor
    rows = tensor.size(0)
    cols = tensor.numel() // rows
    with torch.no_grad():
        q = _haar_orthogonal(rows, cols, gain, tensor, generator)
        if tensor.is_contiguous():
            tensor.view(rows, cols).copy_(q)
        else:
            tensor.copy_(q.reshape(tensor.shape))
    return tensor


def delta_orthogonal_(tensor: torch.Tensor, gain: float = 1.0, generator: torch.Generator | None = None):
    """Delta-orthogonal convolution weights (Xiao et al. 2018, Dynamical isometry and a mean field
    theory of CNNs, algorithm 2): every tap zero except the centre ``k // 2`` (as in :func:`dirac_`),
    which holds an (out, in) matrix with orthonormal columns times ``gain``, Haar-distributed.

    With ``out == in``, stride 1 and circular padding, the convolution preserves the norm of its input
    exactly (times ``gain``). Needs 3-5 dimensions (out, in, *kernel) and ``out >= in``.
    """
    tensor = _checks.random_tensor_arg(tensor)
    gain = _checks.real(gain, "gain")
    _checks.dims(tensor, (3, 4, 5), "delta_orthogonal_ fills 3-, 4- or 5-dimensional convolution weights")
    out_channels, in_channels = tensor.shape[:2]
    if out_channels < in_channels:
        raise ValueError(
            f"tensor: delta_orthogonal_ needs out_channels >= in_channels (orthonormal columns), "
            f"got shape {tuple(tensor.shape)}"
        )
    generator = _checks.generator_arg(generator, tensor)
    if _checks.is_noop(tensor):
        return tensor
    with torch.no_grad():
        centre = _haar_orthogonal(out_channels, in_channels, gain, tensor, generator)
        tensor.zero_()
        tensor[(slice(None), slice(None), *kernel_centre(tensor.shape[2:]))] = centre.to(tensor.dtype)
    return tensor


def sparse_(tensor: torch.Tensor, sparsity: float, std: float = 0.01, generator: torch.Generator | None = None):
    """Sparse 2-D initialisation (Martens 2010, Deep learning via Hessian-free optimization, section 5).

    N(0, std^2), then in EVERY column exactly ``ceil(sparsity * rows)`` entries, chosen uniformly at
    random (and from ``generator``), are set to zero.
    """
    tensor = _checks.random_tensor_arg(tensor)
    sparsity = _checks.real(sparsity, "sparsity")
    if not 0.0 <= sparsity <= 1.0:
        raise ValueError(f"sparsity: must lie in [0, 1], got {sparsity}")
    std = _checks.non_negative(std, "std")
    _checks.dims(tensor, (2,), "sparse_ fills 2-dimensional tensors only")
    generator = _checks.generator_arg(generator, tensor)
    if _checks.is_noop(tensor):
        return tensor
    rows, cols = tensor.shape
    zeros_per_column = math.ceil(sparsity * rows)
    with torch.no_grad():
        rounded_fill_(tensor, lambda t: t.normal_(0.0, std, generator=generator))
        if zeros_per_column:
            tensor.masked_fill_(_random_column_subsets(rows, cols, zeros_per_column, tensor.device, generator), 0)
    return tensor


#: Rough costs (seconds) behind the choice of subset sampler in :func:`_random_column_subsets`.
_FLOYD_STEP_COST = 25e-6
_PERMUTATION_CALL_COST = 20e-6
_PERMUTATION_ELEMENT_COST = 8e-9


def _random_column_subsets(rows: int, cols: int, k: int, device, generator) -> torch.Tensor:
    """A (rows, cols) bool mask with exactly ``k`` True entries per column, each column's set uniform
    over the k-subsets of its rows, independently, drawn from ``generator``.

    Two exact samplers, chosen by cost: Floyd's algorithm (Bentley & Floyd 1987, "A sample of
    brilliance") vectorised across columns, ``min(k, rows - k)`` steps; or one ``randperm`` per column
    (the cheaper one for a few long columns).
    """
    take = min(k, rows - k)  # choose the zeros, or the survivors and invert
    floyd_cost = take * _FLOYD_STEP_COST
    permutation_cost = cols * (_PERMUTATION_CALL_COST + rows * _PERMUTATION_ELEMENT_COST)
    if permutation_cost < floyd_cost:
        mask = torch.zeros(cols, rows, dtype=torch.bool, device=device)
        for column in mask:
            column.index_fill_(0, torch.randperm(rows, generator=generator, device=device)[:k], True)
        return mask.T
    # Floyd on the flat (rows * cols) mask: entry (row, col) is row * cols + col. index_select and
    # index_fill_ on the CPU stay on the calling thread for a few thousand indices, where advanced
    # indexing hands them to torch's thread pool (and waits for it: badly on a loaded machine).
    flat = torch.zeros(rows * cols, dtype=torch.bool, device=device)
    column_index = torch.arange(cols, device=device)
    draws = torch.rand(take, cols, dtype=torch.float64, device=device, generator=generator)
    for step, top in enumerate(range(rows - take, rows)):
        # Floyd: pick t uniform in [0, top]; if already chosen, choose `top` itself (never chosen yet).
        candidate = draws[step].mul_(top + 1).long().clamp_(max=top).mul_(cols).add_(column_index)
        taken = flat.index_select(0, candidate)
        chosen = torch.where(taken, column_index + top * cols, candidate)
        flat.index_fill_(0, chosen, True)
    mask = flat.view(rows, cols)
    return mask if take == k else mask.logical_not_()
