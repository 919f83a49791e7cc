import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


def suite(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run ``python -m suite ARGS`` from the repository root, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "suite", *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )


def load(path: Path) -> dict:
    return json.loads(Path(path).read_text())
