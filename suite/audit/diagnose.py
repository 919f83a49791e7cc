"""What a sample looks like: the best-fitting description of a parameter that fails its law or has none.

The family (normal, uniform, constant) is the one whose fitted law is nearest by the Kolmogorov-Smirnov
distance (scipy.stats.kstest with the fitted parameters); the scale is given as the std, in units of
1/sqrt(fan_in) and 1/sqrt(fan_avg), against the expected std, and against the well-known conventions
for the shape (formulas from :mod:`suite.spec.oracle`: torch's Linear/Conv default U(+-1/sqrt(fan_in)),
Glorot, He, LeCun, N(0, 1), N(0, 0.02^2)).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from suite.spec import oracle

#: A convention "looks like" the sample when its std is within this relative distance.
NEAR = 0.05


def conventions(shape: tuple[int, ...]) -> list[tuple[str, str, float]]:
    """(description, family, std) of the conventions worth naming for a tensor of ``shape``."""
    found = [("N(0, 1) (torch's Embedding default)", "normal", 1.0), ("N(0, 0.02^2)", "normal", 0.02)]
    if len(shape) >= 2 and all(shape):
        fan_in, _ = oracle.fans(shape)
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


def describe(values: np.ndarray, mean: float, std: float, shape: tuple[int, ...], expected_std=None) -> dict:
    """The description of ``values`` (a subsample; ``mean`` and ``std`` of the whole tensor)."""
    record: dict = {"mean": mean, "std": std}
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        record.update(family="non-finite", text="no finite values")
        return record
    if std == 0 or np.ptp(finite) == 0:
        record.update(family="constant", text=f"constant {finite[0]:.6g}")
        return record
    fits = {
        "normal": stats.kstest(finite, "norm", args=(mean, std)).statistic,
        "uniform": stats.kstest(finite, "uniform", args=(mean - math.sqrt(3) * std, 2 * math.sqrt(3) * std)).statistic,
    }
    zero_share = float(np.mean(finite == 0))
    family = min(fits, key=fits.get)
    record.update(family=family, ks_distance=round(float(fits[family]), 4), zero_fraction=round(zero_share, 4))
    parts = [f"{family}, mean {mean:.4g}, std {std:.4g}"]
    if expected_std:
        parts[0] += f", expected {expected_std:.4g} (ratio {std / expected_std:.3f})"
    if len(shape) >= 2 and all(shape):
        fan_in, fan_out = oracle.fans(shape)
        record["std_sqrt_fan_in"] = std * math.sqrt(fan_in)
        record["std_sqrt_fan_avg"] = std * math.sqrt((fan_in + fan_out) / 2)
        parts.append(
            f"std = {record['std_sqrt_fan_in']:.3g}/sqrt(fan_in) = {record['std_sqrt_fan_avg']:.3g}/sqrt(fan_avg)"
        )
    if zero_share > 0.01:
        parts.append(f"{zero_share:.1%} exact zeros")
    near = [
        (abs(std / s - 1), text)
        for text, fam, s in conventions(shape)
        if fam == family and abs(std / s - 1) <= NEAR and abs(mean) < 0.1 * std + 1e-12
    ]
    if near:
        record["looks_like"] = min(near)[1]
        parts.append(f"looks like {record['looks_like']}")
    record["text"] = "; ".join(parts)
    return record
