"""The arithmetic that lets ranks answer the audit's reads from their shards (issue 20), without processes:
for tilings of a tensor into boxes (split along one dimension or several, uneven as ``torch.chunk`` splits,
with replicas), the values the shards supply for a read are the values of the whole tensor at the read's
global positions, i.e. what the single-process audit reads; and the across-rank comparison of shards flags
identical and correlated shards, not independent ones. Also the command's usage errors for sharded runs,
found before any rank starts."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

from suite.audit import sample
from suite.audit.distributed import checks, layout
from suite.audit.distributed.layout import Box
from suite.commands.cli import main

from .helpers import ROOT


def _splits(size: int, parts: int) -> list[tuple[int, int]]:
    """(offset, length) of torch.chunk's pieces of ``size`` into ``parts`` (the last ones may be short or
    empty), written out here: ceil(size / parts) per piece."""
    step = -(-size // parts) if size else 0
    return [(min(i * step, size), max(0, min(step, size - i * step))) for i in range(parts)]


def _boxes(shape: tuple[int, ...], parts: tuple[int, ...], replicas: int = 1) -> list[Box]:
    per_dim = [_splits(size, k) for size, k in zip(shape, parts, strict=True)]
    boxes = []
    for pieces in itertools.product(*per_dim):
        offset = tuple(o for o, _ in pieces)
        local = tuple(n for _, n in pieces)
        boxes += [Box(offset, local, r == 0) for r in range(replicas)]
    return boxes


def _local(tensor: torch.Tensor, box: Box) -> torch.Tensor:
    return tensor[tuple(slice(o, o + n) for o, n in zip(box.offset, box.shape, strict=True))]


CASES = [
    ((37, 11), (2, 1), 1),  # FSDP: Shard(0), uneven
    ((37, 11), (1, 4), 1),  # tensor parallel row-wise: Shard(1), uneven, one short piece
    ((37, 11), (3, 2), 2),  # two mesh dimensions sharding, each box held twice (replicas)
    ((64, 3, 5), (4, 1, 1), 1),  # a conv kernel split on its output channels
    ((64, 3, 5), (1, 3, 2), 1),  # split on inner dimensions: the flattened columns are not contiguous
    ((10,), (3,), 1),  # a bias
    ((3,), (4,), 1),  # more ranks than rows: an empty shard
]


@pytest.mark.parametrize(("shape", "parts", "replicas"), CASES)
@pytest.mark.parametrize("n", [40, 10**6])
@pytest.mark.parametrize("skip_row", [None, 1])
def test_shards_supply_exactly_the_values_the_whole_tensor_gives(shape, parts, replicas, n, skip_row):
    seed = 11 + len(shape) + n % 7
    whole = torch.randn(shape, generator=torch.Generator().manual_seed(seed))
    rows, start, stop = sample.subsample_plan(shape, n, seed, skip_row)
    index = layout.subsample_index(shape, rows, start, stop)
    boxes = _boxes(shape, parts, replicas)
    parts_ = [layout.pick(_local(whole, b), b, index) for b in boxes]
    got = layout.assemble(index.shape[0], parts_, whole.dtype).reshape(rows.numel(), stop - start)
    direct = whole[tuple(index.T)].reshape(rows.numel(), stop - start)  # indexing the whole tensor itself
    assert torch.equal(got, direct), f"seed {seed}"
    assert torch.equal(got, sample.subsample(whole, n, seed, skip_row)), f"seed {seed}"
    assert torch.equal(layout.whole(shape, [(b, _local(whole, b)) for b in boxes], whole.dtype), whole)


def test_a_zero_dimensional_tensor_is_read_from_its_one_contributor():
    value = torch.tensor(2.5)
    boxes = [Box((), (), True), Box((), (), False)]
    index = layout.subsample_index((), *sample.subsample_plan((), 10, 0))[:1]
    got = layout.assemble(1, [layout.pick(value, b, index) for b in boxes], value.dtype)
    assert got.tolist() == [2.5]


def test_flat_positions_unravel_row_major():
    shape = (4, 3, 5)
    flat = torch.tensor([0, 1, 5, 14, 15, 59])
    expected = [np.unravel_index(int(f), shape) for f in flat]
    assert layout.unravel(flat, shape).tolist() == [list(map(int, e)) for e in expected]


def test_a_tiling_with_a_hole_or_an_overlap_is_an_error_not_zeros():
    shape = (6, 4)
    whole = torch.randn(shape, generator=torch.Generator().manual_seed(3))
    index = layout.unravel(torch.arange(24), shape)
    hole = [Box((0, 0), (3, 4), True)]  # rows 3-5 supplied by no rank
    with pytest.raises(RuntimeError, match="12 elements missing"):
        layout.assemble(24, [layout.pick(_local(whole, b), b, index) for b in hole], whole.dtype)
    overlap = [Box((0, 0), (4, 4), True), Box((2, 0), (4, 4), True)]  # rows 2-3 twice
    with pytest.raises(RuntimeError, match="8 supplied twice"):
        layout.assemble(24, [layout.pick(_local(whole, b), b, index) for b in overlap], whole.dtype)


def _sketches(seed: int, n: int = 4096) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.standard_normal(n), rng.standard_normal(n)


@pytest.mark.parametrize("seed", range(5))
def test_independent_shards_pass_identical_and_correlated_ones_are_named(seed):
    a, b = _sketches(seed)
    assert checks._similar_pairs([(0, a), (1, b)])[1] == "", f"seed {seed}: independent shards flagged"
    text = checks._similar_pairs([(0, a), (1, b), (2, a.copy())])[1]
    assert "identical shards on ranks 0 and 2" in text, f"seed {seed}"
    # r = 1 / sqrt(1 + 0.5^2) = 0.894 for b = a + 0.5 * noise: far above max(0.5, 8 / sqrt(4096)) = 0.5
    text = checks._similar_pairs([(0, a), (3, a + 0.5 * b)])[1]
    assert "ranks 0 and 3 r = 0.8" in text, f"seed {seed}: {text}"


MLP = f"{ROOT / 'examples' / 'models' / 'sharded_mlp.py'}"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--world-size", "0"], "--world-size: must be >= 1"),
        (["--world-size", "2", "--mesh", "3"], "--mesh: the product of '3' must equal the world size 2"),
        (["--world-size", "4", "--mesh", "2,x"], "--mesh: comma-separated integers"),
        (["--mesh", "2"], "--mesh: needs --world-size"),
        (["--world-size", "2", "--rank-timeout", "0"], "--rank-timeout: must be > 0"),
        (["--world-size", "2", "--input-shape", "4,64"], "--world-size: propagation and width sweeps"),
    ],
)
def test_sharded_usage_errors_exit_2_with_one_line_before_any_rank_starts(argv, message, capsys):
    assert main(["audit", "--model", f"{MLP}:fsdp", *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err, err
