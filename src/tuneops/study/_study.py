"""The study: a named search over a space, recorded in a storage."""

from __future__ import annotations

import logging
import os
import secrets
import time
import traceback as tb
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from tuneops._internal._errors import ConfigError, SearchStalledError
from tuneops._internal._validation import check_choice, check_int, check_real, fail
from tuneops.record import Cost, Prices, study_cost, trial_log_path
from tuneops.schedulers import (
    Action,
    Decision,
    FIFOScheduler,
    Scheduler,
    Slot,
    scheduler_from_spec,
)
from tuneops.searchers import RandomSearcher, Searcher, searcher_from_spec
from tuneops.space import Space
from tuneops.storage import (
    DEFAULT_STORAGE,
    Direction,
    Evaluation,
    Resource,
    Storage,
    StudyRecord,
    TrialRecord,
    TrialStatus,
    open_storage,
)
from tuneops.study._frame import trials_frame
from tuneops.study._outcome import Outcome, parse_outcome
from tuneops.study._paths import default_artifacts_dir
from tuneops.study._ranking import ranking_key
from tuneops.study._recording import Recorder, Usage
from tuneops.study._refit import Refit, is_refit, stored_refits
from tuneops.study._trial import Trial

if TYPE_CHECKING:
    from tuneops.study._rerun import Rerun

logger = logging.getLogger(__name__)

Objective = Callable[[Trial], Any]
Callback = Callable[["Study", TrialRecord], None]

# A study whose first trials all fail stops after this many, rather than spending
# its whole budget on a broken objective.
FAILURES_BEFORE_GIVING_UP = 5


