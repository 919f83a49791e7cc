"""Reads the JSON files the report is made of and checks them against docs/json-schemas.md.

Every problem is a :class:`ReportInputError` whose message starts with the file's path: a missing file,
a file that is not JSON (or holds NaN/Infinity, which the contract forbids), a ``schema`` the report does
not know, a schema of the wrong kind for the option it was given to, or a field the report needs that is
absent or of the wrong type. Fields beyond the ones checked here are kept and ignored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

VERIFY = "initcheck.verify/1"
BENCH = "initcheck.bench/1"
MUTANTS = "initcheck.mutants/1"
CALIBRATION = "initcheck.calibration/1"
KNOWN_SCHEMAS = (VERIFY, BENCH, MUTANTS, CALIBRATION)

VERDICT_STATUSES = ("pass", "fail", "deviation", "deviation-fixed")
INITIALIZER_STATUSES = ("pass", "fail", "deviation", "not-provided")
MUTANT_STATUSES = ("killed", "survived", "equivalent")


class ReportInputError(Exception):
    """An input file the report cannot use; the message names the file."""


@dataclass(frozen=True)
class Input:
    """One loaded input file: its path (as given), its schema and its parsed content."""

    path: str
    schema: str
    data: dict[str, Any]


_NUM = (int, float)
_OPT_NUM = (int, float, type(None))
_STR = (str,)
_OPT_STR = (str, type(None))
_LIST = (list,)
_DICT = (dict,)
_OPT_DICT = (dict, type(None))
_BOOL = (bool,)

# Field -> accepted types, per object of each schema. Only what the report reads is required.
_VERIFY_TOP = {
    "target": _STR,
    "seed": _NUM,
    "budget": _STR,
    "alpha": _NUM,
    "environment": _DICT,
    "initializers": _LIST,
    "verdicts": _LIST,
    "summary": _DICT,
}
_VERIFY_INITIALIZER = {"name": _STR, "status": _STR, "verdicts": _NUM, "failed": _NUM, "deviations": _NUM}
_VERIFY_VERDICT = {
    "id": _STR,
    "initializer": _STR,
    "check": _STR,
    "claimed": _OPT_NUM + _STR,
    "measured": _OPT_NUM + _STR,
    "statistic": _OPT_NUM,
    "p_value": _OPT_NUM,
    "alpha": _OPT_NUM,
    "sample_size": _OPT_NUM,
    "power": _OPT_NUM,
    "seed": _OPT_NUM,
    "status": _STR,
}
_PLOT = {
    "hist_edges": _LIST,
    "hist_counts": _LIST,
    "density": _LIST,
    "qq_theoretical": _LIST,
    "qq_empirical": _LIST,
}
_BENCH_TOP = {"machine": _DICT, "roofline": _LIST, "results": _LIST}
_BENCH_RESULT = {
    "initializer": _STR,
    "impl": _STR,
    "device": _STR,
    "dtype": _STR,
    "numel": _NUM,
    "bytes": _NUM,
    "median_s": _NUM,
    "gbps": _OPT_NUM,
    "fill_fraction": _OPT_NUM,
    "ratio_to_torch": _OPT_NUM,
}
_ROOFLINE = {"device": _STR, "dtype": _STR, "numel": _NUM, "fill_gbps": _OPT_NUM}
_BENCH_TARGET = {
    "target": _STR,
    "initializer": _STR,
    "device": _STR,
    "value": _OPT_NUM,
    "comparison": _STR,
    "threshold": _NUM,
    "met": (bool, type(None)),
}
_SCALING = {"initializer": _STR, "impl": _STR, "device": _STR, "dtype": _STR, "points": _LIST}
_MUTANTS_TOP = {"mutants": _LIST, "summary": _DICT}
_MUTANT = {"name": _STR, "function": _STR, "kills": _LIST, "killed": _NUM, "runs": _NUM, "status": _STR}
_CALIBRATION_TOP = {"checks": _LIST, "p_values": _DICT, "summary": _DICT}
_CAL_CHECK = {"check": _STR, "runs": _NUM, "failures": _NUM, "proportion": _NUM, "band": _LIST}
_CAL_PVALUES = {"counts": _LIST}


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not allowed (the contract writes absent numbers as null)")


def _fields(path: str, where: str, obj: object, spec: dict[str, tuple[type, ...]]) -> None:
    if not isinstance(obj, dict):
        raise ReportInputError(f"{path}: {where} should be a JSON object, not {type(obj).__name__}")
    for key, types in spec.items():
        if key not in obj:
            raise ReportInputError(f"{path}: {where} lacks the field {key!r}")
        value = obj[key]
        # bool is an int in Python; a JSON true/false is never a number here
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            names = " or ".join("null" if t is type(None) else t.__name__ for t in types)
            raise ReportInputError(f"{path}: {where}.{key} should be {names}, not {json.dumps(value)[:60]}")


def _status(path: str, where: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ReportInputError(f"{path}: {where}.status is {value!r}, expected one of {', '.join(allowed)}")


def _numbers(path: str, where: str, values: list) -> None:
    for i, v in enumerate(values):
        if not isinstance(v, _NUM) or isinstance(v, bool):
            raise ReportInputError(f"{path}: {where}[{i}] should be a number, not {json.dumps(v)[:60]}")


def _check_verify(path: str, data: dict) -> None:
    _fields(path, "the file", data, _VERIFY_TOP)
    for i, ini in enumerate(data["initializers"]):
        _fields(path, f"initializers[{i}]", ini, _VERIFY_INITIALIZER)
        _status(path, f"initializers[{i}]", ini["status"], INITIALIZER_STATUSES)
    for i, verdict in enumerate(data["verdicts"]):
        where = f"verdicts[{i}]"
        _fields(path, where, verdict, _VERIFY_VERDICT)
        _status(path, where, verdict["status"], VERDICT_STATUSES)
        plot = verdict.get("plot")
        if plot is not None:
            _fields(path, f"{where}.plot", plot, _PLOT)
            for key in _PLOT:
                _numbers(path, f"{where}.plot.{key}", plot[key])
            if len(plot["hist_edges"]) != len(plot["hist_counts"]) + 1:
                raise ReportInputError(f"{path}: {where}.plot.hist_edges should have one more entry than hist_counts")
            if len(plot["density"]) != len(plot["hist_counts"]):
                raise ReportInputError(f"{path}: {where}.plot.density should have one entry per histogram bin")
            if len(plot["qq_theoretical"]) != len(plot["qq_empirical"]):
                raise ReportInputError(f"{path}: {where}.plot.qq_theoretical and qq_empirical differ in length")


def _check_bench(path: str, data: dict) -> None:
    _fields(path, "the file", data, _BENCH_TOP)
    for i, r in enumerate(data["results"]):
        _fields(path, f"results[{i}]", r, _BENCH_RESULT)
    for i, r in enumerate(data["roofline"]):
        _fields(path, f"roofline[{i}]", r, _ROOFLINE)
    for i, s in enumerate(data.get("scaling") or []):
        _fields(path, f"scaling[{i}]", s, _SCALING)
        for j, p in enumerate(s["points"]):
            _fields(path, f"scaling[{i}].points[{j}]", p, {"n": _NUM, "median_s": _NUM})
    for i, t in enumerate(data.get("targets") or []):
        _fields(path, f"targets[{i}]", t, _BENCH_TARGET)


def _check_mutants(path: str, data: dict) -> None:
    _fields(path, "the file", data, _MUTANTS_TOP)
    for i, m in enumerate(data["mutants"]):
        _fields(path, f"mutants[{i}]", m, _MUTANT)
        _status(path, f"mutants[{i}]", m["status"], MUTANT_STATUSES)


def _check_calibration(path: str, data: dict) -> None:
    _fields(path, "the file", data, _CALIBRATION_TOP)
    for i, c in enumerate(data["checks"]):
        _fields(path, f"checks[{i}]", c, _CAL_CHECK)
    _fields(path, "p_values", data["p_values"], _CAL_PVALUES)
    _numbers(path, "p_values.counts", data["p_values"]["counts"])


_CHECKERS = {
    VERIFY: _check_verify,
    BENCH: _check_bench,
    MUTANTS: _check_mutants,
    CALIBRATION: _check_calibration,
}


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
    _CHECKERS[schema](name, data)
    return Input(name, schema, data)
