"""The named properties that need a network rather than one tensor.

He propagation (He et al. 2015; the exact finite-width law of Hanin & Rolnick 2018): in a deep ReLU
network with zero biases and N(0, 2 / fan_in) weights, the per-layer ratio of mean squared activations
r = M_j / M_{j-1} equals (2 / n_j) sum_i relu(z_i)^2 with z_i iid N(0, 1), whatever the input: E r = 1
and Var r = 5 / n_j exactly, independently across layers. For any other symmetric weight law of the
same variance (kaiming_uniform_) E r = 1 still holds exactly and Var r <= 5 / n_j (its kurtosis is
below the normal's), so the same test is conservative. Backward, with fan_out weights, the ratio of
mean squared gradients has mean 1 exactly at the top layer and to within the gradient-independence
approximation below it (Schoenholz et al. 2017), variance 5 / n: the test allows 1 / n_min for that.
Contrast: Xavier weights (variance 1 / n on equal widths) give E r = 1/2, the torch default
U(+-1/sqrt(n)) (kaiming_uniform_ with a = sqrt 5) gives E r = 1/6.

Symmetry: after constant initialisation the hidden units of an MLP receive identical gradients and stay
identical through minibatch SGD, so the layer acts as one unit; random initialisation or dropout
makes them differ.
"""

from __future__ import annotations

import functools
import itertools
import math

import numpy as np
import torch

from suite.engine.checks.context import RunPlan
from suite.engine.invoke import CallFailed, derive_seed, invoke
from suite.engine.targets import Target
from suite.engine.verdict import Verdict
from suite.stats import significance

PROPERTIES = ("he_propagation", "symmetry")
STATISTICAL_CHECKS = 6
WIDTHS = (128, 256)  # alternating, so that fan_in and fan_out differ
DEPTH = 16
CONTRAST_WIDTH = 128


def run(name: str, target: Target, plan: RunPlan, seed: int) -> list[Verdict]:
    return {"he_propagation": he_propagation, "symmetry": symmetry}[name](target, plan, seed)


def _verdict(
    target: Target, prop: str, check: str, call: str, claim: str, passed: bool, seed: int, **fields
) -> Verdict:
    return Verdict(
        target=target.name,
        initializer=prop,
        check=check,
        case=0,
        call=call,
        claim=claim,
        passed=bool(passed),
        seed=seed,
        demo=prop.replace("_", "-"),
        **fields,
    )


# --- He propagation --------------------------------------------------------------------------------


def _layer_ratios(fn, kwargs: dict, widths: list[int], seed: int, seconds: float, backward: bool):
    """Per-layer ratios of mean squares (activations forward, gradients backward) of one network whose
    weights the target draws; returns (ratios, widths the ratios' variances refer to)."""
    g = torch.Generator().manual_seed(seed)
    weights = []
    for layer, (fan_in, fan_out) in enumerate(itertools.pairwise(widths)):
        w = torch.empty(fan_out, fan_in)
        invoke(fn, w, kwargs, derive_seed(seed, layer), seconds)
        weights.append(w)
    # float32 arithmetic, as the weights come: its relative error (~1e-6 over a few hundred terms) is far
    # below the test's resolution (a ratio's std is sqrt(5 / n) > 0.1); a float64 copy of every weight
    # cost a fifth of the property's time
    x = torch.randn(widths[0], generator=g)
    hidden, pre = [x], []
    for w in weights:
        pre.append(w @ hidden[-1])
        hidden.append(torch.relu(pre[-1]))
    if not backward:
        squares = np.array([float(h.square().mean()) for h in hidden])
        return squares[1:] / squares[:-1], np.array(widths[1:])
    grad = torch.randn(widths[-1], generator=g)
    squares = [float(grad.square().mean())]
    for w, y in zip(reversed(weights), reversed(pre), strict=True):
        grad = w.T @ (grad * (y > 0))
        squares.append(float(grad.square().mean()))
    squares = np.array(squares)
    return squares[1:] / squares[:-1], np.array(widths[-2::-1])


