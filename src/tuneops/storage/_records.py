"""The plain records that storage keeps and every layer above reads."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

Direction = Literal["minimize", "maximize"]

#: The note that marks a refit trial (`tuneops.Study.refit_best`), followed by
#: the number of the trial whose config it repeats.
REFIT_NOTE = "refit of trial"
SnapshotKind = Literal["environment", "code"]
Resource = int | float | None


class TrialStatus(enum.StrEnum):
    """Where a trial is in its life.

    ``queued`` trials wait to run (new, promoted to a higher rung, or put back after
    an interruption); ``running`` ones are being evaluated; ``paused`` ones finished
    a rung and wait for the scheduler to promote or stop them; ``completed`` ones
    reached the last resource the scheduler planned for them; ``stopped`` ones were
    ended early by the scheduler (not promoted, or pruned while running); ``failed``
    ones raised or returned something unusable.
    """

    QUEUED = "queued"
    RUNNING = "running"
    PAUSED = "paused"
    COMPLETED = "completed"
    STOPPED = "stopped"
    FAILED = "failed"

    @property
    def is_finished(self) -> bool:
        """Whether the trial will not run again (completed, stopped or failed)."""
        return self in _FINISHED

    @property
    def has_value(self) -> bool:
        """Whether a trial in this status carries a usable objective value."""
        return self in _VALUED


_FINISHED = frozenset({TrialStatus.COMPLETED, TrialStatus.STOPPED, TrialStatus.FAILED})
_VALUED = frozenset({TrialStatus.PAUSED, TrialStatus.COMPLETED, TrialStatus.STOPPED})


@dataclass(frozen=True)
class Evaluation:
    """One evaluation of a trial at one resource level (one rung).

    Attributes:
        rung: Index of the rung, 0 for the first (cheapest) evaluation.
        resource: Resource the objective was given, in the user's units.
        value: The study metric's value; ``None`` when the evaluation failed.
        metrics: Every metric the objective returned (JSON values).
        started_at: Unix time in seconds when the evaluation began.
        finished_at: Unix time in seconds when it ended.
    """

    rung: int
    resource: Resource
    value: float | None
    metrics: Mapping[str, Any]
    started_at: float
    finished_at: float

    @property
    def duration(self) -> float:
        """Wall time of this evaluation in seconds."""
        return self.finished_at - self.started_at


@dataclass(frozen=True)
class TrialRecord:
    """A read-only snapshot of one trial, as storage holds it.

    Attributes:
        number: The trial's index in its study, from 0.
        status: Where the trial is in its life.
        config: The hyperparameter values (inactive parameters absent).
        seed: Seed derived from the study seed and ``number``; same at every rung.
        rung: The rung of the latest (or current) evaluation, from 0.
        bracket: The scheduler's bracket index, ``None`` when it has none.
        resource: The resource of the latest (or current) evaluation.
        value: The study metric at ``resource``; ``None`` before the first result
            or after a failure.
        metrics: All metrics of the latest evaluation.
        evaluations: Every finished evaluation, lowest rung first.
        started_at: Unix time in seconds of the first start; ``None`` if queued.
        finished_at: Unix time in seconds of the latest end; ``None`` if running.
        duration: Seconds spent running, summed over rungs.
        error: Why the trial failed, in one line; ``None`` unless failed.
        traceback: The formatted traceback of a failure, when there was one.
        note: A remark from tuneops, e.g. why a running trial was requeued.
        cpu_time: Core-seconds of CPU the objective used, summed over rungs.
        gpu_time: GPU-seconds the objective used, summed over rungs (0 without
            a GPU).
        environment: Digest of the environment snapshot of the process that
            ran the trial last (see `tuneops.Study.environments`).
        code: Digest of the code snapshot of that run.
    """

    number: int
    status: TrialStatus
    config: Mapping[str, Any]
    seed: int
    rung: int = 0
    bracket: int | None = None
    resource: Resource = None
    value: float | None = None
    metrics: Mapping[str, Any] = field(default_factory=dict)
    evaluations: tuple[Evaluation, ...] = ()
    started_at: float | None = None
    finished_at: float | None = None
    duration: float = 0.0
    error: str | None = None
    traceback: str | None = None
    note: str | None = None
    cpu_time: float = 0.0
    gpu_time: float = 0.0
    environment: str | None = None
    code: str | None = None

    # TODO: read from a `refit_of` column at the next schema change; parsing
    # the note works but ties a marker other code relies on to free text.
    @property
    def refit_of(self) -> int | None:
        """The trial this one refits (`tuneops.Study.refit_best`), else ``None``."""
        if not self.note or not self.note.startswith(REFIT_NOTE):
            return None
        words = self.note.removeprefix(REFIT_NOTE).split()
        return int(words[0]) if words and words[0].isdigit() else None

    def evolve(self, **changes: Any) -> TrialRecord:
        """Return a copy with some fields changed."""
        return replace(self, **changes)


@dataclass(frozen=True)
class StudyRecord:
    """What storage holds about a study itself.

    Attributes:
        name: Unique name within the storage.
        metric: Name of the metric the study optimizes.
        direction: ``"minimize"`` or ``"maximize"``.
        space: The search space in its dict form (see `tuneops.Space.to_dict`).
        searcher: The searcher's spec, e.g. ``{"type": "random"}``.
        scheduler: The scheduler's spec, e.g. ``{"type": "hyperband", ...}``.
        seed: The study seed every trial seed derives from.
        artifacts_dir: Folder holding per-trial checkpoint folders.
        created_at: Unix time in seconds.
        attrs: Free-form JSON settings and annotations.
    """

    name: str
    metric: str
    direction: Direction
    space: Mapping[str, Any]
    searcher: Mapping[str, Any]
    scheduler: Mapping[str, Any]
    seed: int
    artifacts_dir: str
    created_at: float
    attrs: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StudySummary:
    """One line of `Storage.list_studies`: a study and how its trials stand."""

    name: str
    metric: str
    direction: Direction
    created_at: float
    counts: Mapping[str, int]
    best_value: float | None
