"""Ledgers of known deviations: a target's failing checks that are understood and documented.

A ledger is a TOML file of ``[[deviation]]`` entries, each a ``check`` pattern (fnmatch over verdict
ids such as ``sparse_/api.generator#0``) and the ``reason``. The ledger named after a target
(``suite/ledgers/<target>.toml``) applies to it automatically; ``--expect FILE`` replaces it
(``--expect /dev/null``: none). A ledgered check that fails is a ``deviation``; one that passes now
is reported as ``deviation-fixed``.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from pathlib import Path

import tomllib

from .verdict import DEVIATION, DEVIATION_FIXED, FAIL, PASS, Verdict

LEDGERS = Path(__file__).parent / "ledgers"


@dataclass
class Entry:
    check: str
    reason: str
    matched: int = 0


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
            if not isinstance(item, dict) or not isinstance(item.get("check"), str) or not item.get("reason"):
                raise ValueError(f"--expect: {str(path)!r} entry {i + 1} needs a 'check' pattern and a 'reason'")
            entries.append(Entry(item["check"], str(item["reason"]).strip()))
        return cls(str(path), entries)

    @classmethod
    def for_target(cls, target: str) -> Ledger | None:
        path = LEDGERS / f"{target}.toml"
        return cls.read(path) if path.is_file() else None

    def match(self, verdict: Verdict) -> Entry | None:
        for entry in self.entries:
            if fnmatch.fnmatchcase(verdict.id, entry.check):
                return entry
        return None

    def apply(self, verdicts: list[Verdict]) -> None:
        for verdict in verdicts:
            entry = self.match(verdict)
            if entry is None:
                continue
            entry.matched += 1
            if verdict.status == FAIL:
                verdict.status = DEVIATION
                verdict.reason = f"known deviation: {entry.reason}" + (f" ({verdict.reason})" if verdict.reason else "")
            elif verdict.status == PASS:
                verdict.status = DEVIATION_FIXED
                verdict.reason = f"listed as a known deviation, but passes now: {entry.reason}"

    def to_json(self) -> dict:
        return {"path": self.path, "entries": [{"check": e.check, "reason": e.reason} for e in self.entries]}