def _ratio_test(ratios, ns, expected: float, variance_factor: float, alpha: float, allowance: float):
    """z-test of the mean ratio against ``expected`` with Var r_j = variance_factor * expected^2 * 5 / n_j
    (known), allowing a deviation of ``allowance``; power against a 2% error of the weights' std."""
    n = ratios.size
    se = math.sqrt(float(np.sum(variance_factor * expected**2 * 5.0 / ns)) / n**2)
    gap = max(0.0, abs(float(ratios.mean()) - expected) - allowance)
    z = gap / se
    p = significance.at_most_one(2 * float(significance.stats.norm.sf(z)))
    shift = expected * (1.02**2 - 1) - allowance
    power = significance.z_power(max(shift, 0.0) / (se * math.sqrt(n)), n, alpha)
    return significance.TestResult(
        z,
        p,
        float(ratios.mean()),
        expected,
        power,
        "weights' std off by 2% (mean ratio off by 4%)",
        uniform=allowance == 0,  # an allowance makes the test conservative
    )


def he_propagation(target: Target, plan: RunPlan, seed: int) -> list[Verdict]:
    verdicts = []
    networks, seconds = plan.budget.network_draws, plan.budget.time_limit
    widths = [WIDTHS[i % 2] for i in range(DEPTH + 1)]
    cases = [
        ("kaiming_normal_", "forward", {"mode": "fan_in", "nonlinearity": "relu"}, 1.0, 0.0),
        ("kaiming_uniform_", "forward", {"mode": "fan_in", "nonlinearity": "relu"}, 1.0, 0.0),
        ("kaiming_normal_", "backward", {"mode": "fan_out", "nonlinearity": "relu"}, 1.0, 1.0 / min(WIDTHS)),
        ("kaiming_uniform_", "backward", {"mode": "fan_out", "nonlinearity": "relu"}, 1.0, 1.0 / min(WIDTHS)),
        ("xavier_normal_", "forward", {}, 0.5, 0.0),
        ("kaiming_uniform_", "forward", {"a": math.sqrt(5.0)}, 1.0 / 6.0, 0.0),
    ]
    for index, (name, direction, kwargs, expected, allowance) in enumerate(cases):
        fn = target.function(name)
        if fn is None:
            continue
        net_widths = widths if expected == 1.0 else [CONTRAST_WIDTH] * (DEPTH + 1)
        case_seed = derive_seed(seed, name, direction, index)
        arguments = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
        call = f"{DEPTH}-layer ReLU MLP, widths {net_widths[:3]}..., {networks} networks, weights {name}({arguments})"
        label = {
            1.0: "preserved (ratio 1)",
            0.5: "halved per layer (Xavier)",
            1.0 / 6.0: "a sixth per layer (torch default)",
        }
        claim = f"mean squared {'activation' if direction == 'forward' else 'gradient'} {label[expected]} per layer"
        check = f"{direction}({name}{', a=sqrt 5' if 'a' in kwargs else ''})"
        verdict = functools.partial(_verdict, target, "he_propagation", check, call, claim, seed=case_seed)

        try:
            parts = [
                _layer_ratios(fn, kwargs, net_widths, derive_seed(case_seed, k), seconds, direction == "backward")
                for k in range(networks)
            ]
        except CallFailed as failure:
            verdicts.append(verdict(False, reason=str(failure)))
            continue
        ratios, ns = np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
        if not np.isfinite(ratios).all():
            verdicts.append(verdict(False, reason="non-finite activations or gradients"))
            continue
        result = _ratio_test(ratios, ns, expected, 1.0, plan.check_alpha, allowance)
        note = f", allowance {allowance:.3g}" if allowance else ""
        verdicts.append(
            verdict(
                True,
                claimed=expected,
                measured=result.measured,
                statistic=result.statistic,
                p_value=result.p_value,
                alpha=plan.check_alpha,
                sample_size=int(ratios.size),
                power=result.power,
                effect=result.effect,
                reason=f"mean of {ratios.size} per-layer ratios; Var r = 5/n per layer{note}",
                p_uniform=result.uniform,
            )
        )
    return verdicts


# --- symmetry -------------------------------------------------------------------------------------------

HIDDEN, INPUTS, STEPS, BATCH, LEARNING_RATE = 16, 8, 20, 8, 0.1