class Study:
    """A search over a space for the config with the best metric, trial by trial.

    Create one with `Study.create` and reopen it with `Study.load`; drive it with
    `optimize` (the study calls your objective) or with `ask` and `tell` (you run
    the trials yourself). Every trial, result and intermediate value is written to
    the storage as it happens, so a study killed at any point resumes with nothing
    lost or run twice.

    A study is driven by one process at a time: trials found ``running`` when a
    study is reopened are taken to have died with their process, and requeued.
    """

    def __init__(
        self,
        record: StudyRecord,
        storage: Storage,
        searcher: Searcher,
        scheduler: Scheduler,
        trials: Sequence[TrialRecord],
    ) -> None:
        self._record = record
        self._storage = storage
        self.space = Space.from_dict(record.space)
        self.searcher = searcher
        self.scheduler = scheduler
        self._trials: list[TrialRecord] = list(trials)
        self._queued = {t.number for t in trials if t.status is TrialStatus.QUEUED}
        self._running: dict[int, tuple[Trial, float]] = {}
        self._recovered = False
        # (-resource, signed value, number, evaluation): the minimum is the best.
        self._best: tuple[float, float, int, Evaluation] | None = None
        self._n_valued = 0
        self._n_failed = 0
        for trial in trials:
            self._count(trial)
            for evaluation in trial.evaluations:
                self._track_best(trial.number, evaluation)
        self._recorder = Recorder(self)
        searcher.bind(self.space, record.direction, record.seed)
        searcher.restore(self._trials)
        scheduler.bind(record.direction)

    @classmethod
    def create(
        cls,
        name: str,
        space: Space | Mapping[str, Any],
        *,
        metric: str = "value",
        direction: Direction = "minimize",
        searcher: Searcher | str | Mapping[str, Any] | None = None,
        scheduler: Scheduler | str | Mapping[str, Any] | None = None,
        seed: int | None = None,
        storage: str | os.PathLike[str] | Storage | None = DEFAULT_STORAGE,
        artifacts_dir: str | os.PathLike[str] | None = None,
        resume: bool = False,
    ) -> Study:
        """Create a new study, refusing a name the storage already holds.

        Args:
            name: Unique name of the study in the storage (1 to 256 characters).
            space: The search space, or its dict form.
            metric: Name of the metric to optimize; an objective returning a dict
                must include it. Default ``"value"``.
            direction: ``"minimize"`` (default) or ``"maximize"``.
            searcher: A `Searcher`, or its spec (``"random"``,
                ``{"type": "grid", "n_points": 3}``). Default: random search.
            scheduler: A `Scheduler`, or its spec (``"fifo"``,
                ``{"type": "hyperband", "max_resource": 81}``). Default: FIFO
                without a resource.
            seed: Study seed (0 <= seed < 2**63); every trial seed and the
                searcher derive from it. ``None`` draws one and stores it.
            storage: A SQLAlchemy URL, a SQLite file path, ``None`` or
                ``"memory"`` for in-memory, or a `Storage`. Default
                ``sqlite:///tuneops.db`` in the working directory.
            artifacts_dir: Folder for per-trial checkpoint folders; default
                beside the SQLite file (``tuneops_artifacts/<name>``).
            resume: If a study of this name exists, reopen it instead of
                failing; its metric, direction and space must match.

        Raises:
            StudyExistsError: The name is taken and ``resume`` is false.
            ConfigError: A setting is invalid.
        """
        store = open_storage(storage)
        space = space if isinstance(space, Space) else Space.from_dict(space)
        searcher = _build_searcher(searcher)
        scheduler = _build_scheduler(scheduler)
        record = _study_record(
            name,
            space,
            metric,
            direction,
            searcher,
            scheduler,
            seed,
            store,
            artifacts_dir,
        )
        if resume and _exists(store, name):
            return cls._resume(record, store, searcher, scheduler)
        store.create_study(record)
        logger.debug("Created study %r in %s.", name, store.url)
        study = cls(record, store, searcher, scheduler, [])
        study._recorder.environment()
        return study

    @classmethod
    def load(
        cls,
        name: str,
        storage: str | os.PathLike[str] | Storage | None = DEFAULT_STORAGE,
        *,
        searcher: Searcher | None = None,
        scheduler: Scheduler | None = None,
    ) -> Study:
        """Reopen a stored study with its trials, searcher and scheduler.

        Args:
            name: The study's name.
            storage: Where it is stored (as for `create`).
            searcher: Use this searcher instead of rebuilding the stored one (for
                searchers tuneops does not know by name).
            scheduler: Likewise for the scheduler.

        Raises:
            StudyNotFoundError: No study of that name is stored there.
        """
        store = open_storage(storage)
        record = store.load_study(name)
        searcher = searcher or searcher_from_spec(record.searcher)
        scheduler = scheduler or scheduler_from_spec(record.scheduler)
        return cls(record, store, searcher, scheduler, store.load_trials(name))

    @classmethod
    def _resume(
        cls,
        wanted: StudyRecord,
        store: Storage,
        searcher: Searcher,
        scheduler: Scheduler,
    ) -> Study:
        stored = store.load_study(wanted.name)
        for key in ("metric", "direction", "space"):
            if getattr(stored, key) != getattr(wanted, key):
                raise ConfigError(
                    f"The stored study {wanted.name!r} has a different {key} than the "
                    f"one given ({getattr(stored, key)!r} stored). Resume it with the "
                    "same settings, or create a study with a new name."
                )
        return cls(stored, store, searcher, scheduler, store.load_trials(wanted.name))

    @property
    def name(self) -> str:
        """The study's unique name."""
        return self._record.name

    @property
    def metric(self) -> str:
        """Name of the metric the study optimizes."""
        return self._record.metric

    @property
    def direction(self) -> Direction:
        """``"minimize"`` or ``"maximize"``."""
        return self._record.direction

    @property
    def seed(self) -> int:
        """The study seed."""
        return self._record.seed

    @property
    def storage(self) -> Storage:
        """Where the study is recorded."""
        return self._storage

    @property
    def artifacts_dir(self) -> str:
        """Folder that holds the per-trial checkpoint folders."""
        return self._record.artifacts_dir

    @property
    def record(self) -> StudyRecord:
        """The study's stored settings."""
        return self._record

    @property
    def trials(self) -> list[TrialRecord]:
        """Snapshots of every trial, by number."""
        return list(self._trials)

    @property
    def best_trial(self) -> TrialRecord:
        """The best trial among those evaluated at the highest resource reached.

        Values at different resources are not compared: a config trained for 81
        epochs is not judged against one trained for 1. Ties go to the lower
        trial number. `best_resource` says which resource that was. Refit
        trials never compete (a lucky repeat is not a better config); see
        `refits` for their means.

        Raises:
            ValueError: No trial has a result yet.
        """
        return self._trials[self._best_evaluation()[0]]

    @property
    def refits(self) -> list[Refit]:
        """Every refit the study holds (from `refit_best`), best mean first.

        Repeats of one config at one resource are pooled, also across calls.
        """
        return stored_refits(self._trials, self.direction)

    @property
    def best_value(self) -> float:
        """The best trial's metric at `best_resource`."""
        value = self._best_evaluation()[1].value
        return float("nan") if value is None else value

    @property
    def best_resource(self) -> int | float | None:
        """The resource at which `best_value` was measured."""
        return self._best_evaluation()[1].resource

    def _best_evaluation(self) -> tuple[int, Evaluation]:
        if self._best is None:
            raise ValueError(f"Study {self.name!r} has no trial with a result yet.")
        return self._best[2], self._best[3]

    def dataframe(self) -> pd.DataFrame:
        """One row per trial: status, value, resource, timings, config and metrics.

        Config columns are named ``config.<name>`` and metric columns
        ``metric.<name>``; times are UTC timestamps; ``duration`` is in seconds.
        """
        return trials_frame(self._trials)

    def intermediate_values(self, number: int) -> list[tuple[int, int, float]]:
        """Values trial ``number`` reported, as ``(rung, step, value)``."""
        return self._storage.load_intermediate(self.name, number)

    @property
    def environments(self) -> dict[str, dict[str, Any]]:
        """Environment snapshots of this study by digest, oldest first.

        The first is the process that created the study; another is added
        for every process whose setup differs (another machine, an upgraded
        package). Each trial's ``environment`` names the one it ran in. See
        `tuneops.record.environment_snapshot` for the fields.
        """
        return self._storage.load_snapshots(self.name, "environment")

    @property
    def code_snapshots(self) -> dict[str, dict[str, Any]]:
        """Code snapshots of this study by digest, oldest first.

        One per objective and process: the objective's module and file, the
        file's SHA-256 and the git commit, branch, dirty flag and diff. Each
        trial's ``code`` names its own. See `tuneops.record.code_snapshot`.
        """
        return self._storage.load_snapshots(self.name, "code")

    def log_path(self, number: int) -> Path:
        """The log file of trial ``number`` (it exists once the trial ran)."""
        return trial_log_path(self.artifacts_dir, number)

    def cost(self, prices: Prices | None = None) -> Cost:
        """Wall, CPU and GPU time of every trial, summed, and their price.

        Args:
            prices: Per-hour prices; default `Prices.from_env` (the
                ``TUNEOPS_*_PRICE`` variables, else the documented defaults).
        """
        return study_cost(self._trials, prices)

    def rerun(
        self,
        number: int,
        objective: Objective | None = None,
        *,
        resource: Resource = None,
    ) -> Rerun:
        """Run trial ``number``'s config again with its seed and report both values.

        The rerun is not recorded as a trial and cannot change the study: its
        intermediate reports are kept in memory, and it gets an empty
        checkpoint folder, so it trains from scratch at the resource.

        Args:
            objective: The objective to call; ``None`` imports the one
                recorded in the trial's code snapshot (its file and name, with
                the keyword arguments a `functools.partial` bound).
            resource: The resource to run at; ``None`` uses the highest
                resource the trial was evaluated at.

        Returns:
            The recorded and the new value, and every difference between the
            recorded environment and code and the current ones (also logged as
            a warning).

        Raises:
            ConfigError: No such trial, it has no recorded result at that
                resource, or the recorded objective cannot be imported.
        """
        from tuneops.study._rerun import rerun_trial

        return rerun_trial(self, number, objective, resource)

    def budget_warnings(self, n_trials: int | None) -> list[str]:
        """What the scheduler says about a budget of ``n_trials`` new trials.

        Raises:
            ConfigError: The budget cannot complete even one bracket of the plan.
        """
        return self.scheduler.check_budget(n_trials, self._trials)

    def enqueue(self, config: Mapping[str, Any]) -> int:
        """Queue a config of your own to run before the searcher's next proposals.

        Returns:
            The new trial's number.

        Raises:
            ConfigError: The config does not fit the space.
        """
        self.space.validate(dict(config))
        slot = self.scheduler.next_slot(self._trials, None)
        if slot is None:
            raise ConfigError(
                f"Study {self.name!r} has no room for another trial: its scheduler's "
                "plan is complete. Create a new study for more configs."
            )
        record = self._new_record(dict(config), slot, TrialStatus.QUEUED)
        self._storage.add_trial(self.name, record)
        self._trials.append(record)
        self._queued.add(record.number)
        return record.number

    def ask(self) -> Trial | None:
        """Start the next trial: a queued one, or a new config from the searcher.

        Returns:
            The trial to evaluate, or ``None`` when the searcher is exhausted or the
            scheduler's plan is done.

        Raises:
            SearchStalledError: Nothing can start until running trials are told.
        """
        record = self._next_record(None)
        if record is None:
            if self._running:
                raise SearchStalledError(
                    f"No trial can start in study {self.name!r} until the running "
                    f"trials {sorted(self._running)} are told."
                )
            return None
        trial = Trial(self, record)
        self._running[record.number] = (trial, time.time())
        return trial

    def tell(
        self,
        trial: Trial | int,
        value: Any = None,
        *,
        error: BaseException | str | None = None,
        cpu_time: float = 0.0,
        gpu_time: float = 0.0,
    ) -> TrialRecord:
        """Record the result of a trial started by `ask`.

        Args:
            trial: The trial (or its number).
            value: A number, or a dict of metrics that includes the study metric.
                Anything else (None, NaN, ±inf, a string) fails the trial.
            error: Mark the trial failed with this exception or reason instead.
            cpu_time: Core-seconds of CPU the evaluation used (>= 0), for the
                study's cost; tuneops cannot measure what runs outside
                `optimize`. Wall time is measured from `ask` to `tell`.
            gpu_time: GPU-seconds the evaluation used (>= 0).

        Returns:
            The trial's record after the scheduler's decision.
        """
        check_real("cpu_time", cpu_time, low=0)
        check_real("gpu_time", gpu_time, low=0)
        usage = Usage(
            cpu_time=float(cpu_time),
            gpu_time=float(gpu_time),
            environment=self._recorder.environment(),
            code=self._recorder.code(None),
        )
        return self._tell(trial, value, error, usage)

    def _tell(
        self,
        trial: Trial | int,
        value: Any,
        error: BaseException | str | None,
        usage: Usage,
    ) -> TrialRecord:
        number = trial if isinstance(trial, int) else trial.number
        if number not in self._running:
            raise fail(
                "trial",
                "a running trial of this study (from ask)",
                number,
                "It was already told, or belongs to another study.",
            )
        handle, started = self._running.pop(number)
        outcome, trace = _outcome_of(value, error, self.metric)
        return self._finish(handle, started, outcome, trace, usage)

    def optimize(
        self,
        objective: Objective,
        n_trials: int | None = None,
        timeout: float | None = None,
        *,
        callbacks: Iterable[Callback] = (),
        seed_everything: bool = True,
        capture_output: bool = True,
    ) -> None:
        """Run trials until ``n_trials`` new trials ran, ``timeout`` passed, or the
        searcher or scheduler has nothing left.

        Queued trials (promotions, interrupted ones) run first and do not count
        against ``n_trials``. A trial whose objective raises or returns something
        unusable is recorded as failed and the study goes on, unless the study's
        first trials all fail. Ctrl-C puts the running trial back in the queue,
        keeps everything recorded, and re-raises `KeyboardInterrupt`.

        Args:
            objective: Called with a `Trial`; returns a number or a dict of
                metrics holding the study metric.
            n_trials: New trials to start (>= 0; 0 runs only queued trials);
                ``None`` for no limit.
            timeout: Seconds after which no new evaluation starts (> 0); the
                running one finishes. ``None`` for no limit.
            callbacks: Called with the study and the trial's record after every
                evaluation.
            seed_everything: Before each evaluation, seed Python's `random`,
                numpy's global generator and PyTorch with the trial's seed
                (`tuneops.seed_everything`). Default true.
            capture_output: Write what the objective prints or logs to the
                trial's log file (`log_path`, `tuneops logs`) instead of the
                console. Default true.

        Raises:
            TrialsFailingError: The study's first trials all failed.
            ConfigError: The trial budget cannot work with the scheduler.
        """
        from tuneops.study._optimize import RunOptions, run_optimize

        options = RunOptions(seed_everything, capture_output)
        run_optimize(self, objective, n_trials, timeout, list(callbacks), options)

    def refit_best(
        self,
        objective: Objective,
        k: int = 3,
        *,
        repeats: int = 3,
        resource: int | float | None = None,
    ) -> list[Refit]:
        """Re-evaluate the top ``k`` configs at the full resource with fresh seeds.

        A coarse search ranks configs on cheap rungs and on one seed each; this
        step trains the best of them exactly, ``repeats`` times each, so the
        config you pick is not an artefact of a low resource or a lucky seed.
        Every repeat is recorded as a new trial of the study (with its own seed
        and the note ``refit of trial N``), outside the scheduler's brackets;
        refit trials are never refitted again and never become `best_trial`:
        pick the config by the refits' means (`refits`, `tuneops show`).

        Args:
            objective: The study's objective (called like in `optimize`).
            k: How many of the best distinct configs to refit (>= 1, default 3).
                They are ranked as `best_trial` ranks: highest resource reached
                first, then value.
            repeats: Evaluations per config (>= 1, default 3), each with a new
                trial seed.
            resource: The resource of the refits (> 0); ``None`` (default) uses
                the scheduler's ``max_resource``. A larger one is allowed (a
                final training longer than any rung).

        Returns:
            One `Refit` per config (mean ± std of its repeats), best mean first.

        Raises:
            ConfigError: ``k``, ``repeats`` or ``resource`` is out of range, or
                no trial has a result yet.
        """
        from tuneops.study._refit import refit_best

        return refit_best(self, objective, k, repeats, resource)

    # -- internals used by Trial and the optimize loop ------------------------------

    def _next_record(self, budget_left: int | None) -> TrialRecord | None:
        self._recover_interrupted()
        record = self._claim_queued()
        if record is not None:
            return record
        slot = self.scheduler.next_slot(self._trials, budget_left)
        if slot is None:
            return None
        config = self.searcher.suggest(len(self._trials))
        if config is None:
            self._apply(self.scheduler.seal(self._trials), {})
            return self._claim_queued()
        record = self._new_record(config, slot, TrialStatus.RUNNING)
        self._storage.add_trial(self.name, record)
        self._trials.append(record)
        return record

    def _new_record(
        self, config: dict[str, Any], slot: Any, status: TrialStatus
    ) -> TrialRecord:
        number = len(self._trials)
        return TrialRecord(
            number=number,
            status=status,
            config=config,
            seed=derive_seed(self.seed, number),
            rung=slot.rung,
            bracket=slot.bracket,
            resource=slot.resource,
            started_at=time.time() if status is TrialStatus.RUNNING else None,
        )

    def _add_refit_trial(
        self, config: Mapping[str, Any], resource: Resource, note: str
    ) -> TrialRecord:
        record = self._new_record(dict(config), Slot(resource), TrialStatus.RUNNING)
        record = record.evolve(note=note)
        self._storage.add_trial(self.name, record)
        self._trials.append(record)
        return record

    def _claim_queued(self) -> TrialRecord | None:
        if not self._queued:
            return None
        number = min(self._queued)
        self._queued.discard(number)
        record = self._trials[number]
        started = record.started_at or time.time()
        record = record.evolve(status=TrialStatus.RUNNING, started_at=started)
        self._save([record])
        return record

    def _recover_interrupted(self) -> None:
        # TODO: this assumes one process per study. Several workers on one
        # PostgreSQL study need trial numbers allocated by the database and
        # heartbeats, so that a live worker's trial is not taken for a dead one;
        # that comes with the executors.
        if self._recovered:
            return
        self._recovered = True
        stale = [
            t
            for t in self._trials
            if t.status is TrialStatus.RUNNING and t.number not in self._running
        ]
        if not stale:
            return
        self._requeue_records(
            stale,
            f"Was running when its process ended; requeued at {_now()} to run "
            "again at the same resource.",
        )
        logger.warning(
            "Requeued %d trial(s) that were running when the study's process "
            "ended: %s.",
            len(stale),
            [t.number for t in stale],
        )

    @property
    def _given_up(self) -> bool:
        """Whether the study's first trials all failed, so it stopped."""
        return not self._n_valued and self._n_failed >= FAILURES_BEFORE_GIVING_UP

    def _retry_given_up(self) -> None:
        # A study stopped because its first trials all failed: the objective
        # was broken, not those configs. After a fix, they run again first.
        if not self._given_up:
            return
        failed = [t for t in self._trials if t.status is TrialStatus.FAILED]
        self._requeue_records(
            failed,
            f"Failed while every trial of the study failed; requeued at {_now()} "
            "to run again.",
            error=None,
            traceback=None,
        )
        self._n_failed = 0
        logger.warning(
            "Retrying the %d failed trial(s) of study %r first: %s.",
            len(failed),
            self.name,
            [t.number for t in failed],
        )

    def _requeue_records(
        self, records: Sequence[TrialRecord], note: str, **changes: Any
    ) -> None:
        requeued = [
            t.evolve(status=TrialStatus.QUEUED, note=note, **changes) for t in records
        ]
        self._save(requeued)
        self._queued.update(t.number for t in requeued)

    def _report(self, trial: Trial, step: int, value: float) -> bool:
        self._storage.add_intermediate(self.name, trial.number, trial.rung, step, value)
        record = self._trials[trial.number]
        stop = self.scheduler.should_stop(record, step, value, self._trials)
        if stop:
            logger.debug("Scheduler stops trial %d at step %d.", trial.number, step)
        return stop

    def _requeue(self, trial: Trial, reason: str) -> None:
        self._running.pop(trial.number, None)
        note = f"{reason} at {_now()}; requeued."
        self._requeue_records([self._trials[trial.number]], note)

    def _finish(
        self,
        handle: Trial,
        started: float,
        outcome: Outcome,
        trace: str | None,
        usage: Usage,
    ) -> TrialRecord:
        finished = time.time()
        record = usage.add_to(self._trials[handle.number])
        duration = record.duration + (finished - started)
        evaluations: dict[int, Evaluation] = {}
        if outcome.error is not None:
            record = record.evolve(
                status=TrialStatus.FAILED,
                value=None,
                metrics={},
                error=outcome.error,
                traceback=trace,
                finished_at=finished,
                duration=duration,
            )
        else:
            evaluation = Evaluation(
                record.rung,
                record.resource,
                outcome.value,
                outcome.metrics,
                started,
                finished,
            )
            evaluations[record.number] = evaluation
            status = TrialStatus.STOPPED if handle.should_stop() else TrialStatus.PAUSED
            record = record.evolve(
                status=status,
                value=outcome.value,
                metrics=outcome.metrics,
                evaluations=(*record.evaluations, evaluation),
                finished_at=finished,
                duration=duration,
            )
            self._track_best(record.number, evaluation)
        self._trials[record.number] = record
        self._count(record)
        self._apply(self.scheduler.on_result(record, self._trials), evaluations, record)
        final = self._trials[record.number]
        if final.status is TrialStatus.PAUSED and is_refit(final):
            # Refits sit outside the scheduler's plan: nothing will promote them.
            final = final.evolve(status=TrialStatus.COMPLETED)
            self._save([final])
        self.searcher.observe(final)
        _log_result(self, record, final)
        return final

    def _apply(
        self,
        actions: Sequence[Action],
        evaluations: Mapping[int, Evaluation],
        changed: TrialRecord | None = None,
    ) -> None:
        updates = {} if changed is None else {changed.number: changed}
        for action in actions:
            record = _decide(self._trials[action.number], action)
            self._trials[action.number] = record
            updates[action.number] = record
            if record.status is TrialStatus.QUEUED:
                self._queued.add(record.number)
        if updates:
            self._save(list(updates.values()), evaluations)

    def _save(
        self,
        records: Sequence[TrialRecord],
        evaluations: Mapping[int, Evaluation] | None = None,
    ) -> None:
        for record in records:
            self._trials[record.number] = record
        self._storage.update_trials(self.name, records, evaluations)

    def _count(self, record: TrialRecord) -> None:
        if record.status is TrialStatus.FAILED:
            self._n_failed += 1
        elif record.evaluations:
            self._n_valued += 1

    def _track_best(self, number: int, evaluation: Evaluation) -> None:
        # Refits repeat a searched config: a lucky repeat must not become best.
        if evaluation.value is None or self._trials[number].refit_of is not None:
            return
        key = ranking_key(evaluation, number, self.direction)
        if self._best is None or key < self._best[:3]:
            self._best = (*key, evaluation)

    def __repr__(self) -> str:
        return (
            f"Study(name={self.name!r}, metric={self.metric!r}, "
            f"direction={self.direction!r}, trials={len(self._trials)}, "
            f"storage={self._storage.url!r})"
        )


