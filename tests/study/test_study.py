"""The study loop: budgets, failures, ask/tell, bests, determinism."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.conftest import unique_name
from tuneops import (
    ConfigError,
    GridSearcher,
    Space,
    Study,
    StudyExistsError,
    TrialsFailingError,
    TrialStatus,
)
from tuneops.study import derive_seed


def quadratic(trial):
    return (trial.config["x"] - 1.0) ** 2


def test_random_search_runs_n_trials_and_finds_the_best(storage_url, small_space):
    study = Study.create(unique_name(), small_space, storage=storage_url, seed=7)
    study.optimize(quadratic, n_trials=30)
    trials = study.trials
    assert len(trials) == 30
    assert all(t.status is TrialStatus.COMPLETED for t in trials)
    values = [(t.config["x"] - 1.0) ** 2 for t in trials]
    assert study.best_value == min(values)
    assert study.best_trial.number == int(np.argmin(values))
    for t in trials:
        small_space.validate(t.config)


def test_same_seed_same_configs_and_trial_seeds():
    space = Space.from_dict({"x": {"type": "float", "low": 0, "high": 1}})
    runs = []
    for _ in range(2):
        study = Study.create("s", space, storage="memory", seed=123)
        study.optimize(lambda t: t.config["x"], n_trials=10)
        runs.append([(t.config, t.seed) for t in study.trials])
    assert runs[0] == runs[1]
    other = Study.create("s", space, storage="memory", seed=124)
    other.optimize(lambda t: t.config["x"], n_trials=10)
    assert [t.config for t in other.trials] != [c for c, _ in runs[0]]
    seeds = [s for _, s in runs[0]]
    assert len(set(seeds)) == 10
    assert seeds[3] == derive_seed(123, 3)


def test_maximize_direction():
    space = Space.from_dict({"x": {"type": "float", "low": 0, "high": 1}})
    study = Study.create("m", space, storage="memory", direction="maximize", seed=0)
    study.optimize(lambda t: t.config["x"], n_trials=20)
    assert study.best_value == max(t.value for t in study.trials)


def test_grid_search_visits_each_point_once_then_ends():
    space = Space.from_dict(
        {
            "a": {"type": "categorical", "choices": ["p", "q", "r"]},
            "b": {"type": "int", "low": 1, "high": 4},
        }
    )
    study = Study.create("g", space, storage="memory", searcher=GridSearcher())
    study.optimize(lambda t: t.config["b"], n_trials=100)
    configs = [tuple(sorted(t.config.items())) for t in study.trials]
    assert len(configs) == 12
    assert len(set(configs)) == 12
    assert study.ask() is None


def test_dict_results_keep_every_metric():
    space = Space.from_dict({"x": {"type": "float", "low": 0, "high": 1}})
    study = Study.create("d", space, storage="memory", metric="loss", seed=1)
    study.optimize(
        lambda t: {"loss": np.float64(t.config["x"]), "n": np.int64(3), "tag": "ok"},
        n_trials=3,
    )
    trial = study.trials[0]
    assert trial.metrics == {"loss": trial.config["x"], "n": 3, "tag": "ok"}
    assert type(trial.metrics["loss"]) is float and type(trial.metrics["n"]) is int


@pytest.mark.parametrize(
    ("returned", "reason"),
    [
        (None, "returned None"),
        ("0.5", "returned str '0.5'"),
        (math.nan, "returned nan"),
        (math.inf, "returned inf"),
        ({"other": 1.0}, "without the study metric 'value'"),
        ({"value": "high"}, "must be a finite number"),
        ({"value": 1.0, "blob": object()}, "cannot be stored"),
    ],
)
def test_bad_returns_fail_the_trial_and_the_study_goes_on(returned, reason):
    space = Space.from_dict({"x": {"type": "float", "low": 0, "high": 1}})
    study = Study.create("f", space, storage="memory", seed=3)

    def objective(trial):
        return returned if trial.number == 1 else trial.config["x"]

    study.optimize(objective, n_trials=4)
    statuses = [t.status for t in study.trials]
    assert statuses.count(TrialStatus.FAILED) == 1
    failed = study.trials[1]
    assert failed.status is TrialStatus.FAILED
    assert reason in failed.error
    assert len(study.trials) == 4


def test_first_five_failures_stop_the_study_with_the_traceback():
    space = Space.from_dict({"x": {"type": "float", "low": 0, "high": 1}})
    study = Study.create("broken", space, storage="memory", seed=3)

    def objective(trial):
        raise RuntimeError("the data file is empty")

    with pytest.raises(TrialsFailingError) as info:
        study.optimize(objective, n_trials=50)
    message = str(info.value)
    assert "first 5 trials" in message
    assert "RuntimeError: the data file is empty" in message
    assert 'raise RuntimeError("the data file is empty")' in message
    assert len(study.trials) == 5


def test_after_giving_up_the_fixed_objective_reruns_the_failed_trials(tmp_path):
    url = f"sqlite:///{tmp_path / 'given_up.db'}"
    space = Space.from_dict({"x": {"type": "float", "low": 0, "high": 2}})
    study = Study.create(
        "fixed", space, searcher=GridSearcher(n_points=9), storage=url, seed=3
    )

    def broken(trial):
        raise RuntimeError("typo in the objective")

    with pytest.raises(TrialsFailingError):
        study.optimize(broken, n_trials=9)
    failed_configs = [t.config for t in study.trials]

    reopened = Study.load("fixed", url)
    reopened.optimize(quadratic, n_trials=4)

    trials = reopened.trials
    assert len(trials) == 9
    assert [t.config for t in trials[:5]] == failed_configs
    assert all(t.status is TrialStatus.COMPLETED for t in trials)
    assert all(t.error is None for t in trials)
    assert reopened.best_trial.config == {"x": 1.0}


def test_a_config_error_in_the_objective_stops_the_study_and_keeps_the_trial(
    tmp_path,
):
    url = f"sqlite:///{tmp_path / 'no_data.db'}"
    space = Space.from_dict({"x": {"type": "float", "low": 0, "high": 2}})
    study = Study.create("no-data", space, storage=url, seed=3)
    study.optimize(quadratic, n_trials=2)

    def missing_data(trial):
        raise ConfigError("`data_dir` must name a folder holding ames_train.csv.")

    with pytest.raises(ConfigError, match=r"ames_train\.csv"):
        study.optimize(missing_data, n_trials=10)
    assert [t.status for t in study.trials] == [
        TrialStatus.COMPLETED,
        TrialStatus.COMPLETED,
        TrialStatus.QUEUED,
    ]

    reopened = Study.load("no-data", url)
    reopened.optimize(quadratic, n_trials=1)
    assert len(reopened.trials) == 4
    assert reopened.trials[2].config == study.trials[2].config
    assert reopened.trials[2].status is TrialStatus.COMPLETED


def test_failures_after_a_success_do_not_stop_the_study():
    space = Space.from_dict({"x": {"type": "float", "low": 0, "high": 1}})
    study = Study.create("mixed", space, storage="memory", seed=3)

    def objective(trial):
        if trial.number > 0:
            raise ValueError("flaky")
        return 1.0

    study.optimize(objective, n_trials=12)
    assert len(study.trials) == 12


def test_ask_tell(small_space):
    study = Study.create("at", small_space, storage="memory", seed=5)
    first, second = study.ask(), study.ask()
    assert (first.number, second.number) == (0, 1)
    study.tell(second, {"value": 2.0})
    record = study.tell(first, error=ValueError("out of memory"))
    assert record.status is TrialStatus.FAILED
    assert record.error == "ValueError: out of memory"
    assert study.best_value == 2.0
    with pytest.raises(ConfigError, match="already told"):
        study.tell(first, 1.0)
    third = study.ask()
    study.tell(third.number, error="diverged")
    assert study.trials[2].error == "diverged"


def test_create_refuses_an_existing_name_and_load_reopens(tmp_path, small_space):
    url = f"sqlite:///{tmp_path / 't.db'}"
    study = Study.create("same", small_space, storage=url, seed=1)
    study.optimize(quadratic, n_trials=3)
    with pytest.raises(StudyExistsError, match="already exists"):
        Study.create("same", small_space, storage=url)
    again = Study.load("same", url)
    assert [t.config for t in again.trials] == [t.config for t in study.trials]
    assert again.seed == 1
    again.optimize(quadratic, n_trials=2)
    assert len(again.trials) == 5
    resumed = Study.create("same", small_space, storage=url, resume=True)
    assert len(resumed.trials) == 5
    other_space = Space.from_dict({"y": {"type": "int", "low": 0, "high": 3}})
    with pytest.raises(ConfigError, match="different space"):
        Study.create("same", other_space, storage=url, resume=True)


def test_intermediate_values_round_trip_with_nan(storage_url):
    space = Space.from_dict({"x": {"type": "float", "low": 0, "high": 1}})
    study = Study.create(unique_name(), space, storage=storage_url, seed=1)

    def objective(trial):
        for step, value in enumerate([3.0, math.nan, math.inf, 0.5]):
            trial.report(value, step)
        return 0.5

    study.optimize(objective, n_trials=1)
    values = Study.load(study.name, study.storage).intermediate_values(0)
    assert [(r, s) for r, s, _ in values] == [(0, 0), (0, 1), (0, 2), (0, 3)]
    assert values[0][2] == 3.0 and math.isnan(values[1][2]) and values[2][2] == math.inf


def test_report_rejects_bad_input():
    space = Space.from_dict({"x": {"type": "float", "low": 0, "high": 1}})
    study = Study.create("r", space, storage="memory", seed=1)
    trial = study.ask()
    with pytest.raises(ConfigError, match="`value` must be a number"):
        trial.report("0.3", 1)
    with pytest.raises(ConfigError, match="`step` must be >= 0"):
        trial.report(0.3, -1)


def test_keyboard_interrupt_requeues_the_trial_and_keeps_the_rest(tmp_path):
    url = f"sqlite:///{tmp_path / 'k.db'}"
    space = Space.from_dict({"x": {"type": "float", "low": 0, "high": 1}})
    study = Study.create("ctrl-c", space, storage=url, seed=2)
    calls = []

    def objective(trial):
        calls.append(trial.number)
        if trial.number == 3 and calls.count(3) == 1:
            raise KeyboardInterrupt
        return trial.config["x"]

    with pytest.raises(KeyboardInterrupt):
        study.optimize(objective, n_trials=6)
    reopened = Study.load("ctrl-c", url)
    statuses = [t.status.value for t in reopened.trials]
    assert statuses == ["completed"] * 3 + ["queued"]
    assert "Interrupted by Ctrl-C" in reopened.trials[3].note
    reopened.optimize(objective, n_trials=2)
    assert [t.status.value for t in reopened.trials] == ["completed"] * 6
    assert calls == [0, 1, 2, 3, 3, 4, 5]


def test_dataframe_has_config_and_metric_columns(small_space):
    study = Study.create("df", small_space, storage="memory", seed=4)
    study.optimize(lambda t: {"value": t.config["x"], "aux": 1}, n_trials=5)
    frame = study.dataframe()
    assert len(frame) == 5
    for column in ("number", "status", "value", "config.x", "metric.aux", "duration"):
        assert column in frame.columns
    assert frame["value"].tolist() == [t.value for t in study.trials]


def test_enqueue_runs_first_and_validates(small_space):
    study = Study.create("enq", small_space, storage="memory", seed=4)
    config = {"x": 1.0, "lr": 0.01, "depth": 2, "optimizer": "adam"}
    assert study.enqueue(config) == 0
    study.optimize(quadratic, n_trials=2)
    assert study.trials[0].config == config
    assert study.best_value == 0.0
    with pytest.raises(ConfigError):
        study.enqueue({"x": 1.0})
