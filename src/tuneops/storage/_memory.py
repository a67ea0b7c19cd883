"""A storage that lives in the process: fast, and gone when the process ends."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from tuneops._internal._errors import StudyExistsError, StudyNotFoundError
from tuneops.storage._base import Storage
from tuneops.storage._records import (
    Evaluation,
    SnapshotKind,
    StudyRecord,
    StudySummary,
    TrialRecord,
)
from tuneops.storage._summary import summarize


class InMemoryStorage(Storage):
    """Keeps studies in Python objects; for quick experiments and tests.

    Records are frozen, so they are stored as given; mutable mappings inside them
    (configs, metrics) are copied so later changes by the caller do not leak in.
    """

    url = "memory://"

    def __init__(self) -> None:
        self._studies: dict[str, StudyRecord] = {}
        self._trials: dict[str, dict[int, TrialRecord]] = {}
        self._intermediate: dict[tuple[str, int], dict[tuple[int, int], float]] = {}
        self._snapshots: dict[tuple[str, str], dict[str, dict[str, object]]] = {}

    def create_study(self, study: StudyRecord) -> None:
        """Store a new study; raise `StudyExistsError` if the name is taken."""
        if study.name in self._studies:
            raise StudyExistsError(_exists_message(study.name, self.url))
        self._studies[study.name] = study
        self._trials[study.name] = {}

    def load_study(self, name: str) -> StudyRecord:
        """Return a stored study; raise `StudyNotFoundError` if there is none."""
        self._require(name)
        return self._studies[name]

    def update_study_attrs(self, name: str, attrs: dict[str, object]) -> None:
        """Merge ``attrs`` into the study's free-form attributes."""
        study = self.load_study(name)
        merged = {**study.attrs, **copy.deepcopy(attrs)}
        self._studies[name] = replace(study, attrs=merged)

    def list_studies(self) -> list[StudySummary]:
        """Summaries of every stored study, oldest first."""
        studies = sorted(self._studies.values(), key=lambda s: s.created_at)
        return [summarize(s, list(self._trials[s.name].values())) for s in studies]

    def delete_study(self, name: str) -> None:
        """Remove a study with all its trials."""
        self._require(name)
        del self._studies[name]
        del self._trials[name]
        for key in [k for k in self._intermediate if k[0] == name]:
            del self._intermediate[key]
        for kind in ("environment", "code"):
            self._snapshots.pop((name, kind), None)

    def add_trial(self, study: str, trial: TrialRecord) -> None:
        """Store a new trial; its number must not exist yet in that study."""
        self._require(study)
        trials = self._trials[study]
        if trial.number in trials:
            raise ValueError(f"Trial {trial.number} already exists in {study!r}.")
        trials[trial.number] = _detach(trial, ())

    def update_trials(
        self,
        study: str,
        trials: Sequence[TrialRecord],
        evaluations: Mapping[int, Evaluation] | None = None,
    ) -> None:
        """Rewrite trials' fields and append ``evaluations`` (by trial number)."""
        self._require(study)
        stored = self._trials[study]
        for trial in trials:
            previous = stored[trial.number].evaluations
            evaluation = (evaluations or {}).get(trial.number)
            if evaluation is not None:
                copied = replace(evaluation, metrics=_copy(evaluation.metrics))
                previous = (*previous, copied)
            stored[trial.number] = _detach(trial, previous)

    def load_trials(self, study: str) -> list[TrialRecord]:
        """Every trial of a study with its evaluations, by number."""
        self._require(study)
        trials = self._trials[study]
        return [trials[n] for n in sorted(trials)]

    def add_intermediate(
        self, study: str, number: int, rung: int, step: int, value: float
    ) -> None:
        """Store one reported value; a second report of the same step replaces it."""
        self._require(study)
        self._intermediate.setdefault((study, number), {})[(rung, step)] = value

    def load_intermediate(
        self, study: str, number: int
    ) -> list[tuple[int, int, float]]:
        """A trial's reported values as ``(rung, step, value)``, in order."""
        self._require(study)
        values = self._intermediate.get((study, number), {})
        return [(rung, step, values[(rung, step)]) for rung, step in sorted(values)]

    def add_snapshot(
        self,
        study: str,
        kind: SnapshotKind,
        digest: str,
        data: Mapping[str, object],
    ) -> None:
        """Store an environment or code snapshot once; a known digest is a no-op."""
        self._require(study)
        stored = self._snapshots.setdefault((study, kind), {})
        stored.setdefault(digest, copy.deepcopy(dict(data)))

    def load_snapshots(
        self, study: str, kind: SnapshotKind
    ) -> dict[str, dict[str, object]]:
        """A study's snapshots of one kind by digest, oldest first."""
        self._require(study)
        return copy.deepcopy(self._snapshots.get((study, kind), {}))

    def _require(self, name: str) -> None:
        if name not in self._studies:
            raise StudyNotFoundError(_missing_message(name, self.url))


def _copy(mapping: Mapping[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(dict(mapping))


def _detach(trial: TrialRecord, evaluations: tuple[Evaluation, ...]) -> TrialRecord:
    return trial.evolve(
        config=_copy(trial.config),
        metrics=_copy(trial.metrics),
        evaluations=evaluations,
    )


def _exists_message(name: str, url: str) -> str:
    return (
        f"A study named {name!r} already exists in {url}. Pick another name, "
        "or resume it (Study.load, or `tuneops tune --resume`)."
    )


def _missing_message(name: str, url: str) -> str:
    return (
        f"No study named {name!r} in {url}. Run `tuneops list --storage {url}` "
        "to see the studies there."
    )
