"""What a trial ran on: interpreter, OS, hardware, packages, thread settings."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import time
from importlib import metadata
from typing import Any

# Variables that change what a run computes or how fast: thread pools, device
# selection, determinism switches. Anything else in the environment (tokens,
# paths) stays out of the database.
ENV_VARIABLES = (
    "CUBLAS_WORKSPACE_CONFIG",
    "CUDA_DEVICE_ORDER",
    "CUDA_VISIBLE_DEVICES",
    "MKL_NUM_THREADS",
    "NUMBA_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "PYTHONHASHSEED",
    "TF_DETERMINISTIC_OPS",
    "TOKENIZERS_PARALLELISM",
    "VECLIB_MAXIMUM_THREADS",
)

# Fields that describe the machine's state at one instant, not the environment:
# left out of the digest so two trials on the same setup share one snapshot.
_VOLATILE = ("taken_at",)


def environment_snapshot() -> dict[str, Any]:
    """Describe the environment this process runs in, as JSON-ready values.

    Returns:
        A dict with ``python`` (version, implementation, the interpreter's
        resolved path as ``executable``, and ``prefix``, its venv), ``platform``
        (system, release, machine, libc), ``hostname``, ``cpu`` (model, logical
        cores, cores this process may use), ``memory_bytes`` (total RAM),
        ``gpus`` (name, memory in MiB and driver of each NVIDIA GPU, empty when
        there is none), ``packages`` (``{name: version}`` of every installed
        distribution), ``env`` (the thread and device variables of
        `ENV_VARIABLES` that are set) and ``taken_at`` (Unix seconds).
    """
    return {
        "python": {
            "version": platform.python_version(),
            "implementation": platform.python_implementation(),
            # The interpreter binary and the environment (venv) it runs in:
            # `.venv/bin/python` and `.venv/bin/python3` are one setup.
            "executable": os.path.realpath(sys.executable),
            "prefix": sys.prefix,
        },
        "platform": _platform(),
        "hostname": socket.gethostname(),
        "cpu": _cpu(),
        "memory_bytes": _memory_bytes(),
        "gpus": _gpus(),
        "packages": dict(_packages()),
        "env": {k: os.environ[k] for k in ENV_VARIABLES if k in os.environ},
        "taken_at": time.time(),
    }


def snapshot_digest(snapshot: dict[str, Any]) -> str:
    """A short stable id of a snapshot: equal setups give equal digests."""
    stable = {k: v for k, v in snapshot.items() if k not in _VOLATILE}
    text = json.dumps(stable, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def environment_differences(
    recorded: dict[str, Any], current: dict[str, Any]
) -> list[str]:
    """Every difference between two environment snapshots, one line each.

    Packages are compared one by one (added, removed, other version); the other
    fields as whole values. The volatile ``taken_at`` is ignored.
    """
    lines = []
    for key in sorted(set(recorded) | set(current)):
        if key in _VOLATILE or key == "packages":
            continue
        before, after = recorded.get(key), current.get(key)
        if before != after:
            lines.append(f"{key}: {_short(before)} -> {_short(after)}")
    lines.extend(
        _package_differences(recorded.get("packages"), current.get("packages"))
    )
    return lines


def _package_differences(before: Any, after: Any) -> list[str]:
    before, after = dict(before or {}), dict(after or {})
    lines = []
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        if old is None:
            lines.append(f"package {name}: not installed -> {new}")
        elif new is None:
            lines.append(f"package {name}: {old} -> not installed")
        else:
            lines.append(f"package {name}: {old} -> {new}")
    return lines


def _short(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= 200 else text[:197] + "..."


def _platform() -> dict[str, str]:
    libc, libc_version = platform.libc_ver()
    return {
        "system": platform.system(),
        "release": platform.release(),
        "version": platform.version(),
        "machine": platform.machine(),
        "libc": f"{libc} {libc_version}".strip(),
    }


@functools.cache
def _cpu() -> dict[str, Any]:
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {
        "model": _cpu_model(),
        "logical_cores": os.cpu_count(),
        "usable_cores": usable or os.cpu_count(),
    }


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.lower().startswith(("model name", "hardware", "cpu model")):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_bytes() -> int | None:
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return None


@functools.cache
def _gpus() -> list[dict[str, Any]]:
    # nvidia-smi answers without importing a CUDA library into this process,
    # and is present wherever the NVIDIA driver is.
    tool = shutil.which("nvidia-smi")
    if tool is None:
        return []
    query = "--query-gpu=name,memory.total,driver_version"
    try:
        done = subprocess.run(
            [tool, query, "--format=csv,noheader,nounits"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return []
    gpus = []
    for line in done.stdout.strip().splitlines():
        name, memory, driver = (part.strip() for part in line.split(","))
        gpus.append({"name": name, "memory_mib": int(float(memory)), "driver": driver})
    return gpus


@functools.cache
def _packages() -> tuple[tuple[str, str], ...]:
    # Cached per process: listing the distributions reads every .dist-info
    # folder, and the installed set does not change under a running study.
    found: dict[str, str] = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if name:
            found[_canonical(name)] = dist.version
    return tuple(sorted(found.items()))


def _canonical(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")
