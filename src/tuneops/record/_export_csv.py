"""A study's trials as CSV: one row per trial, configs and metrics as columns."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, TextIO

from tuneops.record._export_common import trials_table

if TYPE_CHECKING:
    from tuneops.study import Study


def export_csv(study: Study, target: str | os.PathLike[str] | TextIO) -> None:
    """Write a study's trials as UTF-8 CSV, one row per trial.

    The columns are those of `tuneops.Study.dataframe`: ``number``,
    ``status``, ``value``, timings (``duration`` etc. in seconds), ISO 8601 UTC
    ``started_at`` and ``finished_at``, then ``config.<name>`` and
    ``metric.<name>``. An empty cell means no value (an inactive parameter, a
    failed trial); NaN and infinite metrics are written ``nan``, ``inf`` and
    ``-inf``, which pandas and most CSV readers parse back as floats; lists and
    dicts are JSON text.

    Args:
        study: The study to export.
        target: A file path (overwritten) or an open text stream, e.g.
            ``sys.stdout``.
    """
    trials_table(study).to_csv(target, index=False)
