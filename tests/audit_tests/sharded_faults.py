"""Factories for the sharded audit's fault tests (loaded by the ranks by path): a rank that crashes and a
rank that hangs, on examples/models/sharded_mlp.py's correct FSDP model."""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path

import torch.distributed as dist

_spec = importlib.util.spec_from_file_location(
    "_sharded_mlp", Path(__file__).resolve().parents[2] / "examples" / "models" / "sharded_mlp.py"
)
sharded_mlp = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(sharded_mlp)


def crash_on_rank_1(mesh):
    if dist.get_rank() == 1:
        raise RuntimeError("rank 1 cannot build its shard")
    return sharded_mlp.fsdp(mesh)


def hang_on_rank_1(mesh):
    if dist.get_rank() == 1:
        time.sleep(3600)
    return sharded_mlp.fsdp(mesh)
