"""Memory-layout checks: an initializer fills the tensor it is GIVEN, whatever its strides.

Users initialize views every day: a transposed weight, one gate of an LSTM's packed weight (rows of
``weight_ih``: contiguous, with a storage offset), a column block of a fused matrix (not contiguous),
a ``channels_last`` convolution kernel. Each view has the case's shape, so the case's claim is the
view's claim. For each layout, with a NaN sentinel everywhere:

* ``layout.in_place(<layout>)`` (exact): every element of the view is filled and no element of the
  storage outside it is touched (an initializer that fills a contiguous copy leaves the view NaN; one
  that writes as if the view were contiguous, or from the storage's start, touches the outside); an
  exact claim (``eye_``, ``dirac_``, constants) gives its exact tensor;
* ``layout.scale`` (statistical, marginal claims): the pooled values of every view follow the claimed
  std (:func:`suite.stats.significance.variance_test` with the family's kurtosis, rounded to the dtype),
  on at least the budget's ``layout_values`` (2^16 at the default budget): a fill that reads the fans
  from the memory order of a ``channels_last`` kernel, or scales a copy, is found.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from suite.engine.checks.context import CheckCase
from suite.engine.invoke import CallFailed, derive_seed, invoke
from suite.engine.verdict import Verdict
from suite.stats import budget as budgets
from suite.stats import rounding, significance

MAX_ROUNDS = 64
STATISTICAL = ("layout.scale",)


def nan_tensor(shape: tuple[int, ...], dtype: torch.dtype) -> torch.Tensor:
    """A contiguous tensor of NaN (through numpy where it has the dtype: the suite's own bookkeeping
    stays single-threaded, off torch's thread pool)."""
    if dtype == torch.bfloat16:
        return torch.full(shape, float("nan"), dtype=dtype)
    return torch.from_numpy(np.full(shape, np.nan, dtype=str(dtype)[6:]))


def _nan_count(t: torch.Tensor) -> int:
    return int(torch.isnan(t).sum()) if t.dtype == torch.bfloat16 else int(np.isnan(t.numpy()).sum())


def views(shape: tuple[int, ...], dtype: torch.dtype) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """layout -> (the storage's owner filled with NaN, a view of ``shape`` into it)."""
    out: dict[str, tuple[torch.Tensor, torch.Tensor]] = {}
    if len(shape) >= 2:
        parent = nan_tensor((shape[1], shape[0], *shape[2:]), dtype)
        out["transposed"] = (parent, parent.transpose(0, 1))
    parent = nan_tensor((2 * shape[0], *shape[1:]), dtype)
    out["packed_rows"] = (parent, parent[shape[0] :])  # an LSTM gate, the k of an in-projection: an offset
    parent = nan_tensor((*shape[:-1], 2 * shape[-1]), dtype)
    out["packed_columns"] = (parent, parent[..., shape[-1] :])  # a block of a fused matrix
    order = {4: (0, 2, 3, 1), 5: (0, 2, 3, 4, 1)}.get(len(shape))
    if order is not None:  # channels_last(_3d): the channel dimension innermost
        kernel = nan_tensor(tuple(shape[d] for d in order), dtype).permute(*(order.index(d) for d in range(len(shape))))
        out["channels_last"] = (kernel, kernel)
    return out


def _outside_untouched(parent: torch.Tensor, view: torch.Tensor) -> bool:
    """Every element of the storage outside the (filled, NaN-free) view still holds the NaN sentinel."""
    return parent is view or _nan_count(parent) == parent.numel() - view.numel()


def check(case: CheckCase, fn) -> list[Verdict]:
    """The in-place verdict for each layout, and (``case.claim.marginal``) the pooled scale test."""
    c, seconds = case.call, case.plan.budget.time_limit
    dtype = getattr(torch, c.dtype)
    random = case.spec.random
    law = case.claim.marginal if case.spec.kind == "marginal" else None
    layouts = list(views(c.shape, dtype))
    per_round = c.numel * len(layouts)
    rounds = max(1, min(MAX_ROUNDS, math.ceil(case.plan.budget.layout_values / per_round))) if law is not None else 1
    failures: dict[str, str] = {}
    pooled: list[torch.Tensor] = []
    for r in range(rounds if random else 1):
        for layout, (parent, view) in views(c.shape, dtype).items():
            if layout in failures:
                continue
            seed = derive_seed(case.seed, "layout", layout, r) if random else None
            try:
                invoke(fn, view, c.args, seed, seconds)
            except CallFailed as failure:
                failures[layout] = str(failure)
                continue
            unfilled = _nan_count(view)
            if unfilled:
                failures[layout] = f"{unfilled} of {view.numel()} elements of the view left unfilled"
            elif not _outside_untouched(parent, view):
                failures[layout] = "elements of the storage outside the view were written"
            elif case.claim.exact is not None:
                want = torch.from_numpy(case.claim.exact(c.shape)).to(dtype)
                if not torch.equal(view, want):
                    failures[layout] = "the view's values differ from the exact tensor"
            elif law is not None:
                pooled.append(view.reshape(-1))
    verdicts = [
        case.exact(
            f"layout.in_place({layout})",
            layout not in failures,
            f"a {layout.replace('_', ' ')} view of shape {c.shape} is filled in place with the claim; "
            "nothing outside it is written",
            measured=failures.get(layout, "filled in place"),
        )
        for layout in layouts
    ]
    if law is not None and pooled:
        values = torch.cat(pooled).double().numpy()
        if np.isfinite(values).all() and values.size > 1:
            verdicts.append(
                case.tested(
                    "layout.scale",
                    significance.variance_test(
                        values, rounding.moments(law, dtype), case.plan.check_alpha, budgets.STATED_STD_ERROR
                    ),
                    values.size,
                    f"the views' values have the claimed std ({', '.join(layouts)}; {rounds} rounds)",
                )
            )
    return verdicts
