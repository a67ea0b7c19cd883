"""Helpers shared by the storage backends."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from tuneops.storage._records import StudyRecord, StudySummary, TrialRecord


def best_record(trials: Sequence[TrialRecord], direction: str) -> TrialRecord | None:
    """The best trial at the highest resource any trial reached.

    Values from different resources are not comparable (a model trained for 1 epoch
    is not judged against one trained for 81), so only trials whose latest
    evaluation used the highest resource seen compete; ties go to the lower number.
    Refit trials do not compete.
    """
    # Refit trials measure a config already searched; they never become best.
    valued = [
        t
        for t in trials
        if t.status.has_value and t.value is not None and t.refit_of is None
    ]
    if not valued:
        return None
    top = max(_resource_key(t.resource) for t in valued)
    finalists = [t for t in valued if _resource_key(t.resource) == top]
    sign = 1.0 if direction == "minimize" else -1.0
    return min(finalists, key=lambda t: (sign * t.value, t.number))  # type: ignore[operator]


def summarize(study: StudyRecord, trials: Sequence[TrialRecord]) -> StudySummary:
    """Count trials by status and find the best value of a study."""
    counts = Counter(t.status.value for t in trials)
    best = best_record(trials, study.direction)
    return StudySummary(
        name=study.name,
        metric=study.metric,
        direction=study.direction,
        created_at=study.created_at,
        counts=dict(counts),
        best_value=None if best is None else best.value,
    )


def _resource_key(resource: int | float | None) -> float:
    # A study without resources (plain FIFO) compares all trials together.
    return float("-inf") if resource is None else float(resource)
