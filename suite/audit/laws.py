"""Which law each parameter should follow: the spec's first matching pattern, else the documented
torch default of its module type (:data:`suite.spec.torch_defaults.TORCH_DEFAULTS`), else none.

A law becomes the claims table's own claim for the parameter's shape: ``TABLE[name].claim(call)``
(:mod:`suite.spec.claims`), so the audit checks a parameter exactly as ``verify`` checks one draw of the call.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass

from suite.spec import claims, oracle
from suite.spec.expressions import ExpressionError
from suite.spec.strategies import Call, call
from suite.spec.torch_defaults import TORCH_DEFAULTS, Default

from .params import Param
from .spec import IGNORE, TORCH_DEFAULT, AuditSpec, SpecError, parse_value

CALL, NONE = "call", "none"


@dataclass
class Law:
    kind: str  # CALL, IGNORE or NONE
    text: str  # the call as written (spec) or as documented (torch default)
    origin: str  # where it comes from, for the user
    name: str | None = None
    args: tuple[tuple[str, object], ...] = ()
    zero_row: int | None = None  # a row claimed all zeros and left out of the law (padding_idx)

    def call_for(self, param: Param) -> Call:
        return call(self.name, param.shape, str(param.tensor.dtype).removeprefix("torch."), **dict(self.args))

    def spec(self) -> claims.Spec:
        return claims.TABLE[self.name]

    def claim(self, param: Param) -> claims.Claim:
        return self.spec().claim(self.call_for(param))

    @property
    def random(self) -> bool:
        return self.kind == CALL and self.spec().random


def resolve(params: list[Param], spec: AuditSpec | None) -> dict[str, Law]:
    """The law of every parameter, by name. A pattern that matches nothing, or a law that cannot apply
    to the shape it matched, is a :class:`SpecError` naming the spec's line."""
    laws: dict[str, Law] = {}
    used = set()
    entries = spec.entries if spec else []
    for param in params:
        entry = next((e for e in entries if any(fnmatch.fnmatchcase(n, e.pattern) for n in param.names)), None)
        if entry is not None:
            used.add(entry.pattern)
        where = f"{spec.path}, line {entry.line} ({entry.pattern!r})" if entry else ""
        if entry is None or entry.kind == TORCH_DEFAULT:
            law = torch_default(param)
            if entry is not None:
                law.origin = f"{where}: {law.origin}"
        elif entry.kind == IGNORE:
            law = Law(IGNORE, IGNORE, where)
        else:
            law = Law(CALL, entry.text.strip(), where, entry.name, entry.args, _documented_zero_row(param))
        if law.kind == CALL:
            _check_applies(law, param, where or law.origin)
        laws[param.name] = law
    unmatched = [e for e in entries if e.pattern not in used]
    if unmatched:
        e = unmatched[0]
        raise SpecError(f"{spec.path}, line {e.line}: pattern {e.pattern!r} matches no parameter or buffer")
    return laws


def _check_applies(law: Law, param: Param, where: str) -> None:
    try:
        law.claim(param)
    except (ValueError, KeyError, TypeError, ZeroDivisionError, IndexError) as error:
        raise SpecError(f"{where}: {law.text} cannot apply to {param.name} of shape {param.shape} ({error})") from None


def torch_default(param: Param) -> Law:
    """The documented default of the module type owning ``param``. The outermost owner with an entry
    wins (nn.MultiheadAttention re-initializes its out_proj's bias; nn.Transformer every matrix);
    a subclass that overrides ``reset_parameters`` has no documented default."""
    for prefix, module in param.owners:
        relative = param.name[len(prefix) + 1 :] if prefix else param.name
        for cls in type(module).__mro__:
            if cls not in TORCH_DEFAULTS:
                continue
            if not _same_reset(type(module), cls):
                break
            for pattern, default in TORCH_DEFAULTS[cls].items():
                if fnmatch.fnmatchcase(relative, pattern) and param.tensor.dim() >= default.min_dim:
                    return _from_default(default, module, cls, relative, param)
            break
    owner = type(param.owners[-1][1])
    return Law(NONE, "no law", f"no spec entry and no documented default for {owner.__module__}.{owner.__qualname__}")


def _documented_zero_row(param: Param) -> int | None:
    """A row the owner's type keeps at zero whatever the law (nn.Embedding's padding_idx), from the table."""
    prefix, module = param.owners[-1]
    relative = param.name[len(prefix) + 1 :] if prefix else param.name
    for cls in type(module).__mro__:
        default = TORCH_DEFAULTS.get(cls, {}).get(relative)
        if default is not None and default.zero_row:
            row = getattr(module, default.zero_row, None)
            return None if row is None else row % param.shape[0]
    return None


def _same_reset(module_type: type, cls: type) -> bool:
    return all(
        getattr(module_type, method, None) is getattr(cls, method, None)
        for method in ("reset_parameters", "_reset_parameters")
    )


def _from_default(default: Default, module, cls: type, relative: str, param: Param) -> Law:
    variables = {a: float(getattr(module, a)) for a in default.attributes}
    source = getattr(module, default.fan_of) if default.fan_of else param.tensor
    if source is not None and source.dim() >= 2:
        variables["fan_in"], variables["fan_out"] = (float(f) for f in oracle.fans(tuple(source.shape)))
    origin = f"torch default of nn.{cls.__name__}.{relative}"
    try:
        kind, name, args = parse_value(default.call, variables, origin)
    except (SpecError, ExpressionError) as error:
        return Law(NONE, "no law", f"{origin}: not applicable ({error})")
    zero_row = getattr(module, default.zero_row, None) if default.zero_row else None
    if zero_row is not None and zero_row < 0:
        zero_row += param.shape[0]
    return Law(kind, default.call, origin, name, tuple(args.items()), zero_row)
