"""Adapters that run one method on one task with one seed.

Every adapter drives its library through ask and tell, evaluates configs with
the task's evaluator, and records each evaluation (resource, cost, observed and
true value) until the budget is spent. Both libraries get the same space, the
same evaluator (so the same noise stream and model seeds) and the same resource
levels; the adapters differ only in the library calls.

Methods:

* tuneops random, Sobol and TPE: every trial at the largest resource.
* tuneops Hyperband (random searcher) and BOHB (TPE searcher), both on
  tuneops' synchronous Hyperband; promoted trials resume, paying only for the
  extra resource. BOHB runs TPE's default ranked split over all rungs;
  "BOHB, one level" models only the highest rung with enough observations, as
  Falkner et al. publish it.
* Optuna RandomSampler and TPESampler (defaults): every trial at the largest
  resource.
* Optuna TPESampler + HyperbandPruner: each trial trains rung by rung,
  reporting at every rung resource, until the pruner stops it.

A method whose tuneops searcher is not registered (``tuneops.searchers.SEARCHERS``)
is reported as not available instead of run.
"""

from __future__ import annotations

import logging
import tempfile
import time
import traceback
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import tuneops
from tuneops.searchers import SEARCHERS

from ._tasks import Evaluator, Outcome, Task, get_task


@dataclass(frozen=True)
class Budget:
    """When a run stops: after ``evaluations`` evaluations, or once ``resource``
    full-evaluation equivalents are spent (the last evaluation may overshoot;
    curves are cut at the budget)."""

    evaluations: int | None = None
    resource: float | None = None

    def spent(self, n_evaluations: int, cost: float) -> bool:
        """Whether the run has used its budget."""
        if self.evaluations is not None and n_evaluations >= self.evaluations:
            return True
        return self.resource is not None and cost >= self.resource - 1e-9


@dataclass(frozen=True)
class Method:
    """One optimizer: a library, a searcher and whether it uses the resource."""

    key: str
    label: str
    library: str
    sampler: str
    multi_fidelity: bool = False
    options: Mapping[str, Any] = field(default_factory=dict)

    def unavailable(self) -> str | None:
        """Why the method cannot run here, or ``None`` if it can."""
        if self.library == "tuneops" and self.sampler not in SEARCHERS:
            return f"searcher {self.sampler!r} is not registered in tuneops"
        return None

    def applies_to(self, task: Task) -> bool:
        """Multi-fidelity methods need a task with a resource."""
        return task.has_resource or not self.multi_fidelity


METHODS: dict[str, Method] = {
    m.key: m
    for m in (
        Method("random", "tuneops random", "tuneops", "random"),
        Method("sobol", "tuneops Sobol", "tuneops", "sobol"),
        Method("tpe", "tuneops TPE", "tuneops", "tpe"),
        Method("hyperband", "tuneops Hyperband", "tuneops", "random", True),
        Method("bohb", "tuneops BOHB", "tuneops", "tpe", True),
        Method(
            "bohb-level",
            "tuneops BOHB, one level",
            "tuneops",
            "tpe",
            True,
            {"fidelity": "level"},
        ),
        Method("optuna-random", "Optuna random", "optuna", "random"),
        Method("optuna-tpe", "Optuna TPE", "optuna", "tpe"),
        Method("optuna-tpe-hb", "Optuna TPE+Hyperband", "optuna", "tpe", True),
    )
}


@dataclass
class RunResult:
    """What one run left: its evaluations in order, and how long it took.

    Arrays are aligned, one entry per evaluation: ``resource`` (as a fraction of
    the largest), ``cost`` (full-evaluation equivalents paid), ``value``
    (observed) and ``true`` (noiseless, largest resource).
    """

    task: str
    method: str
    seed: int
    resource: np.ndarray = field(default_factory=lambda: np.empty(0))
    cost: np.ndarray = field(default_factory=lambda: np.empty(0))
    value: np.ndarray = field(default_factory=lambda: np.empty(0))
    true: np.ndarray = field(default_factory=lambda: np.empty(0))
    seconds: float = 0.0
    error: str | None = None


class _Recorder:
    """Collects the evaluations of a run and tells when its budget is spent."""

    def __init__(self, task: Task, budget: Budget, evaluator: Evaluator) -> None:
        self.task = task
        self.budget = budget
        self.evaluator = evaluator
        self.max_resource = float(task.max_resource or 1)
        self.rows: list[tuple[float, float, float, float]] = []
        self.cost = 0.0

    def evaluate(self, key: int, config: Mapping[str, Any], resource: float) -> Outcome:
        outcome = self.evaluator(key, config, resource)
        self.cost += outcome.cost
        self.rows.append(
            (resource / self.max_resource, outcome.cost, outcome.value, outcome.true)
        )
        return outcome

    @property
    def done(self) -> bool:
        return self.budget.spent(len(self.rows), self.cost)


