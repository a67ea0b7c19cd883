"""Run a recorded trial again and compare: value, environment and code."""

from __future__ import annotations

import logging
import math
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tuneops._internal._errors import ConfigError
from tuneops.record import (
    code_differences,
    code_snapshot,
    environment_differences,
    environment_snapshot,
    seed_everything,
)
from tuneops.storage import Evaluation, Resource, TrialRecord
from tuneops.study._outcome import Outcome, parse_outcome
from tuneops.study._trial import Trial

if TYPE_CHECKING:
    from tuneops.study._study import Study

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rerun:
    """The outcome of `tuneops.Study.rerun`.

    Attributes:
        number: The trial that was rerun.
        resource: The resource of the rerun.
        seed: The trial's seed, used again.
        recorded: The value recorded at that resource.
        value: The value of the rerun; ``None`` if it failed.
        metrics: Every metric the rerun returned.
        error: Why the rerun failed, or ``None``.
        environment_differences: One line per difference between the
            environment the trial ran in and the current one.
        code_differences: Likewise for its code (file hash, git state).
        reports: The values the rerun reported, as ``(step, value)``.
    """

    number: int
    resource: Resource
    seed: int
    recorded: float | None
    value: float | None
    metrics: dict[str, Any]
    error: str | None
    environment_differences: list[str] = field(default_factory=list)
    code_differences: list[str] = field(default_factory=list)
    reports: list[tuple[int, float]] = field(default_factory=list)

    @property
    def differences(self) -> list[str]:
        """Environment and code differences together."""
        return [*self.environment_differences, *self.code_differences]

    @property
    def reproduced(self) -> bool:
        """Whether the rerun gave exactly the recorded value."""
        if self.value is None or self.recorded is None:
            return False
        both_nan = math.isnan(self.value) and math.isnan(self.recorded)
        return both_nan or self.value == self.recorded


class _RerunTrial(Trial):
    """A trial that writes nothing to the study and starts from an empty folder."""

    def __init__(self, study: Study, record: TrialRecord, folder: Path) -> None:
        super().__init__(study, record)
        self._folder = folder
        self.reports: list[tuple[int, float]] = []

    @property
    def checkpoint_dir(self) -> Path:
        """A fresh temporary folder, so the rerun trains from scratch."""
        return self._folder

    def report(self, value: float, step: int) -> None:
        """Keep the value in memory; a rerun is never stopped early."""
        self.reports.append((int(step), float(value)))


def rerun_trial(
    study: Study,
    number: int,
    objective: Callable[..., Any] | None,
    resource: Resource,
) -> Rerun:
    """Implement `Study.rerun` (see there)."""
    record = _trial(study, number)
    evaluation = _evaluation(record, resource)
    code = study.code_snapshots.get(record.code or "")
    objective = objective or _recorded_objective(study, record, code)
    target = record.evolve(resource=evaluation.resource, rung=evaluation.rung)
    env_lines = _environment_lines(study, record)
    code_lines = code_differences(code, code_snapshot(objective)) if code else []
    if code is None:
        code_lines = ["no code snapshot was recorded for this trial"]
    with tempfile.TemporaryDirectory(prefix="tuneops-rerun-") as folder:
        trial = _RerunTrial(study, target, Path(folder))
        seed_everything(record.seed)
        try:
            outcome = parse_outcome(objective(trial), study.metric)
        except Exception as exc:  # the report says why; the study is untouched
            outcome = Outcome(error=f"{type(exc).__name__}: {exc}")
    result = Rerun(
        number=number,
        resource=evaluation.resource,
        seed=record.seed,
        recorded=evaluation.value,
        value=outcome.value if outcome.error is None else None,
        metrics=dict(outcome.metrics),
        error=outcome.error,
        environment_differences=env_lines,
        code_differences=code_lines,
        reports=trial.reports,
    )
    _log(study, result)
    return result


def _trial(study: Study, number: int) -> TrialRecord:
    trials = study.trials
    if not isinstance(number, int) or not 0 <= number < len(trials):
        raise ConfigError(
            f"`number` must be a trial of study {study.name!r} (0 to "
            f"{len(trials) - 1}); got {number!r}."
        )
    return trials[number]


def _evaluation(record: TrialRecord, resource: Resource) -> Evaluation:
    done = [e for e in record.evaluations if e.value is not None]
    if not done:
        raise ConfigError(
            f"Trial {record.number} has no recorded result to compare with (status "
            f"{record.status.value}); rerun a trial that finished an evaluation."
        )
    if resource is None:
        return done[-1]
    for evaluation in done:
        if evaluation.resource == resource:
            return evaluation
    known = ", ".join(str(e.resource) for e in done)
    raise ConfigError(
        f"`resource` must be one trial {record.number} was evaluated at ({known}); "
        f"got {resource!r}."
    )


def _recorded_objective(
    study: Study, record: TrialRecord, code: dict[str, Any] | None
) -> Callable[..., Any]:
    from tuneops.study._objective_import import import_objective

    if record.code is None:
        raise ConfigError(
            f"Trial {record.number} of study {study.name!r} has no code snapshot: "
            "it ran before tuneops recorded code, or through ask and tell. Pass "
            "the objective to rerun (`--objective module:function` on the "
            "command line)."
        )
    reference = (code or {}).get("objective") or {}
    if not reference.get("qualname") or not reference.get("file"):
        raise ConfigError(
            f"Trial {record.number} of study {study.name!r} recorded no importable "
            "objective (it ran through ask and tell, or was defined in an "
            "interactive session); pass the objective to rerun "
            "(`--objective module:function` on the command line)."
        )
    return import_objective(reference)


def _environment_lines(study: Study, record: TrialRecord) -> list[str]:
    environments = study.environments
    recorded = environments.get(record.environment or "")
    if recorded is None and environments:
        recorded = next(iter(environments.values()))
    if recorded is None:
        return ["no environment snapshot was recorded for this trial"]
    return environment_differences(recorded, environment_snapshot())


def _log(study: Study, result: Rerun) -> None:
    if result.differences:
        logger.warning(
            "Trial %d of study %r ran in another environment or code than now:\n  %s",
            result.number,
            study.name,
            "\n  ".join(result.differences),
        )
    logger.info(
        "Rerun of trial %d at resource %s: %s (recorded %s).",
        result.number,
        result.resource,
        result.value if result.error is None else result.error,
        result.recorded,
    )
