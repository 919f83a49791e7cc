"""The audit's reads answered by the ranks together: each rank reads its own shard, the ranks combine
with a few collectives per read (``all_gather_object`` on the default process group, under its
timeout), and every rank receives the same answer, so every rank runs the same audit and reaches the
same verdicts (SPMD; rank 0 writes the output).

* summaries are sums and counts (:meth:`suite.audit.sample.Summary.merge`), one gather per tensor;
* the planned subsample, the sketch and the diagnosis sample are the elements at the global positions the
  single-process audit reads (:func:`suite.audit.sample.subsample_plan`, a function of the global shape),
  each rank supplying those in its shard: the statistical checks read the very values they would read
  from the unsharded tensor, against the law's claim for the global shape (the global fans);
* digests, exact comparisons and zero-row counts combine per-shard answers; only structure claims
  (orthogonality, exact patterns) gather a whole tensor.

Of the ranks holding one box (replicas), only the first contributes (:mod:`.layout`). The checks only a
sharded model needs are in :mod:`.checks`.
"""

from __future__ import annotations

import hashlib
import resource
import time

import numpy as np
import torch
import torch.distributed as dist
from torch.distributed.tensor import DTensor

from ..params import Param
from ..reader import LocalReader
from ..sample import Summary, digest, sketch_positions, subsample_plan, summarize
from . import layout
from .layout import Box


def box_of(tensor: torch.Tensor) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """This rank's region of ``tensor`` (global offset, local shape): a DTensor's local shard (any mix of
    ``Shard`` and ``Replicate`` over its mesh, which may be a sub-mesh of the world); a plain tensor is
    held whole. A layout whose local shard is not one box of the global tensor is refused."""
    if not isinstance(tensor, DTensor):
        return (0,) * tensor.dim(), tuple(tensor.shape)
    from torch.distributed.tensor._utils import compute_local_shape_and_global_offset

    placements = tensor.placements
    unsupported = [p for p in placements if not (p.is_replicate() or type(p).__name__ == "Shard")]
    if unsupported:
        raise ValueError(
            f"placement {unsupported[0]} (of {placements}) is not a box of the global tensor: not auditable yet"
        )
    shape, offset = compute_local_shape_and_global_offset(tensor.shape, tensor.device_mesh, placements)
    return tuple(offset), tuple(shape)


def local_of(tensor: torch.Tensor) -> torch.Tensor:
    return tensor.to_local() if isinstance(tensor, DTensor) else tensor


def placement_text(tensor: torch.Tensor, world: int) -> str:
    if not isinstance(tensor, DTensor):
        return f"whole on each of {world} ranks"
    mesh = tensor.device_mesh
    names = mesh.mesh_dim_names or tuple(f"dim{d}" for d in range(mesh.ndim))
    parts = [f"{name}={size}:{_place(p)}" for name, size, p in zip(names, mesh.shape, tensor.placements, strict=True)]
    return "mesh " + ", ".join(parts)


def _place(placement) -> str:
    if placement.is_shard():
        return f"Shard({placement.dim})"
    return "Replicate()" if placement.is_replicate() else str(placement)


class ShardedReader(LocalReader):
    """Reads of tensors sharded over the default process group (see the module docstring)."""

    def __init__(self) -> None:
        self.rank = dist.get_rank()
        self.world = dist.get_world_size()
        self.started = time.perf_counter()
        #: per tensor (build 0): every rank's box and its own shard's summary, from the summary gather
        self.shards: dict[str, list[tuple[Box, Summary]]] = {}
        self.local_bytes = 0
        self.params: dict[str, Param] = {}
        self._boxes: dict[str, Box] = {}

    def box(self, p: Param) -> Box:
        """This rank's box, contributing when no lower rank holds the same region (one gather per tensor
        name, cached: the builds of one factory on one mesh lay a name out alike; whatever the meshes,
        each global element counts once)."""
        box = self._boxes.get(p.name)
        if box is None:
            region = box_of(p.tensor)
            box = Box(*region, self.gather(region).index(region) == self.rank)
            self._boxes[p.name] = box
        return box

    def gather(self, obj) -> list:
        out = [None] * self.world
        dist.all_gather_object(out, obj)
        return out

    def summary(self, p: Param) -> Summary:
        local, box = local_of(p.tensor), self.box(p)
        own = summarize(local)
        self.local_bytes += local.numel() * local.element_size()
        parts = self.gather((box, own))
        self.shards[p.name] = parts
        self.params[p.name] = p
        merged = Summary()
        for b, s in parts:
            if b.contributes:
                merged = merged.merge(s)
        return merged

    def _values(self, p: Param, index: torch.Tensor) -> torch.Tensor:
        picked = layout.pick(local_of(p.tensor), self.box(p), index)
        return layout.assemble(index.shape[0], self.gather(picked), p.tensor.dtype)

    def subsample(self, p: Param, n: int, seed: int, skip_row: int | None = None) -> torch.Tensor:
        shape = tuple(p.tensor.shape)
        rows, start, stop = subsample_plan(shape, n, seed, skip_row)
        values = self._values(p, layout.subsample_index(shape, rows, start, stop))
        return values.reshape(rows.numel(), stop - start)

    def whole(self, p: Param) -> torch.Tensor:
        box, local = self.box(p), local_of(p.tensor)
        parts = self.gather((box, local.detach().clone() if box.contributes else None))
        return layout.whole(tuple(p.tensor.shape), parts, p.tensor.dtype)

    def count_differ(self, p: Param, value: torch.Tensor) -> int:
        box, local = self.box(p), local_of(p.tensor)
        return sum(self.gather(int((local != value).sum()) if box.contributes else 0))

    def row_nonzeros(self, p: Param, row: int) -> int:
        box, local = self.box(p), local_of(p.tensor)
        mine = 0
        if box.contributes and box.offset[0] <= row < box.offset[0] + box.shape[0]:
            mine = int((local[row - box.offset[0]] != 0).sum())
        return sum(self.gather(mine))

    def sketch(self, p: Param) -> np.ndarray:
        shape = tuple(p.tensor.shape)
        positions = sketch_positions(p.tensor.numel())
        index = layout.unravel(positions, shape) if shape else torch.empty((1, 0), dtype=torch.long)
        return self._values(p, index).double().numpy()

    def digest(self, p: Param) -> str:
        box, local = self.box(p), local_of(p.tensor)
        parts = self.gather((box.offset, digest(local)) if box.contributes else None)
        text = repr(sorted(part for part in parts if part is not None))
        return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()

    def agree(self, names: list[str]) -> list[str]:
        """Rank 0's list (every rank then makes the same reads, even if floating point differed)."""
        box = [names]
        dist.broadcast_object_list(box, src=0)
        return box[0]

    def placement(self, p: Param) -> str:
        return placement_text(p.tensor, self.world)

    def model_checks(self, label: str, params: list[Param], laws: dict, seed: int) -> list:
        from . import checks

        return checks.across_ranks(self, label, params, laws, seed)

    def finish(self, result) -> None:
        """Each rank's memory (its shards' bytes, its peak resident set) and time, and the hints that
        read a failing std as the local shard's fan."""
        from . import checks

        own = {
            "rank": self.rank,
            "shard_bytes": self.local_bytes,
            "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
            "seconds": round(time.perf_counter() - self.started, 3),
        }
        result.ranks = self.gather(own)
        result.fingerprints = {  # independent of the layout: the values at the sketch's global positions
            name: hashlib.blake2b(self.sketch(p).tobytes(), digest_size=16).hexdigest()
            for name, p in self.params.items()
        }
        checks.local_fan_hints(result)
        checks.per_rank_power(self, result)
