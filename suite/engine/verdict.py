"""Verdicts: what every check returns (never a bare assert); pytest asserts on them, the command line
and the report serialise them."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

PASS, FAIL, DEVIATION, DEVIATION_FIXED = "pass", "fail", "deviation", "deviation-fixed"


@dataclass
class Verdict:
    @property
    def id(self) -> str:
        return f"{self.initializer}/{self.check}#{self.case}"

    @property
    def statistical(self) -> bool:
        return self.p_value is not None

    target: str
    initializer: str
    check: str
    case: int
    call: str
    claim: str
    passed: bool
    seed: int
    claimed: Any = None
    measured: Any = None
    statistic: float | None = None
    p_value: float | None = None
    p_adjusted: float | None = None
    alpha: float | None = None
    sample_size: int | None = None
    power: float | None = None
    effect: str | None = None
    reason: str = ""
    demo: str | None = None  # the demonstrations this verdict bears on (comma-separated)
    #: The p-value is uniform under the claim (False: a discrete or conservative test, judged by calibration
    #: on its failure proportion only).
    p_uniform: bool = True
    plot: dict | None = None
    status: str = field(default="")
    known_deviation: bool = False  # matched by the target's ledger (whatever the outcome)
    diagnosis: dict | None = None  # what was drawn, for a failing statistical verdict (suite.engine.diagnosis)

    def to_json(self) -> dict:
        record = {"id": self.id, **asdict(self)}
        del record["target"]
        return {key: _plain(value) for key, value in record.items()}

    def describe(self) -> str:
        """A few lines for the terminal: what was claimed, what was measured, how to replay."""
        lines = [f"{self.id}  [{self.status.upper()}]  {self.call}", f"    claim:    {self.claim}"]
        if self.claimed is not None or self.measured is not None:
            lines.append(f"    claimed:  {_short(self.claimed)}    measured: {_short(self.measured)}")
        if self.statistical:
            lines.append(
                f"    p = {self.p_value:.3g} (Holm-adjusted {self.p_adjusted:.3g}; per-check threshold "
                f"{self.alpha:.2g}), n = {self.sample_size}; {power_words(self.p_value, self.power, self.effect)}"
            )
        if self.reason:
            lines.append(f"    why:      {self.reason}")
        if self.diagnosis:
            lines.append(f"    drawn:    {self.diagnosis['text']}")
        lines.append(f"    seed:     {self.seed}")
        return "\n".join(lines)


def power_words(p_value: float | None, power: float | None, effect: str | None) -> str:
    """A verdict's power as a reader takes it in: "detects a 2.00% relative error of the std with probability
    0.99" (the planned effect and its power); a check without a meaningful figure says so in words (an exact
    check; a power under 0.01; a lower bound, such as Massey's for KS, under one half)."""
    if p_value is None:
        return "exact check: no power figure"
    if power is None or not effect:
        return "no power figure for this check"
    main = effect.split(" (")[0]
    main = f"a {main}" if main[:1].isdigit() else main
    if "lower bound" in effect:
        if power < 0.5:
            return f"no meaningful power figure for {main} (only a lower bound, {power:.2g}, is known)"
        return f"detects {main} with probability at least {power:.2f}"
    if power < 0.01:
        return f"no meaningful power against {main} at this sample size (probability {power:.1g})"
    return f"detects {main} with probability {power:.2f}"


def _short(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def _plain(value: Any) -> Any:
    """JSON-safe: numpy scalars to Python, non-finite floats to null (the contract has no NaN)."""
    if hasattr(value, "item") and not isinstance(value, (list, dict)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value
