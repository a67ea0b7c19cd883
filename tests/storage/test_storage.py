"""Every backend stores and returns the same records, floats exactly."""

from __future__ import annotations

import math
import time
from pathlib import Path

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


def test_unknown_database_kind_is_a_config_error():
    from tuneops import ConfigError

    with pytest.raises(ConfigError, match="`storage` names the database kind 'foo'"):
        open_storage("foo://bar")


def test_bad_url_is_a_config_error():
    from tuneops import ConfigError

    with pytest.raises(ConfigError, match="database URL"):
        open_storage("not a url://")


def test_snapshots_are_stored_once_per_digest(storage_url):
    storage = open_storage(storage_url)
    name = unique_name()
    storage.create_study(_study(name))
    first = {"hostname": "a", "packages": {"numpy": "2.0"}, "note": "ünï ✓"}
    storage.add_snapshot(name, "environment", "d1", first)
    storage.add_snapshot(name, "environment", "d1", {"hostname": "changed"})
    storage.add_snapshot(name, "environment", "d2", {"hostname": "b"})
    storage.add_snapshot(name, "code", "c1", {"git": None})

    assert storage.load_snapshots(name, "environment") == {
        "d1": first,
        "d2": {"hostname": "b"},
    }
    assert list(storage.load_snapshots(name, "environment")) == ["d1", "d2"]
    assert storage.load_snapshots(name, "code") == {"c1": {"git": None}}
    storage.delete_study(name)
    storage.create_study(_study(name))
    assert storage.load_snapshots(name, "environment") == {}


def test_trial_times_and_digests_round_trip(storage_url):
    storage = open_storage(storage_url)
    name = unique_name()
    storage.create_study(_study(name))
    trial = TrialRecord(
        number=0,
        status=TrialStatus.COMPLETED,
        config={"x": 0.5},
        seed=1,
        cpu_time=12.25,
        gpu_time=3.5,
        environment="e" * 16,
        code="c" * 16,
    )
    storage.add_trial(name, trial)
    assert storage.load_trials(name) == [trial]


def _own_database(shared_url: str, request: pytest.FixtureRequest) -> str:
    import sqlalchemy as sa

    from tests.conftest import POSTGRES_ADMIN_URL

    name = unique_name("tuneops_upgrade").replace("-", "_")
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    request.addfinalizer(drop)
    url = sa.engine.make_url(shared_url).set(database=name)
    return url.render_as_string(hide_password=False)


def _v1_database(url: str, dialect: str) -> None:
    import sqlalchemy as sa

    ddl = (Path(__file__).parent / f"schema_v1_{dialect}.sql").read_text()
    statements = [s for s in ddl.split(";") if "CREATE" in s]
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(sa.text(statement))
        conn.execute(sa.text("INSERT INTO tuneops_schema (version) VALUES (1)"))
        conn.execute(
            sa.text(
                "INSERT INTO tuneops_studies (name, metric, direction, space, "
                "searcher, scheduler, seed, artifacts_dir, created_at, attrs) VALUES "
                "('old', 'loss', 'minimize', '{}', '{\"type\": \"random\"}', "
                "'{\"type\": \"fifo\"}', 7, '/tmp/old', 1.0, '{}')"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO tuneops_trials (study_id, number, status, config, seed, "
                "rung, resource, value, metrics, duration) SELECT id, 0, 'completed', "
                "'{\"x\": 0.25}', 5, 0, 'null', 0.125, '{\"loss\": 0.125}', 2.5 "
                "FROM tuneops_studies"
            )
        )
    engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_version_1_database_is_upgraded_keeping_its_trials(
    backend, tmp_path, request
):
    import sqlalchemy as sa

    if backend == "sqlite":
        url, dialect = f"sqlite:///{tmp_path / 'old.db'}", "sqlite"
    else:
        # Its own database: the session's shared one holds other tests' tables.
        url, dialect = request.getfixturevalue("postgres_url"), "postgresql"
        url = _own_database(url, request)
    _v1_database(url, dialect)

    storage = SQLStorage(url)
    (trial,) = storage.load_trials("old")

    assert trial.config == {"x": 0.25}
    assert (trial.value, trial.duration) == (0.125, 2.5)
    assert (trial.cpu_time, trial.gpu_time) == (0.0, 0.0)
    assert trial.environment is None and trial.code is None
    storage.add_snapshot("old", "environment", "d", {"hostname": "h"})
    storage.update_trials("old", [trial.evolve(cpu_time=1.5, environment="d")])
    assert storage.load_trials("old")[0].cpu_time == 1.5
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        version = conn.execute(sa.text("SELECT version FROM tuneops_schema")).scalar()
    engine.dispose()
    assert version == 2
    storage.close()
    # Opening it again finds version 2 and changes nothing.
    reopened = SQLStorage(url)
    assert reopened.load_trials("old")[0].cpu_time == 1.5
    reopened.close()
    if backend == "sqlite":
        # The file as it was before the upgrade, for older releases.
        engine = sa.create_engine(f"sqlite:///{tmp_path / 'old.db.schema-v1.bak'}")
        with engine.connect() as conn:
            version = conn.execute(sa.text("SELECT version FROM tuneops_schema"))
            assert version.scalar() == 1
            value = conn.execute(sa.text("SELECT value FROM tuneops_trials"))
            assert value.scalar() == 0.125
        engine.dispose()
