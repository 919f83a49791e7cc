"""Reads the JSON files the report is made of and checks each against its JSON Schema.

The contracts are the JSON Schema files in ``suite/schemas/`` (one per document kind: ``verify``, ``bench``,
``mutants``, ``calibration``, ``audit``, ``theory``), the same files the writers' tests validate the commands'
real output against; the ``schema`` string each document carries is read from its schema file's ``const``, so
the list of kinds the report reads is the list of files. Validation is the ``jsonschema`` library's.

Every problem is a :class:`ReportInputError` with a one-line message that starts with the file's path: a
missing file, a file that is not JSON (or holds NaN/Infinity, which the contracts forbid), a ``schema`` the
report does not know, a schema of the wrong kind for the option it was given to, or a document that breaks
its contract, naming the field (``verdicts[3] lacks the field 'passed'``). A document that loads has every
field the template reads, so nothing renders as a blank.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

SCHEMA_DIR = resources.files("suite") / "schemas"
#: Document kind (the schema file's stem) -> its ``schema`` string, read from the schema files.
KINDS: dict[str, str] = {
    entry.name.removesuffix(".schema.json"): json.loads(entry.read_text())["properties"]["schema"]["const"]
    for entry in sorted(SCHEMA_DIR.iterdir(), key=lambda e: e.name)
    if entry.name.endswith(".schema.json")
}
VERIFY, BENCH, MUTANTS, CALIBRATION = KINDS["verify"], KINDS["bench"], KINDS["mutants"], KINDS["calibration"]
AUDIT, THEORY = KINDS["audit"], KINDS["theory"]
KNOWN_SCHEMAS = tuple(KINDS.values())


class ReportInputError(Exception):
    """An input file the report cannot use; the message (one line) names the file."""


@dataclass(frozen=True)
class Input:
    """One loaded input file: its path (as given), its schema and its parsed content."""

    path: str
    schema: str
    data: dict[str, Any]


@functools.cache
def validator(schema: str) -> jsonschema.Draft202012Validator:
    """The validator of the document kind whose ``schema`` string is ``schema``."""
    kind = next(k for k, s in KINDS.items() if s == schema)
    return jsonschema.Draft202012Validator(json.loads((SCHEMA_DIR / f"{kind}.schema.json").read_text()))


def _where(path) -> str:
    """A JSON path as a reader writes it: ``verdicts[3].plot``; "the file" at the top."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text.lstrip(".") or "the file"


def problem(schema: str, data: dict) -> str | None:
    """The first contract violation of ``data`` in words (naming the field), or None."""
    errors = sorted(validator(schema).iter_errors(data), key=lambda e: (list(e.absolute_path).__len__(), e.path))
    if not errors:
        return None
    error = jsonschema.exceptions.best_match(errors)
    where = _where(error.absolute_path)
    if error.validator == "required":
        missing = next((f for f in error.validator_value if f not in error.instance), "?")
        return f"{where} lacks the field {missing!r} (required by {schema})"
    if error.validator == "additionalProperties":
        return f"{where}: {error.message} (not in {schema})"
    return f"{where}: {error.message[:160]}"


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not allowed (the contract writes absent numbers as null)")


def _consistent(data: dict) -> str | None:
    """What a JSON Schema cannot say: a verify plot's arrays agree in length; exit status 130 goes with
    ``interrupted``."""
    if ((data.get("summary") or {}).get("exit_code") == 130) != bool(data.get("interrupted")):
        return "summary.exit_code is 130 exactly when the run was interrupted (interrupted: true)"
    for i, verdict in enumerate(data.get("verdicts") or []):
        plot = verdict.get("plot")
        if not plot:
            continue
        where = f"verdicts[{i}].plot"
        if len(plot["hist_edges"]) != len(plot["hist_counts"]) + 1:
            return f"{where}.hist_edges should have one more entry than hist_counts"
        if len(plot["density"]) != len(plot["hist_counts"]):
            return f"{where}.density should have one entry per histogram bin"
        if len(plot["qq_theoretical"]) != len(plot["qq_empirical"]):
            return f"{where}.qq_theoretical and qq_empirical differ in length"
    return None


def load(path: str | Path, expected: str | None = None) -> Input:
    """Read and check one input file; ``expected`` is the schema the option it came from takes."""
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ReportInputError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise ReportInputError(f"{name}: is a directory, not a JSON file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ReportInputError(f"{name}: cannot be read ({exc})") from None
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise ReportInputError(f"{name}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from None
    except ValueError as exc:
        raise ReportInputError(f"{name}: not valid JSON for the report ({exc})") from None
    if not isinstance(data, dict):
        raise ReportInputError(f"{name}: should hold a JSON object with a 'schema' field")
    schema = data.get("schema")
    if schema not in KNOWN_SCHEMAS:
        raise ReportInputError(
            f"{name}: unknown schema {schema!r}; the report reads {', '.join(KNOWN_SCHEMAS)}"
            if schema is not None
            else f"{name}: has no 'schema' field; the report reads {', '.join(KNOWN_SCHEMAS)}"
        )
    if expected is not None and schema != expected:
        raise ReportInputError(f"{name}: holds {schema}, but this option takes {expected} files")
    found = problem(schema, data) or (_consistent(data) if schema == VERIFY else None)
    if found:
        raise ReportInputError(f"{name}: {found}")
    return Input(name, schema, data)
