"""The storage interface every backend implements."""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence

from tuneops.storage._records import (
    Evaluation,
    SnapshotKind,
    StudyRecord,
    StudySummary,
    TrialRecord,
)


class Storage(abc.ABC):
    """Where studies and their trials live.

    Backends must keep every write once the call returns: a process killed right
    after `update_trials` returns must find that trial as written when reopened.
    Floats are stored exactly; ``nan`` and ``±inf`` in metrics and intermediate
    values round-trip unchanged.

    Trials are addressed by their study's name and their number. A trial's mutable
    fields are rewritten as a whole by `update_trials`; evaluations and intermediate
    values are only ever appended.
    """

    url: str

    @abc.abstractmethod
    def create_study(self, study: StudyRecord) -> None:
        """Store a new study; raise `StudyExistsError` if the name is taken."""

    @abc.abstractmethod
    def load_study(self, name: str) -> StudyRecord:
        """Return a stored study; raise `StudyNotFoundError` if there is none."""

    @abc.abstractmethod
    def update_study_attrs(self, name: str, attrs: dict[str, object]) -> None:
        """Merge ``attrs`` into the study's free-form attributes."""

    @abc.abstractmethod
    def list_studies(self) -> list[StudySummary]:
        """Summaries of every stored study, oldest first."""

    @abc.abstractmethod
    def delete_study(self, name: str) -> None:
        """Remove a study with all its trials; raise `StudyNotFoundError` if absent."""

    @abc.abstractmethod
    def add_trial(self, study: str, trial: TrialRecord) -> None:
        """Store a new trial; its number must not exist yet in that study."""

    @abc.abstractmethod
    def update_trials(
        self,
        study: str,
        trials: Sequence[TrialRecord],
        evaluations: Mapping[int, Evaluation] | None = None,
    ) -> None:
        """Rewrite trials' fields and append evaluations, all in one transaction.

        A trial's result and the promotions it triggers land together or not at
        all. ``trial.evaluations`` is ignored here: only ``evaluations`` (keyed by
        trial number) are appended.
        """

    @abc.abstractmethod
    def load_trials(self, study: str) -> list[TrialRecord]:
        """Every trial of a study with its evaluations, by number."""

    @abc.abstractmethod
    def add_intermediate(
        self, study: str, number: int, rung: int, step: int, value: float
    ) -> None:
        """Store one reported value; a second report of the same step replaces it."""

    @abc.abstractmethod
    def load_intermediate(
        self, study: str, number: int
    ) -> list[tuple[int, int, float]]:
        """A trial's reported values as ``(rung, step, value)``, in order."""

    @abc.abstractmethod
    def add_snapshot(
        self,
        study: str,
        kind: SnapshotKind,
        digest: str,
        data: Mapping[str, object],
    ) -> None:
        """Store an environment or code snapshot once; a known digest is a no-op."""

    @abc.abstractmethod
    def load_snapshots(
        self, study: str, kind: SnapshotKind
    ) -> dict[str, dict[str, object]]:
        """A study's snapshots of one kind by digest, oldest first."""

    def close(self) -> None:  # noqa: B027 - optional hook, most backends hold nothing
        """Release connections; the storage must not be used afterwards."""