def run(method_key: str, task_name: str, seed: int, budget: Budget) -> RunResult:
    """Run one method on one task with one seed; errors are recorded, not raised."""
    method, task = METHODS[method_key], get_task(task_name)
    result = RunResult(task_name, method_key, seed)
    start = time.perf_counter()
    evaluator = None
    try:
        evaluator = task.make_evaluator(seed)
        recorder = _Recorder(task, budget, evaluator)
        if method.library == "tuneops":
            _run_tuneops(method, task, seed, recorder)
        else:
            _run_optuna(method, task, seed, recorder)
        rows = np.array(recorder.rows, dtype=float).reshape(-1, 4)
        result.resource, result.cost, result.value, result.true = rows.T
    except Exception as exc:
        result.error = f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"
    finally:
        if evaluator is not None:
            evaluator.close()
    result.seconds = time.perf_counter() - start
    return result


def _run_tuneops(method: Method, task: Task, seed: int, recorder: _Recorder) -> None:
    scheduler: tuneops.Scheduler | str = "fifo"
    if method.multi_fidelity:
        scheduler = tuneops.Hyperband(
            min_resource=task.min_resource,
            max_resource=task.max_resource,
            reduction_factor=task.reduction_factor,
        )
    with tempfile.TemporaryDirectory(prefix="hpo-bench-") as folder:
        study = tuneops.Study.create(
            f"{task.name}-{method.key}-{seed}",
            task.space,
            searcher={"type": method.sampler, **method.options},
            scheduler=scheduler,
            seed=seed,
            storage="memory",
            artifacts_dir=folder,
        )
        while not recorder.done:
            trial = study.ask()
            if trial is None:
                break
            resource = (
                recorder.max_resource
                if trial.resource is None
                else float(trial.resource)
            )
            outcome = recorder.evaluate(trial.number, trial.config, resource)
            study.tell(trial, outcome.value)


def _run_optuna(method: Method, task: Task, seed: int, recorder: _Recorder) -> None:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    sampler: optuna.samplers.BaseSampler
    if method.sampler == "random":
        sampler = optuna.samplers.RandomSampler(seed=seed)
    else:
        sampler = optuna.samplers.TPESampler(seed=seed)
    pruner: optuna.pruners.BasePruner = optuna.pruners.NopPruner()
    if method.multi_fidelity:
        pruner = optuna.pruners.HyperbandPruner(
            min_resource=task.min_resource,
            max_resource=task.max_resource,
            reduction_factor=task.reduction_factor,
        )
    # A fixed name: HyperbandPruner assigns brackets by a hash of the study name
    # and trial number, and a generated name would make runs irreproducible.
    study = optuna.create_study(
        study_name=f"{task.name}-{method.key}-{seed}", sampler=sampler, pruner=pruner
    )
    while not recorder.done:
        trial = study.ask()
        config = suggest(trial, task.space)
        if method.multi_fidelity:
            _optuna_rungs(study, trial, config, task, recorder)
        else:
            outcome = recorder.evaluate(trial.number, config, recorder.max_resource)
            study.tell(trial, outcome.value)


def _optuna_rungs(
    study: Any, trial: Any, config: dict[str, Any], task: Task, recorder: _Recorder
) -> None:
    import optuna

    for resource in task.rungs():
        outcome = recorder.evaluate(trial.number, config, float(resource))
        if resource == task.max_resource:
            study.tell(trial, outcome.value)
            return
        trial.report(outcome.value, step=resource)
        if trial.should_prune():
            study.tell(trial, state=optuna.trial.TrialState.PRUNED)
            return
        if recorder.done:
            return


def suggest(trial: Any, space: tuneops.Space) -> dict[str, Any]:
    """Ask an Optuna trial for a config of a tuneops space, conditions included.

    Parameters are suggested in the space's order (parents come first in every
    space of the suite); an inactive one is not suggested at all.
    """
    config: dict[str, Any] = {}
    for name in space.names:
        if not space.is_active(name, config):
            continue
        param = space[name]
        if isinstance(param, tuneops.Categorical):
            config[name] = trial.suggest_categorical(name, list(param.choices))
        elif isinstance(param, tuneops.Int):
            config[name] = trial.suggest_int(
                name, param.low, param.high, step=param.step, log=param.log
            )
        else:
            config[name] = trial.suggest_float(
                name, param.low, param.high, step=param.step, log=param.log
            )
    return config


def quiet_libraries() -> None:
    """Silence per-trial logging in a worker process."""
    logging.getLogger("tuneops").setLevel(logging.WARNING)
    logging.getLogger("optuna").setLevel(logging.WARNING)
