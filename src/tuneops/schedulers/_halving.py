"""Synchronous successive halving and Hyperband."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from tuneops._internal._errors import ConfigError
from tuneops._internal._validation import check_int
from tuneops.schedulers._base import Action, Decision, Scheduler, Slot
from tuneops.schedulers._plan import Bracket, ResourceGrid
from tuneops.storage import Resource, TrialRecord, TrialStatus

logger = logging.getLogger(__name__)

_BUSY = (TrialStatus.QUEUED, TrialStatus.RUNNING)


class BracketScheduler(Scheduler):
    """Runs a cycle of brackets, each a synchronous successive-halving run.

    A bracket starts ``n_0`` new trials at its first rung. When every trial of a
    rung has ended, the best ``n_{i+1}`` (ties to the lower trial number; failed
    and pruned trials never) are promoted to the next rung and the rest stopped.
    Brackets are independent, so while one waits for its rung to finish the next
    one starts. The plan repeats while the trial budget or time allows; with a
    trial budget only whole brackets are started.
    """

    def __init__(
        self,
        min_resource: int | float,
        max_resource: int | float,
        reduction_factor: int,
    ) -> None:
        super().__init__()
        self.grid = ResourceGrid(min_resource, max_resource, reduction_factor)
        self._sealed: dict[int, int] = {}
        self._exhausted = False

    def brackets(self) -> list[Bracket]:
        """The plan: the brackets in the order they run, before they repeat."""
        raise NotImplementedError

    @property
    def max_resource(self) -> Resource:
        """The resource of every bracket's last rung."""
        return self.grid.resource(0)

    def next_slot(
        self, trials: Sequence[TrialRecord], budget_left: int | None
    ) -> Slot | None:
        """Fill the oldest unfilled bracket, or open the next whole bracket."""
        members = _by_bracket(trials)
        for bracket_id in sorted(members):
            if self._unfilled(bracket_id, members[bracket_id]):
                if budget_left is not None and budget_left <= 0:
                    return None
                return self._first_slot(bracket_id)
        if self._exhausted:
            return None
        bracket_id = max(members, default=-1) + 1
        if budget_left is not None and budget_left < self._shape(bracket_id).n_configs:
            return None
        return self._first_slot(bracket_id)

    def on_result(
        self, trial: TrialRecord, trials: Sequence[TrialRecord]
    ) -> list[Action]:
        """Complete a trial at its last rung; decide a rung once it has ended."""
        if trial.bracket is None:
            return []
        actions = []
        top = self._shape(trial.bracket).rungs[-1]
        if (
            trial.status is TrialStatus.PAUSED
            and trial.rung == len(self._shape(trial.bracket).rungs) - 1
        ):
            actions.append(
                Action(trial.number, Decision.COMPLETE, trial.rung, top.resource)
            )
        members = [t for t in trials if t.bracket == trial.bracket]
        return actions + self._decide_rung(trial.bracket, members)

    def check_budget(
        self, n_trials: int | None, trials: Sequence[TrialRecord]
    ) -> list[str]:
        """Refuse a budget that cannot finish one bracket; warn about unused trials."""
        if n_trials is None:
            return []
        members = _by_bracket(trials)
        budget = n_trials
        started: list[int] = []
        for bracket_id in sorted(members):
            if self._unfilled(bracket_id, members[bracket_id]):
                budget -= self._shape(bracket_id).n_configs - len(members[bracket_id])
                started.append(bracket_id)
        if budget < 0:
            return [self._open_bracket_warning(n_trials, budget)]
        next_id = max(members, default=-1) + 1
        while budget >= self._shape(next_id).n_configs:
            budget -= self._shape(next_id).n_configs
            started.append(next_id)
            next_id += 1
        if not started and not members:
            raise ConfigError(self._too_small_message(n_trials))
        if budget > 0:
            return [self._unused_warning(n_trials, budget, next_id)]
        return []

    def seal(self, trials: Sequence[TrialRecord]) -> list[Action]:
        """No more configs: unfilled brackets go on with the trials they have."""
        self._exhausted = True
        actions: list[Action] = []
        for bracket_id, members in _by_bracket(trials).items():
            if self._unfilled(bracket_id, members):
                self._sealed[bracket_id] = len(members)
                logger.debug(
                    "Bracket %d sealed with %d of %d configs: the searcher is "
                    "exhausted.",
                    bracket_id,
                    len(members),
                    self._shape(bracket_id).n_configs,
                )
                actions += self._decide_rung(bracket_id, members)
        return actions

    def to_dict(self) -> dict[str, Any]:
        """The spec that rebuilds this scheduler."""
        return {
            **super().to_dict(),
            "min_resource": self.grid.min_resource,
            "max_resource": self.grid.max_resource,
            "reduction_factor": self.grid.eta,
        }

    def _shape(self, bracket_id: int) -> Bracket:
        plan = self.brackets()
        return plan[bracket_id % len(plan)]

    def _first_slot(self, bracket_id: int) -> Slot:
        return Slot(self._shape(bracket_id).rungs[0].resource, 0, bracket_id)

    def _unfilled(self, bracket_id: int, members: Sequence[TrialRecord]) -> bool:
        if bracket_id in self._sealed:
            return False
        return len(members) < self._shape(bracket_id).n_configs

    def _promotions(self, bracket_id: int, rung: int) -> int:
        shape = self._shape(bracket_id)
        if bracket_id not in self._sealed:
            return shape.rungs[rung + 1].n_configs
        # A sealed bracket still sends its best config up to max_resource.
        return max(1, self._sealed[bracket_id] // self.grid.eta ** (rung + 1))

    def _decide_rung(
        self, bracket_id: int, members: Sequence[TrialRecord]
    ) -> list[Action]:
        if self._unfilled(bracket_id, members):
            return []
        shape = self._shape(bracket_id)
        for rung in range(len(shape.rungs) - 1):
            at_rung = [t for t in members if t.rung == rung]
            if any(t.status in _BUSY for t in at_rung):
                return []
            waiting = [t for t in at_rung if t.status is TrialStatus.PAUSED]
            if waiting:
                return self._promote_best(bracket_id, rung, waiting)
        return []

    def _promote_best(
        self, bracket_id: int, rung: int, waiting: Sequence[TrialRecord]
    ) -> list[Action]:
        sign = 1.0 if self.direction == "minimize" else -1.0
        ranked = sorted(waiting, key=lambda t: (sign * t.value, t.number))  # type: ignore[operator]
        k = self._promotions(bracket_id, rung)
        resource = self._shape(bracket_id).rungs[rung + 1].resource
        promoted = [
            Action(t.number, Decision.PROMOTE, rung + 1, resource) for t in ranked[:k]
        ]
        stopped = [Action(t.number, Decision.STOP) for t in ranked[k:]]
        logger.debug(
            "Bracket %d rung %d ended: promoting trials %s to resource %s, "
            "stopping %d.",
            bracket_id,
            rung,
            [a.number for a in promoted],
            resource,
            len(stopped),
        )
        return promoted + stopped

    def _too_small_message(self, n_trials: int) -> str:
        first = self._shape(0).n_configs
        total = sum(b.n_configs for b in self.brackets())
        return (
            f"`n_trials` must be at least {first} for {self!r}: its first bracket "
            f"starts {first} configs (the whole plan {total}); got {n_trials}. "
            "Raise n_trials, or raise min_resource / lower max_resource for a "
            "smaller plan."
        )

    def _unused_warning(self, n_trials: int, unused: int, next_id: int) -> str:
        total = sum(b.n_configs for b in self.brackets())
        return (
            f"n_trials={n_trials} leaves {unused} trials unused: only whole brackets "
            f"are started and the next one needs {self._shape(next_id).n_configs}. "
            f"The whole plan of {self!r} takes {total} trials."
        )

    def _open_bracket_warning(self, n_trials: int, short: int) -> str:
        return (
            f"n_trials={n_trials} is {-short} trials short of filling the brackets "
            "already started; their rungs will not end until they are filled. Raise "
            "n_trials."
        )


class SuccessiveHalving(BracketScheduler):
    """Synchronous successive halving (Jamieson & Talwalkar, AISTATS 2016).

    Starts ``n_configs`` configs at the smallest rung, keeps the best 1/η of each
    rung and gives them η times the resource, up to ``max_resource``; then starts
    over with new configs while the budget lasts. The rungs are those of
    Hyperband's most exploratory bracket: ``max_resource / η**(s_max - i)``.

    Args:
        min_resource: Smallest resource a trial may get (> 0); the first rung
            gets the smallest ``max_resource / η**k`` not below it.
        max_resource: Resource of the last rung (> min_resource).
        reduction_factor: η, an integer >= 2; default 3.
        n_configs: Configs per bracket; default ``η**s_max``, so one config
            reaches ``max_resource``. Smaller values leave the last rung empty
            and are refused.
    """

    type_name = "successive_halving"

    def __init__(
        self,
        min_resource: int | float = 1,
        max_resource: int | float = 81,
        reduction_factor: int = 3,
        n_configs: int | None = None,
    ) -> None:
        super().__init__(min_resource, max_resource, reduction_factor)
        smallest = self.grid.eta**self.grid.s_max
        check_int(
            "n_configs",
            n_configs,
            low=smallest,
            allow_none=True,
            hint="Fewer configs would leave the last rung empty; raise n_configs "
            "or raise min_resource.",
        )
        self.n_configs = smallest if n_configs is None else n_configs
        self._plan = [self.grid.bracket(self.grid.s_max, self.n_configs)]

    def brackets(self) -> list[Bracket]:
        """The single bracket this scheduler repeats."""
        return list(self._plan)

    def to_dict(self) -> dict[str, Any]:
        """The spec that rebuilds this scheduler."""
        return {**super().to_dict(), "n_configs": self.n_configs}


class Hyperband(BracketScheduler):
    """Hyperband (Li et al., "Hyperband: A Novel Bandit-Based Approach to
    Hyperparameter Optimization", JMLR 18(185), 2018, Algorithm 1).

    Hedges over how aggressively to stop trials early: brackets ``s = s_max, …, 0``
    each run successive halving from ``n`` configs at ``max_resource / η**s``; the
    last one trains a few configs at ``max_resource`` only. See `_plan` for the
    mapping of the paper's symbols. With ``min_resource=1, max_resource=81,
    reduction_factor=3`` the plan is the paper's: 81×1, 34×3, 15×9, 8×27, 5×81.

    Args:
        min_resource: Smallest resource a trial may get (> 0).
        max_resource: Resource of every bracket's last rung (``R`` times
            ``min_resource``); at least η times min_resource.
        reduction_factor: η, an integer >= 2; default 3.
    """

    type_name = "hyperband"

    def __init__(
        self,
        min_resource: int | float = 1,
        max_resource: int | float = 81,
        reduction_factor: int = 3,
    ) -> None:
        super().__init__(min_resource, max_resource, reduction_factor)
        s_max = self.grid.s_max
        self._plan = [
            self.grid.bracket(s, self.grid.hyperband_n(s)) for s in range(s_max, -1, -1)
        ]

    def brackets(self) -> list[Bracket]:
        """The brackets ``s_max … 0`` of one Hyperband iteration, in run order."""
        return list(self._plan)


def _by_bracket(trials: Sequence[TrialRecord]) -> dict[int, list[TrialRecord]]:
    grouped: dict[int, list[TrialRecord]] = defaultdict(list)
    for trial in trials:
        if trial.bracket is not None:
            grouped[trial.bracket].append(trial)
    return grouped