def _now() -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S")


def derive_seed(study_seed: int, number: int) -> int:
    """The seed of trial ``number``: a 32-bit value mixed from both inputs."""
    sequence = np.random.SeedSequence(study_seed, spawn_key=(0, number))
    return int(sequence.generate_state(1, dtype=np.uint32)[0])


def _decide(record: TrialRecord, action: Action) -> TrialRecord:
    if action.decision is Decision.COMPLETE:
        return record.evolve(status=TrialStatus.COMPLETED)
    if action.decision is Decision.STOP:
        return record.evolve(status=TrialStatus.STOPPED)
    if action.decision is Decision.PROMOTE:
        return record.evolve(
            status=TrialStatus.QUEUED,
            rung=action.rung,
            resource=action.resource,
            value=None,
            metrics={},
        )
    return record


def _outcome_of(
    value: Any, error: BaseException | str | None, metric: str
) -> tuple[Outcome, str | None]:
    if isinstance(error, BaseException):
        reason = f"{type(error).__name__}: {error}"
        trace = "".join(tb.format_exception(type(error), error, error.__traceback__))
        return Outcome(error=reason), trace
    if error is not None:
        return Outcome(error=str(error)), None
    return parse_outcome(value, metric), None


def _log_result(study: Study, evaluated: TrialRecord, final: TrialRecord) -> None:
    if final.status is TrialStatus.FAILED:
        logger.warning("Trial %d failed: %s", final.number, final.error)
        return
    if final.status is TrialStatus.QUEUED:
        fate = f"promoted to resource {_g(final.resource)}"
    elif final.status is TrialStatus.PAUSED:
        fate = "waiting for its rung to end"
    else:
        fate = final.status.value
    logger.info(
        "Trial %d%s: %s=%.6g; %s. Best %.6g (trial %d%s).",
        evaluated.number,
        _at(evaluated.resource),
        study.metric,
        evaluated.value,
        fate,
        study.best_value,
        study.best_trial.number,
        _at(study.best_resource, ", resource "),
    )


