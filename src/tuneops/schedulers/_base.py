"""The scheduler interface: how much resource each trial gets, and when it ends."""

from __future__ import annotations

import abc
import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from tuneops._internal._validation import check_real
from tuneops.storage import Direction, Resource, TrialRecord, TrialStatus


@dataclass(frozen=True)
class Slot:
    """Where a new trial starts: its resource, rung and bracket."""

    resource: Resource
    rung: int = 0
    bracket: int | None = None


class Decision(enum.StrEnum):
    """What happens to a trial after one of its evaluations ends."""

    PAUSE = "pause"
    """Wait: its rung is not complete yet."""
    PROMOTE = "promote"
    """Run it again at the next rung's larger resource."""
    STOP = "stop"
    """End it: it was not good enough to promote."""
    COMPLETE = "complete"
    """End it: it reached the last resource planned for it."""


@dataclass(frozen=True)
class Action:
    """A scheduler's decision about one trial."""

    number: int
    decision: Decision
    rung: int | None = None
    resource: Resource = None


class Scheduler(abc.ABC):
    """Decides the resource of every evaluation, promotions and early stops.

    The study asks `next_slot` where a new trial starts. After each evaluation it
    marks the trial ``paused`` (or ``failed``) and calls `on_result`; the returned
    actions promote, stop or complete trials, that one or others of its rung.
    Promoted trials are queued and run before any new trial. `should_stop` is
    consulted on every intermediate report.

    Schedulers keep no state of their own beyond what the trial records hold
    (bracket, rung, status, value), so a reopened study continues exactly where it
    was. `seal` is the one exception: it tells the scheduler that the searcher has
    no more configs.

    The resource is whatever the user says it is: epochs, boosting iterations, a
    fraction of the training rows, a width multiplier.
    """

    type_name: ClassVar[str]

    def __init__(self) -> None:
        self.direction: Direction = "minimize"

    def bind(self, direction: Direction) -> None:
        """Attach the scheduler to a study's direction."""
        self.direction = direction

    @property
    @abc.abstractmethod
    def max_resource(self) -> Resource:
        """The largest resource any trial gets."""

    @abc.abstractmethod
    def next_slot(
        self, trials: Sequence[TrialRecord], budget_left: int | None
    ) -> Slot | None:
        """Where the next new trial starts, or ``None`` if no new trial may start.

        Args:
            trials: Every trial of the study, by number.
            budget_left: How many more new trials the caller allows; ``None`` for
                no limit.
        """

    @abc.abstractmethod
    def on_result(
        self, trial: TrialRecord, trials: Sequence[TrialRecord]
    ) -> list[Action]:
        """Decide after ``trial`` (now paused, stopped or failed) ended a rung."""

    def should_stop(
        self, trial: TrialRecord, step: int, value: float, trials: Sequence[TrialRecord]
    ) -> bool:
        """Whether a running trial should stop after reporting ``value`` at ``step``."""
        return False

    def check_budget(
        self, n_trials: int | None, trials: Sequence[TrialRecord]
    ) -> list[str]:
        """Warnings about a trial budget; raise `ConfigError` if it cannot work."""
        return []

    def seal(self, trials: Sequence[TrialRecord]) -> list[Action]:
        """The searcher is exhausted: no new trial will come.

        Returns the decisions this makes possible, e.g. a rung that now counts as
        complete with fewer configs than planned. Default: none.
        """
        return []

    def to_dict(self) -> dict[str, Any]:
        """The spec that rebuilds this scheduler (``{"type": ..., ...}``)."""
        return {"type": self.type_name}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.to_dict().items() if k != "type")
        return f"{type(self).__name__}({args})"


class FIFOScheduler(Scheduler):
    """Gives every trial the full ``max_resource``, first come first served.

    Args:
        max_resource: The resource each trial gets (``trial.resource``); ``None``
            when the objective has no notion of resource. Any positive number.
    """

    type_name = "fifo"

    def __init__(self, max_resource: int | float | None = None) -> None:
        super().__init__()
        check_real("max_resource", max_resource, low=0, low_open=True, allow_none=True)
        self._max_resource = max_resource

    @property
    def max_resource(self) -> Resource:
        """The resource each trial gets."""
        return self._max_resource

    def next_slot(
        self, trials: Sequence[TrialRecord], budget_left: int | None
    ) -> Slot | None:
        """Every new trial starts at ``max_resource`` while the budget lasts."""
        if budget_left is not None and budget_left <= 0:
            return None
        return Slot(self._max_resource)

    def on_result(
        self, trial: TrialRecord, trials: Sequence[TrialRecord]
    ) -> list[Action]:
        """A trial with a result is complete; there is nothing to promote."""
        if trial.status is not TrialStatus.PAUSED:
            return []
        return [Action(trial.number, Decision.COMPLETE)]

    def to_dict(self) -> dict[str, Any]:
        """The spec that rebuilds this scheduler."""
        spec = super().to_dict()
        if self._max_resource is not None:
            spec["max_resource"] = self._max_resource
        return spec
