"""Shared pieces of the audit tests: the tiny GPT example and its spec."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TINY_GPT = ROOT / "examples" / "models" / "tiny_gpt.py"
TINY_SPEC = ROOT / "examples" / "specs" / "tiny_gpt.toml"


def tiny_gpt():
    spec = importlib.util.spec_from_file_location("_audit_tiny_gpt", TINY_GPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
