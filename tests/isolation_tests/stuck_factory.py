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


def build_raises() -> torch.nn.Module:
    """Fails at once, as a factory with a bug does."""
    raise RuntimeError("no such layer")


def build_nothing():
    """Returns something other than a module."""
    return {"weight": torch.zeros(2, 2)}
