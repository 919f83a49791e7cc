"""Model factories for the factory time limit: one that never returns (a Python loop), one that is fine."""

import time

import torch


def build_forever() -> torch.nn.Module:
    """Never returns."""
    while True:
        time.sleep(0.05)


def build(width: int = 8) -> torch.nn.Module:
    """A small model, built at once."""
    return torch.nn.Linear(width, width)