def _train(w1: torch.Tensor, w2: torch.Tensor, seed: int, dropout: float) -> tuple[torch.Tensor, torch.Tensor]:
    """k steps of minibatch SGD on a fixed regression task; returns the trained layers (float64)."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(64, INPUTS, dtype=torch.float64, generator=g)
    y = torch.sin(x.sum(dim=1, keepdim=True))
    w1, w2 = w1.double().clone().requires_grad_(True), w2.double().clone().requires_grad_(True)
    for _ in range(STEPS):
        batch = torch.randint(0, x.shape[0], (BATCH,), generator=g)
        h = torch.tanh(x[batch] @ w1.T)
        if dropout:
            keep = torch.bernoulli(torch.full_like(h, 1 - dropout), generator=g)
            h = h * keep / (1 - dropout)
        loss = ((h @ w2.T - y[batch]) ** 2).mean()
        g1, g2 = torch.autograd.grad(loss, (w1, w2))
        with torch.no_grad():
            w1 -= LEARNING_RATE * g1
            w2 -= LEARNING_RATE * g2
    return w1.detach(), w2.detach()


def distinct_units(w1: torch.Tensor, w2: torch.Tensor, tolerance: float = 1e-9) -> int:
    """Hidden units that differ (incoming and outgoing weights), up to a relative tolerance for the
    summation-order rounding of the matrix products."""
    return distinct_rows(torch.cat([w1, w2.T], dim=1), tolerance)


def distinct_rows(units: torch.Tensor, tolerance: float = 1e-9) -> int:
    """Rows (one hidden unit's parameters each) that differ by more than ``tolerance`` times the largest
    absolute entry; the report's symmetry demonstration counts its units with this too."""
    units = units.detach().double().numpy()
    scale = max(float(np.abs(units).max()), 1e-300)
    distinct: list[np.ndarray] = []
    for unit in units:
        if not any(np.max(np.abs(unit - d)) <= tolerance * scale for d in distinct):
            distinct.append(unit)
    return len(distinct)


def symmetry(target: Target, plan: RunPlan, seed: int) -> list[Verdict]:
    constant, random = target.function("constant_"), target.function("kaiming_uniform_")
    seconds = plan.budget.time_limit
    verdicts = []
    setups = [
        (
            "constant",
            "hidden units stay identical after constant initialisation",
            constant,
            0.0,
            lambda d: d == 1,
        ),
        (
            "dropout",
            "dropout breaks the symmetry of a constant initialisation",
            constant,
            0.5,
            lambda d: d == HIDDEN,
        ),
        (
            "random",
            "random initialisation makes every hidden unit different",
            random,
            0.0,
            lambda d: d == HIDDEN,
        ),
    ]
    for name, claim, fn, dropout, holds in setups:
        if fn is None:
            continue
        case_seed = derive_seed(seed, name)
        w1, w2 = torch.empty(HIDDEN, INPUTS), torch.empty(1, HIDDEN)
        fn_name = "constant_" if fn is constant else "kaiming_uniform_"
        call = (
            f"MLP {INPUTS}-{HIDDEN}-1 (tanh), {STEPS} SGD steps of batch {BATCH}"
            f"{', dropout 0.5' if dropout else ''}, weights {fn_name}"
        )
        try:
            for w, value in ((w1, 0.3), (w2, 0.2)):
                if fn is constant:
                    invoke(fn, w, {"val": value}, None, seconds)
                else:
                    invoke(fn, w, {}, derive_seed(case_seed, value), seconds)
        except CallFailed as failure:
            verdicts.append(_verdict(target, "symmetry", name, call, claim, False, case_seed, reason=str(failure)))
            continue
        distinct = distinct_units(*_train(w1, w2, case_seed, dropout))
        verdicts.append(
            _verdict(
                target,
                "symmetry",
                name,
                call,
                claim,
                holds(distinct),
                case_seed,
                claimed=1 if name == "constant" else HIDDEN,
                measured=distinct,
                reason=f"{distinct} distinct hidden units of {HIDDEN} after {STEPS} steps",
            )
        )
    return verdicts
