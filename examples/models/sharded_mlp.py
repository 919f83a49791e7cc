"""A small MLP built the way large models are (issue 20): on the meta device, sharded with FSDP2
(``fully_shard``) or tensor parallelism (``parallelize_module``), moved to real memory with ``to_empty``,
then initialized shard by shard. Factories take the device mesh (``mesh=``) that
``python -m suite audit --world-size N`` builds; ``whole`` is the same model unsharded.

Its spec: ``examples/specs/sharded_mlp.toml``. The correct factories (``whole``, ``fsdp``, ``tp``) draw each
parameter's *global* values from one generator seeded from ``torch.initial_seed()`` and the parameter's
index, and keep the local slice: the sharded model holds exactly the unsharded model's values, at any
number of ranks. ``fsdp_per_rank`` is correct too but draws each shard from a seed of its own (the same law,
other values). The ``bug_*`` factories carry the distributed bugs the audit must name (parameter and
ranks); ``torch_reset`` is torch's own sharded initialization (``reset_parameters()`` after ``to_empty``).

    python -m suite audit --model examples/models/sharded_mlp.py:fsdp --world-size 2 \
        --spec examples/specs/sharded_mlp.toml
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.distributed.tensor import DTensor

D_MODEL, D_HIDDEN = 64, 256
BIAS_BOUND = 0.1


class MLP(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.up = nn.Linear(D_MODEL, D_HIDDEN)
        self.down = nn.Linear(D_HIDDEN, D_MODEL)
        self.norm = nn.LayerNorm(D_MODEL)

    def forward(self, x):
        return self.norm(x + self.down(torch.relu(self.up(x))))


def _draw(name: str, shape, generator: torch.Generator, fan_shape=None) -> torch.Tensor:
    """The spec's law for ``name`` on ``shape`` (fans from ``fan_shape``, default ``shape``)."""
    out = torch.empty(shape)
    if name.startswith("norm."):
        return out.fill_(1.0 if name.endswith("weight") else 0.0)
    if name.endswith("bias"):
        return out.uniform_(-BIAS_BOUND, BIAS_BOUND, generator=generator)
    fan_in = (fan_shape or shape)[1]
    return out.normal_(0.0, math.sqrt(2.0 / fan_in), generator=generator)  # kaiming_normal_()


def _region(param: torch.Tensor) -> tuple[slice, ...]:
    """This rank's slice of the global tensor."""
    if not isinstance(param, DTensor):
        return tuple(slice(None) for _ in param.shape)
    from torch.distributed.tensor._utils import compute_local_shape_and_global_offset

    shape, offset = compute_local_shape_and_global_offset(param.shape, param.device_mesh, param.placements)
    return tuple(slice(o, o + s) for o, s in zip(offset, shape, strict=True))


def _local(param: torch.Tensor) -> torch.Tensor:
    return param.to_local() if isinstance(param, DTensor) else param


def _seed(index: int, rank: int | None = None) -> int:
    return (torch.initial_seed() * 1_000_003 + index * 101 + (0 if rank is None else 7 * rank + 1)) % (2**63 - 1)


@torch.no_grad()
def init_global(model: nn.Module, skip: str | None = None, per_rank: set[str] = frozenset()) -> nn.Module:
    """Each parameter's global values from its own generator, this rank keeping its slice (correct at any
    sharding). ``skip``: a parameter left as it is (a bug); ``per_rank``: parameters drawn from a seed per
    rank on the local shape with global fans (correct for shards, a bug for replicas)."""
    for index, (name, param) in enumerate(model.named_parameters()):
        if name == skip:
            continue
        local = _local(param)
        if name in per_rank:
            g = torch.Generator().manual_seed(_seed(index, _rank()))
            local.copy_(_draw(name, local.shape, g, tuple(param.shape)))
            continue
        full = _draw(name, tuple(param.shape), torch.Generator().manual_seed(_seed(index)))
        local.copy_(full[_region(param)])
    return model


def _rank() -> int:
    import torch.distributed as dist

    return dist.get_rank() if dist.is_initialized() else 0


def _meta() -> MLP:
    with torch.device("meta"):
        return MLP()


def _fsdp(mesh) -> MLP:
    from torch.distributed.fsdp import fully_shard

    model = _meta()
    for layer in (model.up, model.down, model.norm):
        fully_shard(layer, mesh=mesh)
    fully_shard(model, mesh=mesh)
    return model.to_empty(device="cpu")


