"""Every read the audit makes of a tensor's values, in one place, so that the same audit runs on a tensor
held whole by this process (:class:`LocalReader`) and on one sharded across processes
(:class:`suite.audit.distributed.reader.ShardedReader`, which answers each read with a few collectives).

A reader also owns the checks only its setting has (across ranks) and what it adds to the result (the
placement of each tensor, the memory each rank used); the local reader has none.
"""

from __future__ import annotations

import numpy as np
import torch

from .params import Param
from .sample import Summary, digest, sketch, subsample, summarize


class LocalReader:
    """Reads of tensors that this process holds whole."""

    def summary(self, p: Param) -> Summary:
        return summarize(p.tensor)

    def subsample(self, p: Param, n: int, seed: int, skip_row: int | None = None) -> torch.Tensor:
        return subsample(p.tensor, n, seed, skip_row)

    def whole(self, p: Param) -> torch.Tensor:
        """The whole tensor (structure claims: orthogonality, exact patterns)."""
        return p.tensor

    def count_differ(self, p: Param, value: torch.Tensor) -> int:
        """How many elements differ from ``value`` (a scalar in the tensor's dtype)."""
        return int((p.tensor != value).sum())

    def row_nonzeros(self, p: Param, row: int) -> int:
        return int((p.tensor[row] != 0).sum())

    def sketch(self, p: Param) -> np.ndarray:
        return sketch(p.tensor)

    def digest(self, p: Param) -> str:
        return digest(p.tensor)

    def agree(self, names: list[str]) -> list[str]:
        """The list every process acts on (here: this process's own)."""
        return names

    def placement(self, p: Param) -> str | None:
        return None

    def model_checks(self, label: str, params: list[Param], laws: dict, seed: int) -> list:
        return []

    def finish(self, result) -> None:
        """Anything the setting adds to the finished result."""
