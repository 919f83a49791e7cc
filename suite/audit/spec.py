"""Audit specs: what each parameter of a model should be, as a TOML file.

```toml
[vars]
n_layer = 4

[params]   # glob patterns over named_parameters() and named_buffers(); the first match wins
"*.attn.c_proj.weight" = "normal_(std=0.02 / sqrt(2 * n_layer))"
"*.bias"               = "zeros_()"
"head.weight"          = "torch_default"
"rope.*"               = "ignore"

[propagation]
max_growth = 2.0
```

A value is a call of an initializer in the claims table (keyword arguments, values arithmetic over
numbers, the vars, ``sqrt`` and ``pi``: :mod:`suite.spec.expressions`), ``torch_default`` (the
documented default of the parameter's module type, :mod:`suite.spec.torch_defaults`) or ``ignore``.
Every error is a :class:`SpecError` naming the file and line.
"""

from __future__ import annotations

import functools
import inspect
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from suite.spec.claims import TABLE
from suite.spec.expressions import ExpressionError, evaluate, parse_call

TORCH_DEFAULT, IGNORE = "torch_default", "ignore"
SECTIONS = ("vars", "params", "propagation")
PROPAGATION_KEYS = ("max_growth",)


class SpecError(ValueError):
    """A spec that cannot be used: the message names the file, the line and the rule."""


@dataclass(frozen=True)
class Entry:
    """One ``[params]`` line: a glob pattern and what matching parameters should be."""

    pattern: str
    text: str  # the value as written
    line: int
    kind: str  # "call", TORCH_DEFAULT or IGNORE
    name: str | None = None  # the initializer, for a call
    args: tuple[tuple[str, object], ...] = ()

    @property
    def where(self) -> str:
        return f"line {self.line}" if self.line else "built-in"


@dataclass
class AuditSpec:
    path: str | None = None
    variables: dict[str, float] = field(default_factory=dict)
    entries: list[Entry] = field(default_factory=list)
    max_growth: float | None = None


@functools.lru_cache(maxsize=64)
def accepted_arguments(name: str) -> tuple[str, ...]:
    """The keyword arguments ``name`` takes besides the tensor and generator (initlib's signature,
    which is torch.nn.init's plus initlib's own initializers)."""
    import initlib

    parameters = inspect.signature(getattr(initlib, name)).parameters
    return tuple(p for p in list(parameters)[1:] if p != "generator")


def parse_value(text: str, variables: dict[str, float], where: str) -> tuple[str, str | None, dict]:
    """(kind, initializer, arguments) of a ``[params]`` value; :class:`SpecError` otherwise."""
    stripped = text.strip()
    if stripped in (TORCH_DEFAULT, IGNORE):
        return stripped, None, {}
    try:
        name, args = parse_call(stripped, variables)
    except ExpressionError as error:
        raise SpecError(f"{where}: {error}") from None
    if name not in TABLE:
        known = ", ".join(sorted(TABLE))
        raise SpecError(f"{where}: unknown initializer {name!r} (known: {known}, {TORCH_DEFAULT}, {IGNORE})")
    accepted = accepted_arguments(name)
    unknown = [key for key in args if key not in accepted]
    if unknown:
        raise SpecError(f"{where}: {name} takes no argument {', '.join(unknown)} (it takes: {', '.join(accepted)})")
    return "call", name, args


def load(path: str | Path) -> AuditSpec:
    """Read and check a spec file (everything but the patterns' matches, which need the model)."""
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as error:
        raise SpecError(f"--spec: cannot read {str(path)!r} ({error.strerror})") from None
    return parse(text, str(path))


def parse(text: str, name: str = "<spec>") -> AuditSpec:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SpecError(f"{name}: not TOML: {error}") from None
    unknown = [key for key in data if key not in SECTIONS]
    if unknown:
        raise SpecError(f"{name}: unknown section [{unknown[0]}] (sections: {', '.join(SECTIONS)})")
    lines = text.splitlines()
    spec = AuditSpec(path=name)
    for key, value in data.get("vars", {}).items():
        where = f"{name}, line {_line_of(lines, key, 'vars')}"
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise SpecError(f"{where}: var {key!r} must be a number or an expression, got {value!r}")
        try:
            spec.variables[key] = float(evaluate(value, spec.variables) if isinstance(value, str) else value)
        except ExpressionError as error:
            raise SpecError(f"{where}: {error}") from None
    for pattern, value in data.get("params", {}).items():
        line = _line_of(lines, pattern, "params")
        where = f"{name}, line {line} ({pattern!r})"
        if not isinstance(value, str):
            raise SpecError(f'{where}: the value must be a string such as "normal_(std=0.02)", got {value!r}')
        kind, initializer, args = parse_value(value, spec.variables, where)
        spec.entries.append(Entry(pattern, value, line, kind, initializer, tuple(args.items())))
    propagation = data.get("propagation", {})
    for key, value in propagation.items():
        where = f"{name}, line {_line_of(lines, key, 'propagation')}"
        if key not in PROPAGATION_KEYS:
            raise SpecError(f"{where}: unknown key {key!r} in [propagation] (known: {', '.join(PROPAGATION_KEYS)})")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 1:
            raise SpecError(f"{where}: max_growth must be a number > 1, got {value!r}")
        spec.max_growth = float(value)
    return spec


def _line_of(lines: list[str], key: str, section: str) -> int:
    """The 1-based line defining ``key`` in ``[section]`` (0 when it cannot be found)."""
    current = None
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if line.startswith("[") and not line.startswith("[["):
            current = line.strip("[] ").split("]")[0].strip()
            continue
        if current != section:
            continue
        for quoted in (f'"{key}"', f"'{key}'", key):
            if line.startswith(quoted) and line[len(quoted) :].lstrip().startswith("="):
                return number
    return 0
