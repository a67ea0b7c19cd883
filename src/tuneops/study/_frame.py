"""The trials of a study as a pandas DataFrame."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from tuneops.storage import TrialRecord

_COLUMNS = [
    "number",
    "status",
    "value",
    "resource",
    "rung",
    "bracket",
    "seed",
    "duration",
    "cpu_time",
    "gpu_time",
    "started_at",
    "finished_at",
    "error",
    "refit_of",
    "note",
]


def trials_frame(trials: Sequence[TrialRecord]) -> pd.DataFrame:
    """One row per trial; ``config.<name>`` and ``metric.<name>`` columns follow.

    ``refit_of`` names the trial a refit repeats (empty for searched trials);
    ``note`` is tuneops' remark on the trial (a requeue, a refit).
    """
    rows = [_row(t) for t in trials]
    frame = pd.DataFrame(rows)
    if frame.empty:
        return pd.DataFrame(columns=_COLUMNS)
    for column in ("started_at", "finished_at"):
        frame[column] = pd.to_datetime(frame[column], unit="s", utc=True)
    # Whole numbers with gaps (no bracket, not a refit) stay integers.
    for column in ("bracket", "refit_of"):
        frame[column] = frame[column].astype("Int64")
    return frame


def _row(trial: TrialRecord) -> dict[str, Any]:
    row: dict[str, Any] = {
        "number": trial.number,
        "status": trial.status.value,
        "value": trial.value,
        "resource": trial.resource,
        "rung": trial.rung,
        "bracket": trial.bracket,
        "seed": trial.seed,
        "duration": trial.duration,
        "cpu_time": trial.cpu_time,
        "gpu_time": trial.gpu_time,
        "started_at": trial.started_at,
        "finished_at": trial.finished_at,
        "error": trial.error,
        "refit_of": trial.refit_of,
        "note": trial.note,
        "environment": trial.environment,
        "code": trial.code,
    }
    row.update({f"config.{k}": v for k, v in trial.config.items()})
    row.update({f"metric.{k}": v for k, v in trial.metrics.items()})
    return row
