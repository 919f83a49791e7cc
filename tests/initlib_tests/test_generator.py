"""Randomness contract: the same generator state gives the same tensor, the global RNG is untouched,
different seeds differ, and generator=None draws from the global RNG (as torch does)."""

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from .helpers import DEVICES, DTYPES, RANDOM_CALLS, call, seeded

seeds = st.integers(min_value=0, max_value=2**63 - 1)


@pytest.mark.parametrize("name", list(RANDOM_CALLS))
@given(seed=seeds)
def test_same_generator_state_gives_same_tensor(name, seed):
    _, shape = RANDOM_CALLS[name]
    first, second = torch.empty(shape), torch.empty(shape)
    call(name, first, seeded(seed))
    call(name, second, seeded(seed))
    assert torch.equal(first, second), f"seed {seed}"


@pytest.mark.parametrize("name", list(RANDOM_CALLS))
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("device", DEVICES)
def test_global_rng_is_not_consumed(name, dtype, device):
    _, shape = RANDOM_CALLS[name]
    before = torch.get_rng_state()
    cuda_before = torch.cuda.get_rng_state() if device == "cuda" else None
    call(name, torch.empty(shape, dtype=dtype, device=device), seeded(5, device))
    assert torch.equal(torch.get_rng_state(), before)
    if device == "cuda":
        assert torch.equal(torch.cuda.get_rng_state(), cuda_before)


@pytest.mark.parametrize("name", list(RANDOM_CALLS))
def test_different_seeds_give_different_tensors(name):
    _, shape = RANDOM_CALLS[name]
    first, second = torch.empty(shape), torch.empty(shape)
    call(name, first, seeded(1))
    call(name, second, seeded(2))
    assert not torch.equal(first, second)


@pytest.mark.parametrize("name", list(RANDOM_CALLS))
def test_no_generator_draws_from_the_global_rng(name):
    _, shape = RANDOM_CALLS[name]
    first, second = torch.empty(shape), torch.empty(shape)
    torch.manual_seed(11)
    call(name, first)
    torch.manual_seed(11)
    call(name, second)
    assert torch.equal(first, second)
    before = torch.get_rng_state()
    call(name, first)
    assert not torch.equal(torch.get_rng_state(), before)


def test_sparse_zero_pattern_comes_from_the_generator():
    patterns = []
    for _ in range(2):
        tensor = torch.empty(40, 30)
        call("sparse_", tensor, seeded(9), sparsity=0.5)
        patterns.append(tensor.eq(0))
    assert torch.equal(*patterns)
    other = torch.empty(40, 30)
    call("sparse_", other, seeded(10), sparsity=0.5)
    assert not torch.equal(patterns[0], other.eq(0))
