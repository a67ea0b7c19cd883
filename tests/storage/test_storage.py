"""Every backend stores and returns the same records, floats exactly."""

from __future__ import annotations

import math
import time

import pytest

from tests.conftest import unique_name
from tuneops import StudyExistsError, StudyNotFoundError
from tuneops.storage import (
    Evaluation,
    InMemoryStorage,
    SQLStorage,
    StudyRecord,
    TrialRecord,
    TrialStatus,
    open_storage,
)


def _study(name: str) -> StudyRecord:
    return StudyRecord(
        name=name,
        metric="loss",
        direction="minimize",
        space={"x": {"type": "float", "low": 0.0, "high": 1.0}},
        searcher={"type": "random"},
        scheduler={"type": "fifo"},
        seed=2**40 + 3,
        artifacts_dir="/tmp/x",
        created_at=time.time(),
        attrs={"note": "ünïcode ✓"},
    )


def test_open_storage_picks_the_backend(tmp_path):
    assert isinstance(open_storage(None), InMemoryStorage)
    assert isinstance(open_storage("memory"), InMemoryStorage)
    sql = open_storage(tmp_path / "a.db")
    assert isinstance(sql, SQLStorage)
    assert sql.url == f"sqlite:///{tmp_path / 'a.db'}"


def test_study_round_trip_and_duplicate_name(storage_url):
    storage = open_storage(storage_url)
    name = unique_name()
    record = _study(name)
    storage.create_study(record)
    assert storage.load_study(name) == record
    with pytest.raises(StudyExistsError, match="already exists"):
        storage.create_study(record)
    with pytest.raises(StudyNotFoundError, match="No study named"):
        storage.load_study(name + "-missing")


def test_trials_evaluations_and_special_floats_round_trip(storage_url):
    storage = open_storage(storage_url)
    name = unique_name()
    storage.create_study(_study(name))
    metrics = {"loss": 0.1 + 0.2, "nan": math.nan, "inf": math.inf, "ninf": -math.inf}
    trial = TrialRecord(
        number=0,
        status=TrialStatus.RUNNING,
        config={"x": 0.1 + 0.2, "name": "αβγ", "n": 3, "flag": True, "none": None},
        seed=4_294_967_295,
        resource=1 / 3,
        started_at=1.5,
    )
    storage.add_trial(name, trial)
    evaluation = Evaluation(0, 1 / 3, 0.1 + 0.2, metrics, 1.5, 2.25)
    done = trial.evolve(
        status=TrialStatus.COMPLETED, value=0.1 + 0.2, metrics=metrics, duration=0.75
    )
    storage.update_trials(name, [done], {0: evaluation})

    (loaded,) = storage.load_trials(name)
    assert loaded.config == trial.config
    assert loaded.value == 0.30000000000000004
    assert loaded.resource == 1 / 3
    assert loaded.seed == 4_294_967_295
    assert math.isnan(loaded.metrics["nan"])
    assert loaded.metrics["inf"] == math.inf and loaded.metrics["ninf"] == -math.inf
    (stored_eval,) = loaded.evaluations
    assert stored_eval.value == evaluation.value
    assert stored_eval.duration == pytest.approx(0.75)
    assert type(loaded.resource) is float


def test_intermediate_values_keep_nan_and_inf_and_replace_steps(storage_url):
    storage = open_storage(storage_url)
    name = unique_name()
    storage.create_study(_study(name))
    storage.add_trial(name, TrialRecord(0, TrialStatus.RUNNING, {"x": 0.5}, 1))
    for step, value in enumerate([1.0, math.nan, math.inf, -math.inf]):
        storage.add_intermediate(name, 0, 0, step, value)
    storage.add_intermediate(name, 0, 0, 0, 0.5)
    storage.add_intermediate(name, 0, 1, 0, 0.25)
    values = storage.load_intermediate(name, 0)
    assert [(r, s) for r, s, _ in values] == [(0, 0), (0, 1), (0, 2), (0, 3), (1, 0)]
    assert values[0][2] == 0.5
    assert math.isnan(values[1][2])
    assert values[2][2] == math.inf and values[3][2] == -math.inf


def test_list_and_delete(storage_url):
    storage = open_storage(storage_url)
    name = unique_name()
    storage.create_study(_study(name))
    storage.add_trial(name, TrialRecord(0, TrialStatus.RUNNING, {"x": 0.5}, 1))
    storage.add_intermediate(name, 0, 0, 0, 1.0)
    summary = next(s for s in storage.list_studies() if s.name == name)
    assert summary.counts == {"running": 1}
    assert summary.best_value is None
    storage.delete_study(name)
    assert name not in [s.name for s in storage.list_studies()]
    with pytest.raises(StudyNotFoundError):
        storage.load_trials(name)


def test_sql_storage_persists_across_connections(tmp_path):
    url = f"sqlite:///{tmp_path / 'p.db'}"
    first = open_storage(url)
    first.create_study(_study("kept"))
    first.add_trial("kept", TrialRecord(0, TrialStatus.QUEUED, {"x": 0.25}, 9))
    first.close()
    second = open_storage(url)
    assert second.load_trials("kept")[0].config == {"x": 0.25}


def test_bad_url_is_a_config_error():
    from tuneops import ConfigError

    with pytest.raises(ConfigError, match="database URL"):
        open_storage("not a url://")
