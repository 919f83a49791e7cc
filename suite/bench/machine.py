"""The machine a benchmark ran on: CPU model and cores, library versions, GPU name and driver."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
from importlib import metadata

import torch

from suite.engine.environment import cpu_model


def cuda_driver() -> str | None:
    """The NVIDIA driver version (``nvidia-smi``), else the CUDA driver API version torch reports."""
    smi = shutil.which("nvidia-smi")
    if smi:
        try:
            out = subprocess.run(
                [smi, "--query-gpu=driver_version", "--format=csv,noheader"],
                capture_output=True,
                text=True,
                timeout=30,
                check=True,
            ).stdout.split()
            if out:
                return out[0]
        except (OSError, subprocess.SubprocessError):
            pass
    try:
        version = torch._C._cuda_getDriverVersion()  # e.g. 12040 for CUDA 12.4
    except (AttributeError, RuntimeError):
        return None
    return f"CUDA driver API {version // 1000}.{version % 1000 // 10}"


def jax_version() -> str | None:
    """The installed JAX's version, read from its metadata (importing JAX takes seconds)."""
    try:
        return metadata.version("jax")
    except metadata.PackageNotFoundError:
        return None


def load_average() -> list[float] | None:
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def describe(device: str) -> dict:
    """The ``machine`` object of ``initcheck.bench/1``."""
    gpu = driver = None
    if device == "cuda":
        gpu = torch.cuda.get_device_name(torch.cuda.current_device())
        driver = cuda_driver()
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "threads": torch.get_num_threads(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "jax": jax_version(),
        "device": device,
        "gpu": gpu,
        "driver": driver,
        "cuda": torch.version.cuda if device == "cuda" else None,
        "platform": platform.platform(),
        "load_average": load_average(),
    }
