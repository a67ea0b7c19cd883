"""Re-evaluate the best configs at the full resource: the step after a coarse search."""

from __future__ import annotations

import json
import logging
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tuneops._internal._validation import check_int, check_real, fail
from tuneops.storage import (
    REFIT_NOTE,
    Direction,
    Evaluation,
    Resource,
    TrialRecord,
    TrialStatus,
)
from tuneops.study._ranking import ranking_key

if TYPE_CHECKING:
    from tuneops.study._study import Objective, Study

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Refit:
    """What re-evaluating one config at the full resource gave.

    Attributes:
        source: Number of the search trial whose config was refitted.
        config: That config.
        searched_value: Its value in the search, at ``searched_resource``.
        searched_resource: The resource its search value was measured at.
        resource: The resource of the refits (the scheduler's ``max_resource``
            unless told otherwise).
        trials: Numbers of the refit trials, one per repeat, in the study.
        values: Their values; failed repeats are left out.
        mean: Mean of ``values`` (NaN when every repeat failed).
        std: Sample standard deviation of ``values`` (ddof = 1; 0 for one value,
            NaN for none).
    """

    source: int
    config: dict[str, Any]
    searched_value: float
    searched_resource: Resource
    resource: Resource
    trials: tuple[int, ...]
    values: tuple[float, ...]
    mean: float
    std: float

    def __str__(self) -> str:
        return (
            f"trial {self.source}: {self.mean:.6g} ± {self.std:.2g} over "
            f"{len(self.values)} refit(s) at resource {self.resource} "
            f"(search: {self.searched_value:.6g} at {self.searched_resource})"
        )


def refit_best(
    study: Study,
    objective: Objective,
    k: int,
    repeats: int,
    resource: Resource,
) -> list[Refit]:
    """Run the top ``k`` configs ``repeats`` times each; see `Study.refit_best`."""
    check_int("k", k, low=1, hint="Refit at least the best config.")
    check_int("repeats", repeats, low=1, hint="Use 2 or more to get a std.")
    check_real("resource", resource, low=0, low_open=True, allow_none=True)
    resource = study.scheduler.max_resource if resource is None else resource
    chosen = top_configs(study.trials, study.direction, k)
    if not chosen:
        raise fail(
            "study",
            "a study with at least one evaluated trial",
            f"{study.name!r} with none",
            "Run `optimize` first.",
        )

    refits = [_refit_one(study, objective, t, repeats, resource) for t in chosen]
    return _ranked(refits, study.direction)


def top_configs(
    trials: Sequence[TrialRecord], direction: Direction, k: int
) -> list[TrialRecord]:
    """The ``k`` best search trials with distinct configs.

    Trials are ranked by the highest resource they reached (higher first), then
    by their value there, then by number, the order `Study.best_trial` uses.
    Refit trials are not candidates.
    """
    ranked = []
    for trial in trials:
        if is_refit(trial) or not trial.evaluations:
            continue
        last = trial.evaluations[-1]
        if last.value is None or math.isnan(last.value):
            continue
        ranked.append((ranking_key(last, trial.number, direction), trial))
    ranked.sort(key=lambda pair: pair[0])

    chosen: list[TrialRecord] = []
    seen: set[str] = set()
    for _, trial in ranked:
        key = json.dumps(trial.config, sort_keys=True, default=str)
        if key not in seen:
            seen.add(key)
            chosen.append(trial)
        if len(chosen) == k:
            break
    return chosen


def _refit_one(
    study: Study,
    objective: Objective,
    source: TrialRecord,
    repeats: int,
    resource: Resource,
) -> Refit:
    from tuneops.study._optimize import run_record

    finals = []
    for repeat in range(repeats):
        note = f"{REFIT_NOTE} {source.number} (repeat {repeat + 1} of {repeats})"
        record = study._add_refit_trial(source.config, resource, note)
        finals.append(run_record(study, objective, record))
    refit = _summary(source, resource, finals)
    logger.info("Refit %s.", refit)
    return refit


def stored_refits(trials: Sequence[TrialRecord], direction: Direction) -> list[Refit]:
    """Every refit a study holds, one per source trial and resource, best first."""
    groups: dict[tuple[int, Resource], list[TrialRecord]] = {}
    for trial in trials:
        source = trial.refit_of
        if source is not None and source < len(trials) and trial.evaluations:
            key = (source, trial.evaluations[-1].resource)
            groups.setdefault(key, []).append(trial)
    refits = [
        _summary(trials[source], resource, group)
        for (source, resource), group in groups.items()
        if trials[source].evaluations
    ]
    return _ranked(refits, direction)


def _ranked(refits: list[Refit], direction: Direction) -> list[Refit]:
    sign = 1.0 if direction == "minimize" else -1.0
    return sorted(refits, key=lambda r: (math.isnan(r.mean), sign * r.mean, r.source))


def _summary(
    source: TrialRecord, resource: Resource, finals: Sequence[TrialRecord]
) -> Refit:
    values = [
        float(t.value)
        for t in finals
        if t.status is not TrialStatus.FAILED and t.value is not None
    ]
    last: Evaluation = source.evaluations[-1]
    return Refit(
        source=source.number,
        config=dict(source.config),
        searched_value=float(last.value if last.value is not None else math.nan),
        searched_resource=last.resource,
        resource=resource,
        trials=tuple(t.number for t in finals),
        values=tuple(values),
        mean=statistics.fmean(values) if values else math.nan,
        std=_std(values),
    )


def _std(values: Sequence[float]) -> float:
    if not values:
        return math.nan
    return statistics.stdev(values) if len(values) > 1 else 0.0


def is_refit(trial: TrialRecord) -> bool:
    """Whether the trial is a refit repeat rather than a searched config."""
    return trial.refit_of is not None
