"""The live trial an objective receives."""

from __future__ import annotations

import numbers
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tuneops._internal._validation import check_int, fail
from tuneops.storage import Resource, TrialRecord

if TYPE_CHECKING:
    from tuneops.study._study import Study


class Trial:
    """One config under evaluation, handed to the objective.

    The same trial may be evaluated several times with a growing ``resource`` when
    a multi-fidelity scheduler promotes it; ``number``, ``config``, ``seed`` and
    ``checkpoint_dir`` stay the same, so the objective can resume from what it saved
    at the lower rung instead of training from scratch.

    Attributes:
        number: The trial's index in its study, from 0.
        config: The hyperparameter values; inactive conditional ones are absent.
        resource: The budget for this evaluation in the user's units (epochs,
            boosting rounds, a fraction of the rows...); ``None`` when the study
            has no notion of resource.
        rung: Index of this evaluation's rung, 0 for the cheapest.
        bracket: The scheduler's bracket, ``None`` outside Hyperband-like plans.
        seed: A seed derived from the study seed and ``number`` (0 <= seed <
            2**32); use it to seed the model so a trial can be rerun exactly.
        study_name: Name of the study the trial belongs to.
    """

    def __init__(self, study: Study, record: TrialRecord) -> None:
        self._study = study
        self.number = record.number
        self.config: dict[str, Any] = dict(record.config)
        self.resource: Resource = record.resource
        self.rung = record.rung
        self.bracket = record.bracket
        self.seed = record.seed
        self.study_name = study.name
        self._stop_requested = False
        self._last_report: tuple[int, float] | None = None

    @property
    def checkpoint_dir(self) -> Path:
        """A folder private to this trial, kept across its rungs (created on use)."""
        path = Path(self._study.artifacts_dir) / f"trial_{self.number:05d}"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def report(self, value: float, step: int) -> None:
        """Record an intermediate value, e.g. the validation loss after an epoch.

        Args:
            value: The study metric measured so far; ``nan`` and ``±inf`` are
                stored as they are.
            step: A non-negative integer, e.g. the epoch or boosting round;
                reporting a step again replaces its value.
        """
        if not isinstance(value, numbers.Real) or isinstance(value, bool):
            raise fail("value", "a number", value, "Report the metric as a float.")
        check_int("step", step, low=0)
        self._last_report = (int(step), float(value))
        if self._study._report(self, int(step), float(value)):
            self._stop_requested = True

    def should_stop(self) -> bool:
        """Whether the scheduler asks this trial to stop early.

        Check it after `report`; when it is true, return the latest metric: the
        trial is recorded as ``stopped`` with that value.
        """
        return self._stop_requested

    def __repr__(self) -> str:
        return (
            f"Trial(number={self.number}, resource={self.resource!r}, "
            f"config={self.config!r})"
        )
