"""Ledgers of known deviations: a target's failing checks that are understood and documented.

A ledger is a TOML file of ``[[deviation]]`` entries, each a ``check`` pattern or list of patterns
(fnmatch over verdict ids such as ``sparse_/api.generator#0``), optionally a ``call`` pattern
(fnmatch over the call, e.g. ``*dtype=torch.*float16*``) or a ``call_regex`` (a regular expression searched
in the call, for what fnmatch cannot say), optionally a ``target`` (the target's name, or a fnmatch pattern over
it, for what only one backend does: ``keras.initializers[torch]``), the ``reason``, and optionally ``reproduce``
(a few lines of Python a user can paste; kept verbatim) and ``rare = true`` (the deviation touches so few values
that a sample may hold none: an exact check that passes is then no evidence of a fix either). The ledger
named after a target (``suite/ledgers/<target>.toml``) applies to it automatically; ``--expect FILE`` replaces it
(``--expect /dev/null``: none). A ledgered check that fails is a ``deviation``; an exact one that passes now
is reported as ``deviation-fixed`` (a statistical one that passes stays ``pass``: one draw missing a
small deviation is no evidence that it is gone). A top-level ``include = ["other.toml"]`` (paths relative to
the ledger) appends another ledger's entries after its own: a library whose functions wrap torch's shares
torch's ledger.
"""

from __future__ import annotations

import fnmatch
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from suite.engine.verdict import DEVIATION, DEVIATION_FIXED, FAIL, PASS, Verdict

LEDGERS = Path(__file__).parents[1] / "ledgers"


@dataclass
class Entry:
    check: tuple[str, ...]
    reason: str
    call: str = "*"
    call_regex: str | None = None
    target: str = "*"
    reproduce: str | None = None
    rare: bool = False
    matched: int = 0

    def matches(self, verdict: Verdict) -> bool:
        return (
            any(fnmatch.fnmatchcase(verdict.id, p) for p in self.check)
            and fnmatch.fnmatchcase(verdict.call, self.call)
            and (verdict.target == self.target or fnmatch.fnmatchcase(verdict.target, self.target))
            and (self.call_regex is None or re.search(self.call_regex, verdict.call) is not None)
        )


@dataclass
class Ledger:
    path: str
    entries: list[Entry] = field(default_factory=list)

    @classmethod
    def read(cls, path: str | Path) -> Ledger:
        path = Path(path)
        try:
            text = path.read_text()
        except OSError as error:
            raise ValueError(f"--expect: cannot read {str(path)!r} ({error.strerror})") from None
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise ValueError(f"--expect: {str(path)!r} is not valid TOML ({error})") from None
        entries = []
        for i, item in enumerate(data.get("deviation", [])):
            check = item.get("check") if isinstance(item, dict) else None
            patterns = (check,) if isinstance(check, str) else tuple(check) if isinstance(check, list) else ()
            if not patterns or not all(isinstance(p, str) for p in patterns) or not item.get("reason"):
                raise ValueError(f"--expect: {str(path)!r} entry {i + 1} needs 'check' pattern(s) and a 'reason'")
            regex = item.get("call_regex")
            if regex is not None:
                try:
                    re.compile(regex)
                except (re.error, TypeError) as error:
                    raise ValueError(
                        f"--expect: {str(path)!r} entry {i + 1}: call_regex is not a regular expression ({error})"
                    ) from None
            reason = " ".join(str(item["reason"]).split())
            entries.append(
                Entry(
                    patterns,
                    reason,
                    item.get("call", "*"),
                    regex,
                    item.get("target", "*"),
                    item.get("reproduce"),
                    item.get("rare") is True,
                )
            )
        includes = data.get("include", [])
        if not isinstance(includes, list) or not all(isinstance(i, str) for i in includes):
            raise ValueError(f"--expect: {str(path)!r}: include must be a list of ledger paths")
        for included in includes:
            entries += cls.read(path.parent / included).entries
        return cls(str(path), entries)

    @classmethod
    def for_target(cls, target: str) -> Ledger | None:
        """The ledger named after the target; a backend's target (``keras.initializers[jax]``) shares its
        framework's (``keras.initializers.toml``)."""
        path = LEDGERS / f"{target.partition('[')[0]}.toml"
        return cls.read(path) if path.is_file() else None

    def match(self, verdict: Verdict) -> Entry | None:
        for entry in self.entries:
            if entry.matches(verdict):
                return entry
        return None

    def apply(self, verdicts: list[Verdict]) -> None:
        for verdict in verdicts:
            entry = self.match(verdict)
            if entry is None:
                continue
            entry.matched += 1
            verdict.known_deviation = True
            if verdict.status == FAIL:
                verdict.status = DEVIATION
                verdict.reason = f"known deviation: {entry.reason}" + (f" ({verdict.reason})" if verdict.reason else "")
            elif verdict.status == PASS and (verdict.statistical or entry.rare):
                # A statistical check may miss a small deviation in one draw: not evidence of a fix.
                verdict.reason = "ledgered deviation not detected in this draw (it may be below this sample's power)"
            elif verdict.status == PASS:
                verdict.status = DEVIATION_FIXED
                verdict.reason = f"listed as a known deviation, but passes now: {entry.reason}"

    def to_json(self) -> dict:
        path = Path(self.path)
        shown = path.relative_to(LEDGERS.parent.parent) if path.is_relative_to(LEDGERS.parent.parent) else path
        return {
            "path": str(shown),
            "entries": [
                {
                    "check": list(e.check),
                    "call": e.call,
                    **({"call_regex": e.call_regex} if e.call_regex else {}),
                    **({"target": e.target} if e.target != "*" else {}),
                    "reason": e.reason,
                    **({"reproduce": e.reproduce} if e.reproduce else {}),
                    **({"rare": True} if e.rare else {}),
                    "matched": e.matched,
                }
                for e in self.entries
            ],
        }
