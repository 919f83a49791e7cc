"""What a sample looks like: the best-fitting description of values that fail their law (or have none).

One piece, used by ``python -m suite verify`` (attached to every statistical verdict that could fail, kept on
the ones that do) and by the model audit (:mod:`suite.audit.run` describes a failing parameter with
:func:`describe`); the report shows the ``text`` it writes.

- The family (normal or uniform) is the one whose fitted law is nearest in Kolmogorov-Smirnov distance
  (``scipy.stats.kstest`` with the sample's mean and std); a zero-range sample is "constant".
- The std is given in units of 1/sqrt(fan_in), 1/sqrt(fan_out) and 1/sqrt(fan_avg) (``std * sqrt(fan)``:
  a He-initialised ReLU layer reads 1.414/sqrt(fan_in), i.e. gain/sqrt(fan_in) with gain sqrt(2)), fans
  from :func:`suite.spec.oracle.fans`.
- The nearest explanation is looked for among two kinds of hypotheses, each a std: the claimed std with
  one fan replaced by another (``expected * sqrt(fan_a / fan_b)``: "matches fan_out"), the claimed std
  scaled by a factor a known mistake introduces (the truncated-normal correction 0.8796 =
  std of N(0, 1) truncated to +-2, from :func:`suite.spec.oracle.truncated_std_units`; sqrt(3), the ratio
  of a uniform's bound to its std; sqrt(2), the ReLU gain), and the well-known conventions for the shape
  (torch's layer default, Glorot, He, LeCun, N(0, 1), N(0, 0.02^2); formulas from the oracle). The nearest
  one within :data:`NEAR` (relative) is named; hypotheses that the claimed std itself is within
  :data:`NEAR` of cannot be told apart from the claim and are left out.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from suite.spec import oracle

#: A hypothesis "matches" the sample when its std is within this relative distance of the measured one.
NEAR = 0.03
#: At most this many values enter the KS family fit (the first ones: draws are i.i.d. by claim).
FIT_SAMPLE = 20_000
FANS = ("fan_in", "fan_out", "fan_avg")


def conventions(shape: tuple[int, ...], layout: str = "torch") -> list[tuple[str, str, float]]:
    """(description, family, std) of the conventions worth naming for a tensor of ``shape``."""
    found = [("N(0, 1) (torch's Embedding default)", "normal", 1.0), ("N(0, 0.02^2)", "normal", 0.02)]
    if len(shape) >= 2 and all(shape):
        fan_in, _ = oracle.fans(shape, layout)
        bound = oracle.default_layer_bound(fan_in)
        found += [
            ("torch's default, U(+-1/sqrt(fan_in))", "uniform", bound / math.sqrt(3.0)),
            ("xavier_uniform_", "uniform", oracle.xavier_std(shape)),
            ("xavier_normal_", "normal", oracle.xavier_std(shape)),
            ("kaiming_normal_(relu, fan_in)", "normal", oracle.kaiming_std(shape, nonlinearity="relu")),
            ("kaiming_uniform_(relu, fan_in)", "uniform", oracle.kaiming_std(shape, nonlinearity="relu")),
            ("kaiming_normal_(relu, fan_out)", "normal", oracle.kaiming_std(shape, 0, "fan_out", "relu")),
            ("lecun_normal_", "normal", oracle.lecun_std(shape)),
        ]
    return found


def fan_values(shape: tuple[int, ...], layout: str = "torch") -> dict[str, float] | None:
    """fan_in, fan_out and fan_avg of ``shape`` (None where a shape has no fans)."""
    if len(shape) < 2 or not all(shape):
        return None
    fan_in, fan_out = oracle.fans(shape, layout)
    return {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}


def hypotheses(expected_std: float | None, fans: dict[str, float] | None) -> list[tuple[str, float]]:
    """(description, std) of the mistakes worth naming, relative to the claimed std."""
    if not expected_std:
        return []
    found = []
    if fans:
        for a in FANS:
            for b in FANS:
                if a != b:
                    found.append(
                        (
                            f"matches {b} (the claimed std with {a} replaced by {b})",
                            expected_std * math.sqrt(fans[a] / fans[b]),
                        )
                    )
    cut = oracle.truncated_std_units()
    for factor, name in ((cut, f"{cut:.4f}"), (math.sqrt(3.0), "sqrt(3)"), (math.sqrt(2.0), "sqrt(2)")):
        found.append((f"matches the std divided by {name}", expected_std / factor))
        found.append((f"matches the std multiplied by {name}", expected_std * factor))
    return found


def describe(
    values: np.ndarray,
    mean: float,
    std: float,
    shape: tuple[int, ...],
    expected_std: float | None = None,
    layout: str = "torch",
) -> dict:
    """The description of ``values`` (a sample; ``mean`` and ``std`` of the whole tensor): a dict with
    ``family``, ``mean``, ``std``, the std in fan units, ``looks_like`` (the nearest hypothesis, when one is
    within :data:`NEAR`) and ``text``, one line for people."""
    record: dict = {"mean": float(mean), "std": float(std)}
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        record.update(family="non-finite", text="no finite values")
        return record
    if std == 0 or np.ptp(finite) == 0:
        record.update(family="constant", text=f"constant {finite[0]:.6g}")
        return record
    fit = finite[:FIT_SAMPLE]
    fits = {
        "normal": stats.kstest(fit, "norm", args=(mean, std)).statistic,
        "uniform": stats.kstest(fit, "uniform", args=(mean - math.sqrt(3) * std, 2 * math.sqrt(3) * std)).statistic,
    }
    zero_share = float(np.mean(finite == 0))
    family = min(fits, key=fits.get)
    record.update(family=family, ks_distance=round(float(fits[family]), 4), zero_fraction=round(zero_share, 4))
    parts = [f"{family}, mean {mean:.4g}, std {std:.4g}"]
    if expected_std:
        record["expected_std"] = float(expected_std)
        parts[0] += f", expected {expected_std:.4g} (ratio {std / expected_std:.3f})"
    fans = fan_values(shape, layout)
    if fans:
        for name, fan in fans.items():
            record[f"std_sqrt_{name}"] = std * math.sqrt(fan)
        parts.append("std = " + " = ".join(f"{record[f'std_sqrt_{n}']:.4g}/sqrt({n})" for n in FANS))
    if zero_share > 0.01:
        parts.append(f"{zero_share:.1%} exact zeros")
    centred = abs(mean) < 0.1 * std + 1e-12
    mistakes = [
        (text, s) for text, s in hypotheses(expected_std, fans) if not expected_std or abs(s / expected_std - 1) > NEAR
    ]
    known = [(text, s) for text, fam, s in conventions(shape, layout) if fam == family and centred]
    mistake, convention = _nearest(std, mistakes), _nearest(std, known)
    if mistake or convention:
        # a mistake relative to the claim explains the sample in the claim's terms: it comes first
        record["looks_like"] = mistake or convention
        parts.append(mistake if mistake else f"looks like {convention}")
        if mistake and convention:
            parts.append(f"the std of {convention}")
    record["text"] = "; ".join(parts)
    return record


def _nearest(std: float, candidates: list[tuple[str, float]]) -> str | None:
    """The description of the candidate std nearest to ``std``, if one is within :data:`NEAR`."""
    near = [(abs(std / s - 1), i, text) for i, (text, s) in enumerate(candidates) if s > 0 and abs(std / s - 1) <= NEAR]
    return min(near)[2] if near else None


def attach(case, tensors: list, verdicts: list, select=None) -> None:
    """Give each statistical verdict of ``verdicts`` that could fail (p-value below the run's family-wise
    alpha, the largest threshold Holm's procedure can reach) the description of what the case drew;
    :func:`suite.engine.verification.settle` drops it from those that pass. Nothing is computed for a
    case whose checks all pass comfortably."""
    suspects = [v for v in verdicts if v.p_value is not None and v.p_value < case.plan.alpha]
    law = case.claim.marginal
    if not suspects or law is None:
        return
    import torch

    raw = torch.cat([t.reshape(-1) for t in tensors])
    if select is not None:
        raw = raw[select(raw)]
    values = raw.double().numpy()
    finite = values[np.isfinite(values)]
    if finite.size < 2:
        return
    layout = case.call.args.get("layout", "torch")
    record = describe(values, float(finite.mean()), float(finite.std()), tuple(case.call.shape), law.std, layout)
    for v in suspects:
        v.diagnosis = record