def _tp(mesh) -> MLP:
    from torch.distributed.tensor.parallel import ColwiseParallel, RowwiseParallel, parallelize_module

    model = _meta()
    parallelize_module(model, mesh, {"up": ColwiseParallel(), "down": RowwiseParallel()})
    return model.to_empty(device="cpu")


def whole() -> MLP:
    """The unsharded model, with the very values the sharded ``fsdp`` and ``tp`` hold."""
    return init_global(MLP())


def fsdp(mesh) -> MLP:
    return init_global(_fsdp(mesh))


def tp(mesh) -> MLP:
    """Tensor parallel: ``up`` column-wise (weight and bias Shard(0)), ``down`` row-wise (weight Shard(1),
    bias replicated); the LayerNorm is a plain tensor on every rank."""
    return init_global(_tp(mesh))


@torch.no_grad()
def fsdp_per_rank(mesh) -> MLP:
    """Correct: every shard from a seed of its own rank, the law's global fans."""
    model = _fsdp(mesh)
    return init_global(model, per_rank={n for n, _ in model.named_parameters()})


@torch.no_grad()
def bug_same_seed(mesh) -> MLP:
    """Every rank fills its shard from the same generator state: all shards of a weight are identical."""
    model = _fsdp(mesh)
    for index, (name, param) in enumerate(model.named_parameters()):
        local = _local(param)
        local.copy_(_draw(name, local.shape, torch.Generator().manual_seed(_seed(index)), tuple(param.shape)))
    return model


@torch.no_grad()
def bug_local_fans(mesh) -> MLP:
    """Each rank draws its weight shards (seeded per rank) with the *local* shape's fans: ``down.weight``
    is split along its fan_in (row-wise), so its std is sqrt(world size) too large; ``up.weight`` is
    split along its fan_out, which kaiming_normal_'s fan_in mode does not read, so it stays right."""
    model = init_global(_tp(mesh))
    for index, (name, param) in enumerate(model.named_parameters()):
        if not name.endswith("weight") or name.startswith("norm."):
            continue
        local = _local(param)
        g = torch.Generator().manual_seed(_seed(index, _rank()))
        local.copy_(_draw(name, local.shape, g))  # fans of the local shard
    return model


def bug_replica_differs(mesh) -> MLP:
    """``down.bias`` (replicated under row-wise parallelism) drawn per rank: the replicas differ."""
    return init_global(_tp(mesh), per_rank={"down.bias"})


def bug_skipped(mesh) -> MLP:
    """``up.weight`` is never initialized after ``to_empty``: it holds whatever that memory held."""
    return init_global(_fsdp(mesh), skip="up.weight")


@torch.no_grad()
def torch_reset(mesh) -> MLP:
    """torch's own sharded initialization: ``reset_parameters()`` of every module after ``to_empty``."""
    model = _fsdp(mesh)
    for module in model.modules():
        if hasattr(module, "reset_parameters"):
            module.reset_parameters()
    return model


def hsdp(mesh) -> MLP:
    """Two dimensions (``--mesh 2,2``): FSDP2 over a 2-D mesh is HSDP, parameters replicated over the first
    dimension and sharded over the second (placements ``Replicate(), Shard(0)``)."""
    from torch.distributed.fsdp import fully_shard

    model = _meta()
    for layer in (model.up, model.down, model.norm):
        fully_shard(layer, mesh=mesh)
    fully_shard(model, mesh=mesh)
    return init_global(model.to_empty(device="cpu"))


def fsdp_tp(mesh) -> MLP:
    """Tensor parallel over ``mesh["tp"]``, then FSDP over ``mesh["dp"]`` (``--mesh 2,2``): FSDP shards
    the TP shards again (``_StridedShard``), a local shard that is not one box of the global tensor; the
    audit refuses it by name (not yet supported)."""
    from torch.distributed.fsdp import fully_shard
    from torch.distributed.tensor.parallel import ColwiseParallel, RowwiseParallel, parallelize_module

    model = _meta()
    parallelize_module(model, mesh["tp"], {"up": ColwiseParallel(), "down": RowwiseParallel()})
    for layer in (model.up, model.down):
        fully_shard(layer, mesh=mesh["dp"])
    fully_shard(model, mesh=mesh["dp"])
    return init_global(model.to_empty(device="cpu"))
