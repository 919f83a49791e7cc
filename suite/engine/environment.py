"""Facts about the machine and the libraries a run used, recorded in every JSON the project writes."""

from __future__ import annotations

import os
import platform
import sys
from importlib import metadata


def cpu_model() -> str:
    """The CPU's model name (``/proc/cpuinfo`` on Linux, else what :mod:`platform` knows)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def version(distribution: str) -> str | None:
    """The installed version of a distribution, or None."""
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


#: The suite's version: the installed distribution's (pyproject.toml is its one source).
SUITE_VERSION = version("initcheck") or "unknown (not installed: pip install -e .)"


def describe() -> dict:
    """Python, torch and the statistics libraries' versions, platform, CPU and cores."""
    import torch

    return {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "numpy": version("numpy"),
        "scipy": version("scipy"),
        "statsmodels": version("statsmodels"),
        "hypothesis": version("hypothesis"),
        "platform": platform.platform(),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "byteorder": sys.byteorder,
    }


def write_json(path, record: dict) -> None:
    """Write ``record`` to ``path`` (creating its folder), one value per line as the commands do."""
    import json
    from pathlib import Path

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=1) + "\n")
