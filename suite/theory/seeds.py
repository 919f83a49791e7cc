"""Every draw of a theory run flows from ``--seed``: each family gets its own torch.Generator, seeded from
(seed, family name) through numpy's SeedSequence, so a family replays alone and families never share draws."""

from __future__ import annotations

import zlib

import numpy as np
import torch


def generator(seed: int, name: str) -> torch.Generator:
    entropy = np.random.SeedSequence([seed, zlib.crc32(name.encode())]).generate_state(2, dtype=np.uint32)
    return torch.Generator().manual_seed(int(entropy[0]) << 32 | int(entropy[1]))