def _g(resource: float | None) -> str:
    return "none" if resource is None else f"{resource:.6g}"


def _at(resource: float | None, prefix: str = " at resource ") -> str:
    # A study without resources (FIFO) says nothing about them.
    return "" if resource is None else f"{prefix}{resource:.6g}"


def _exists(store: Storage, name: str) -> bool:
    from tuneops._internal._errors import StudyNotFoundError

    try:
        store.load_study(name)
    except StudyNotFoundError:
        return False
    return True


def _build_searcher(searcher: Searcher | str | Mapping[str, Any] | None) -> Searcher:
    if searcher is None:
        return RandomSearcher()
    if isinstance(searcher, Searcher):
        return searcher
    return searcher_from_spec(searcher)


def _build_scheduler(
    scheduler: Scheduler | str | Mapping[str, Any] | None,
) -> Scheduler:
    if scheduler is None:
        return FIFOScheduler()
    if isinstance(scheduler, Scheduler):
        return scheduler
    return scheduler_from_spec(scheduler)


def _study_record(
    name: str,
    space: Space,
    metric: str,
    direction: str,
    searcher: Searcher,
    scheduler: Scheduler,
    seed: int | None,
    store: Storage,
    artifacts_dir: str | os.PathLike[str] | None,
) -> StudyRecord:
    if not isinstance(name, str) or not 1 <= len(name) <= 256:
        raise fail("name", "a string of 1 to 256 characters", name)
    if not isinstance(metric, str) or not metric:
        raise fail("metric", "a non-empty string", metric)
    check_choice("direction", direction, ("minimize", "maximize"))
    check_int("seed", seed, low=0, high=2**63 - 1, allow_none=True)
    seed = secrets.randbits(32) if seed is None else int(seed)
    folder = artifacts_dir or default_artifacts_dir(store, name)
    return StudyRecord(
        name=name,
        metric=metric,
        direction=direction,  # type: ignore[arg-type]
        space=space.to_dict(),
        searcher=searcher.to_dict(),
        scheduler=scheduler.to_dict(),
        seed=seed,
        artifacts_dir=str(os.path.abspath(folder)),
        created_at=time.time(),
    )
