"""Environment snapshots hold the truth about this machine."""

from __future__ import annotations

import os
import platform
import shutil
import socket
import subprocess
import sys

import numpy as np
import pytest
import scipy

from tuneops.record import (
    environment_differences,
    environment_snapshot,
    snapshot_digest,
)


def _meminfo_total_bytes() -> int:
    with open("/proc/meminfo", encoding="utf-8") as info:
        for line in info:
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no MemTotal in /proc/meminfo")


def test_snapshot_fields_match_this_machine(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    monkeypatch.setenv("SECRET_TOKEN", "do-not-store")
    snap = environment_snapshot()

    assert snap["python"]["version"] == ".".join(map(str, sys.version_info[:3]))
    assert snap["python"]["executable"] == os.path.realpath(sys.executable)
    assert snap["python"]["prefix"] == sys.prefix
    assert snap["platform"]["system"] == platform.system()
    assert snap["platform"]["machine"] == platform.machine()
    assert snap["hostname"] == socket.gethostname()
    assert snap["cpu"]["logical_cores"] == os.cpu_count()
    assert snap["cpu"]["usable_cores"] == len(os.sched_getaffinity(0))
    # The kernel's own count, rounded by the page size.
    assert abs(snap["memory_bytes"] - _meminfo_total_bytes()) < 8 * 1024 * 1024
    assert snap["packages"]["numpy"] == np.__version__
    assert snap["packages"]["scipy"] == scipy.__version__
    assert snap["packages"]["tuneops"]
    assert snap["env"]["OMP_NUM_THREADS"] == "3"
    assert "SECRET_TOKEN" not in str(snap)


@pytest.mark.skipif(shutil.which("lscpu") is None, reason="needs lscpu")
def test_cpu_model_matches_lscpu():
    out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True)
    models = [
        line.split(":", 1)[1].strip()
        for line in out.stdout.splitlines()
        if line.startswith("Model name:")
    ]
    assert environment_snapshot()["cpu"]["model"] in models


def test_gpus_match_nvidia_smi():
    gpus = environment_snapshot()["gpus"]
    tool = shutil.which("nvidia-smi")
    if tool is None:
        assert gpus == []
        return
    listed = subprocess.run(
        [tool, "--query-gpu=name", "--format=csv,noheader"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\n")
    assert [g["name"] for g in gpus] == [n.strip() for n in listed if n.strip()]
    assert all(g["memory_mib"] > 0 and g["driver"] for g in gpus)


def test_digest_ignores_the_time_and_sees_a_package_change():
    first = environment_snapshot()
    second = {**environment_snapshot(), "taken_at": first["taken_at"] + 100}
    assert snapshot_digest(first) == snapshot_digest(second)

    upgraded = {**first, "packages": {**first["packages"], "numpy": "0.0.1"}}
    assert snapshot_digest(upgraded) != snapshot_digest(first)


def test_differences_name_each_change():
    before = environment_snapshot()
    after = {
        **before,
        "hostname": "other-host",
        "packages": {
            **{k: v for k, v in before["packages"].items() if k != "scipy"},
            "numpy": "0.0.1",
            "brand-new": "1.0",
        },
    }
    lines = environment_differences(before, after)

    assert f"package numpy: {np.__version__} -> 0.0.1" in lines
    assert f"package scipy: {scipy.__version__} -> not installed" in lines
    assert "package brand-new: not installed -> 1.0" in lines
    assert any(line.startswith("hostname: ") for line in lines)
    assert len(lines) == 4
    assert environment_differences(before, before) == []
