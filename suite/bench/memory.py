"""Peak memory of one initializer call, beyond the tensor it fills.

* CPU: each measurement runs in a fresh Python process (nothing cached by earlier calls). It allocates
  the tensor and touches its pages, resets the kernel's peak-RSS mark (``5`` into
  ``/proc/self/clear_refs``), calls the initializer once and reports ``VmHWM`` minus the RSS before
  the call: every byte the call had resident at its peak (torch's allocator, LAPACK's workspace).
  Without ``/proc`` (not Linux), the fresh process's ``ru_maxrss`` stands in for ``VmHWM``.
* CUDA: ``torch.cuda.max_memory_allocated()`` after ``reset_peak_memory_stats()``, minus
  ``memory_allocated()`` before the call (the caching allocator's view, in this process).

``python -m suite.bench.memory IMPL NAME DTYPE DIM...`` prints one CPU measurement as JSON.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

import torch

from suite.bench.impls import torch_call


def _status_bytes(field: str) -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as clear_refs:
            clear_refs.write("5")
    except OSError:
        return False
    return True


def _max_rss_bytes() -> int:
    import resource  # Unix only

    scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB elsewhere
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


def measure_here(impl: str, name: str, dtype: str, shape: tuple[int, ...]) -> dict:
    """One CPU measurement in this process (meant for a fresh one)."""
    tensor = torch.empty(shape, dtype=getattr(torch, dtype)).fill_(1.0)
    call = torch_call(name, impl, tensor, torch.Generator().manual_seed(0))
    before = _status_bytes("VmRSS")
    if before is not None and _reset_peak():
        call()
        return {"peak_bytes": _status_bytes("VmHWM") - before, "method": "VmHWM - VmRSS (fresh process)"}
    before = _max_rss_bytes()
    call()
    return {"peak_bytes": _max_rss_bytes() - before, "method": "ru_maxrss (fresh process)"}


def measure_cuda(impl: str, name: str, dtype: str, shape: tuple[int, ...]) -> dict:
    tensor = torch.empty(shape, dtype=getattr(torch, dtype), device="cuda").fill_(1.0)
    call = torch_call(name, impl, tensor, torch.Generator(device="cuda").manual_seed(0))
    call()  # cuSOLVER/cuBLAS handles and workspaces are created once per process
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    before = torch.cuda.memory_allocated()
    call()
    torch.cuda.synchronize()
    return {
        "peak_bytes": torch.cuda.max_memory_allocated() - before,
        "method": "torch.cuda.max_memory_allocated",
    }


def measure(impl: str, name: str, dtype: str, shape: tuple[int, ...], device: str, runs: int = 1) -> dict:
    """The ``memory`` entry of ``initcheck.bench/1``: median peak over ``runs`` measurements."""
    if device == "cuda":
        found = [measure_cuda(impl, name, dtype, shape) for _ in range(runs)]
    else:
        found = [_measure_in_fresh_process(impl, name, dtype, shape) for _ in range(runs)]
    peaks = [entry["peak_bytes"] for entry in found]
    return {
        "initializer": name,
        "impl": impl,
        "device": device,
        "dtype": dtype,
        "shape": list(shape),
        "peak_bytes": int(statistics.median(peaks)),
        "runs": peaks,
        "method": found[0]["method"],
    }


def _measure_in_fresh_process(impl, name, dtype, shape) -> dict:
    package_root = str(Path(__file__).resolve().parents[2])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
    command = [sys.executable, "-m", "suite.bench.memory", impl, name, dtype, *map(str, shape)]
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False, timeout=600)
    if done.returncode:
        raise RuntimeError(f"memory measurement failed: {' '.join(command)}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    impl, name, dtype, *dims = sys.argv[1:]
    print(json.dumps(measure_here(impl, name, dtype, tuple(int(d) for d in dims))))
