"""Rare events sized into the bound checks, and functions without ``generator=`` verified under a global seed.

The sample sizes are restated from the binomial law: among n independent values each violating with
probability r, P(at least one) = 1 - (1 - r)^n >= 0.99 needs n >= ln(0.01) / ln(1 - r) (4,605,168 for
r = 1e-6).
"""

import math
import types

import torch

from suite.engine import invoke, rare, targets, verification
from suite.stats import budget as budgets


def test_the_default_budget_finds_one_violation_per_million_with_probability_099():
    n = rare.values_needed(budgets.get("default").rare_rate)
    assert budgets.get("default").rare_rate == 1e-6
    assert 1 - (1 - 1e-6) ** n >= 0.99 > 1 - (1 - 1e-6) ** (n - 1)
    assert n == 4_605_168 and math.isclose(rare.detection_probability(n, 1e-6), 0.99, abs_tol=1e-8)


def _module(**functions) -> targets.Target:
    return targets.Target("user", types.SimpleNamespace(**functions))


def _rarely_out_of_bounds(tensor, a=0.0, b=1.0, generator=None):
    """U(a, b) except about 3 values in 100,000 set to b + (b - a): a rare-event bug."""
    tensor.uniform_(a, b, generator=generator)
    hits = torch.rand(tensor.shape, generator=generator) < 3e-5
    tensor[hits] = b + (b - a)
    return tensor


def test_a_bound_broken_rarely_is_found_and_the_support_check_says_how_many_values_it_saw():
    outcome = verification.verify(_module(uniform_=_rarely_out_of_bounds), only=["uniform_"], budget="quick")
    support = [v for v in outcome.verdicts if v.check == "support"]
    needed = rare.values_needed(budgets.get("quick").rare_rate)  # 460,515: 3e-5 gives about 14 hits per case
    assert support and all(v.sample_size >= needed for v in support)
    assert all(not v.passed for v in support), [v.measured for v in support]
    assert all(v.power >= 0.99 for v in support)


def test_a_correct_bounded_law_passes_its_sized_support_check():
    outcome = verification.verify(_module(uniform_=torch.nn.init.uniform_), only=["uniform_"], budget="quick")
    support = [v for v in outcome.verdicts if v.check == "support"]
    assert support and all(v.passed and v.sample_size >= 460_515 for v in support)


def _normal_without_generator(tensor, mean=0.0, std=1.0):
    if not tensor.is_floating_point():
        raise TypeError("tensor: must be a floating-point tensor")
    if std < 0:
        raise ValueError("std: must be >= 0")
    with torch.no_grad():
        return tensor.normal_(mean, std)


def test_a_function_without_generator_is_verified_under_a_global_seed_and_the_global_rng_restored():
    assert not invoke.takes_generator(_normal_without_generator) and invoke.takes_generator(torch.nn.init.normal_)
    state = torch.get_rng_state()
    outcome = verification.verify(_module(normal_=_normal_without_generator), only=["normal_"], budget="quick")
    assert torch.equal(torch.get_rng_state(), state)
    assert outcome.exit_code == 0, [v.describe() for v in outcome.failed]
    (replay,) = [v for v in outcome.verdicts if v.check == "api.generator"]
    assert (
        replay.passed and "generator= not supported" in replay.claim and "generator= not supported" in replay.measured
    )
    again = verification.verify(_module(normal_=_normal_without_generator), only=["normal_"], budget="quick")
    assert [v.measured for v in again.verdicts] == [v.measured for v in outcome.verdicts]  # replays from the seed


def test_a_function_without_generator_that_ignores_the_global_seed_fails_its_replay_check():
    fresh = torch.Generator().manual_seed(12345)

    def normal_(tensor, mean=0.0, std=1.0):  # draws from a private stream: the same seed gives new values
        with torch.no_grad():
            return tensor.normal_(mean, std, generator=fresh)

    outcome = verification.verify(_module(normal_=normal_), only=["normal_"], budget="quick")
    (replay,) = [v for v in outcome.verdicts if v.check == "api.generator"]
    assert not replay.passed


def test_the_bound_count_counts_each_value_outside_and_each_nan_and_keeps_the_extremes():
    count = rare._outside((-1.0, 1.0), torch.float32)
    tally = [0, math.inf, -math.inf]
    count(torch.tensor([0.5, -1.0, 1.0]), tally)  # the bounds themselves are inside
    assert tally == [0, -1.0, 1.0]
    count(torch.tensor([[0.0, 1.5], [-3.0, float("nan")]]), tally)
    assert tally[0] == 3 and tally[1] == -3.0  # 1.5, -3 and NaN; NaN leaves the extremes alone
    count(torch.tensor([2.0, 0.0], dtype=torch.bfloat16), tally)
    assert tally[0] == 4 and tally[2] == 2.0


def test_a_further_call_that_fails_fails_the_support_check_and_says_which():
    calls = []

    def uniform_(tensor, a=0.0, b=1.0, generator=None):
        calls.append(tensor.numel())
        if len(calls) == 40:
            raise RuntimeError("out of luck")
        return tensor.uniform_(a, b, generator=generator)

    outcome = verification.verify(_module(uniform_=uniform_), only=["uniform_"], budget="quick")
    (failed,) = [v for v in outcome.verdicts if v.check == "support" and not v.passed]
    assert "further call" in failed.reason and "RuntimeError: out of luck" in failed.reason
    assert f"{failed.sample_size:,} values" in failed.measured
