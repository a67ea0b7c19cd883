"""Helpers shared by the benchmark scripts: machine facts and result files."""

from __future__ import annotations

import datetime as dt
import os
import platform
from importlib.metadata import version
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def machine_line(*packages: str) -> str:
    """One line naming the CPU, core count, Python and package versions."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    versions = ", ".join(f"{p} {version(p)}" for p in packages)
    return (
        f"{dt.date.today()}: {cpu}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; {versions}"
    )


def write_result(name: str, text: str) -> Path:
    """Write a markdown result file under results/ and return its path."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.md"
    path.write_text(text, encoding="utf-8")
    return path
