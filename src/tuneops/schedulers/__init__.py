"""Schedulers: how much resource each trial gets (FIFO, halving, Hyperband)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tuneops._internal._specs import from_spec
from tuneops.schedulers._base import Action, Decision, FIFOScheduler, Scheduler, Slot
from tuneops.schedulers._halving import BracketScheduler, Hyperband, SuccessiveHalving
from tuneops.schedulers._plan import Bracket, Rung

SCHEDULERS: dict[str, type[Scheduler]] = {
    FIFOScheduler.type_name: FIFOScheduler,
    Hyperband.type_name: Hyperband,
    SuccessiveHalving.type_name: SuccessiveHalving,
}


def scheduler_from_spec(
    spec: str | Mapping[str, Any], source: str | None = None
) -> Scheduler:
    """Build a scheduler from ``"fifo"`` or ``{"type": "hyperband", ...}``.

    Args:
        spec: A type name or a mapping of ``type`` and constructor arguments.
        source: The file the spec came from, named in error messages.
    """
    return from_spec("scheduler", spec, SCHEDULERS, source)


__all__ = [
    "SCHEDULERS",
    "Action",
    "Bracket",
    "BracketScheduler",
    "Decision",
    "FIFOScheduler",
    "Hyperband",
    "Rung",
    "Scheduler",
    "Slot",
    "SuccessiveHalving",
    "scheduler_from_spec",
]
