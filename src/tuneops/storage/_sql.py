"""SQLAlchemy storage: SQLite by default, PostgreSQL for several workers."""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import (
    IntegrityError,
    OperationalError,
    ProgrammingError,
    SQLAlchemyError,
)

from tuneops._internal._errors import (
    ConfigError,
    StorageError,
    StudyExistsError,
    StudyNotFoundError,
)
from tuneops.storage import _schema as schema
from tuneops.storage._base import Storage
from tuneops.storage._codec import dumps, loads
from tuneops.storage._memory import _exists_message, _missing_message
from tuneops.storage._records import (
    Evaluation,
    SnapshotKind,
    StudyRecord,
    StudySummary,
    TrialRecord,
    TrialStatus,
)
from tuneops.storage._summary import summarize

logger = logging.getLogger(__name__)

_CREATE_ATTEMPTS = 5

# Statements built once with bound parameters: SQLAlchemy then compiles and
# caches each a single time, instead of hashing every literal value per call,
# which was most of the cost of a trivial trial.
_INSERT_TRIAL = schema.trials.insert()
_UPDATE_TRIAL = schema.trials.update().where(schema.trials.c.id == sa.bindparam("_id"))
_INSERT_EVALUATION = schema.evaluations.insert()
_INSERT_INTERMEDIATE = schema.intermediate.insert()


class SQLStorage(Storage):
    """Studies in a relational database through SQLAlchemy.

    SQLite files are opened in WAL mode with ``synchronous=NORMAL``: a commit
    survives the process being killed (the log is in the OS page cache), and
    readers never block the writer. Only a power cut can lose the last commits.

    Args:
        url: A SQLAlchemy URL, e.g. ``"sqlite:///tuneops.db"`` or
            ``"postgresql+psycopg://postgres@127.0.0.1:5432/tuneops"``.
        engine_kwargs: Extra arguments for `sqlalchemy.create_engine`.
    """

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self._engine = _create_engine(url, engine_kwargs)
        self._study_ids: dict[str, int] = {}
        self._trial_ids: dict[tuple[int, int], int] = {}
        self._create_tables()

    def create_study(self, study: StudyRecord) -> None:
        """Store a new study; raise `StudyExistsError` if the name is taken."""
        row = {
            "name": study.name,
            "metric": study.metric,
            "direction": study.direction,
            "space": dumps(study.space),
            "searcher": dumps(study.searcher),
            "scheduler": dumps(study.scheduler),
            "seed": study.seed,
            "artifacts_dir": study.artifacts_dir,
            "created_at": study.created_at,
            "attrs": dumps(study.attrs),
        }
        try:
            with self._begin() as conn:
                result = conn.execute(sa.insert(schema.studies).values(**row))
        except IntegrityError as exc:
            raise StudyExistsError(_exists_message(study.name, self.url)) from exc
        self._study_ids[study.name] = int(result.inserted_primary_key[0])

    def load_study(self, name: str) -> StudyRecord:
        """Return a stored study; raise `StudyNotFoundError` if there is none."""
        query = sa.select(schema.studies).where(schema.studies.c.name == name)
        with self._connect() as conn:
            row = conn.execute(query).mappings().first()
        if row is None:
            raise StudyNotFoundError(_missing_message(name, self.url))
        self._study_ids[name] = int(row["id"])
        return _study_from_row(row)

    def update_study_attrs(self, name: str, attrs: dict[str, object]) -> None:
        """Merge ``attrs`` into the study's free-form attributes."""
        merged = {**self.load_study(name).attrs, **attrs}
        query = (
            sa.update(schema.studies)
            .where(schema.studies.c.name == name)
            .values(attrs=dumps(merged))
        )
        with self._begin() as conn:
            conn.execute(query)

    def list_studies(self) -> list[StudySummary]:
        """Summaries of every stored study, oldest first."""
        query = sa.select(schema.studies).order_by(schema.studies.c.created_at)
        with self._connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [
            summarize(_study_from_row(r), self.load_trials(r["name"])) for r in rows
        ]

    def delete_study(self, name: str) -> None:
        """Remove a study with all its trials, evaluations and reported values."""
        study_id = self._study_id(name)
        trial_ids = sa.select(schema.trials.c.id).where(
            schema.trials.c.study_id == study_id
        )
        with self._begin() as conn:
            for table in (schema.intermediate, schema.evaluations):
                conn.execute(sa.delete(table).where(table.c.trial_id.in_(trial_ids)))
            conn.execute(
                sa.delete(schema.snapshots).where(
                    schema.snapshots.c.study_id == study_id
                )
            )
            conn.execute(
                sa.delete(schema.trials).where(schema.trials.c.study_id == study_id)
            )
            conn.execute(
                sa.delete(schema.studies).where(schema.studies.c.id == study_id)
            )
        self._study_ids.pop(name, None)
        self._trial_ids = {k: v for k, v in self._trial_ids.items() if k[0] != study_id}

    def add_trial(self, study: str, trial: TrialRecord) -> None:
        """Store a new trial; its number must not exist yet in that study."""
        study_id = self._study_id(study)
        row = {"study_id": study_id, "number": trial.number, **_trial_row(trial)}
        with self._begin() as conn:
            result = conn.execute(_INSERT_TRIAL, row)
        self._trial_ids[(study_id, trial.number)] = int(result.inserted_primary_key[0])

    def update_trials(
        self,
        study: str,
        trials: Sequence[TrialRecord],
        evaluations: Mapping[int, Evaluation] | None = None,
    ) -> None:
        """Rewrite trials and append ``evaluations``, in one transaction."""
        study_id = self._study_id(study)
        ids = {t.number: self._trial_id(study_id, t.number) for t in trials}
        with self._begin() as conn:
            for trial in trials:
                conn.execute(
                    _UPDATE_TRIAL, {"_id": ids[trial.number], **_trial_row(trial)}
                )
            for number, evaluation in (evaluations or {}).items():
                conn.execute(
                    _INSERT_EVALUATION,
                    {"trial_id": ids[number], **_evaluation_row(evaluation)},
                )

    def load_trials(self, study: str) -> list[TrialRecord]:
        """Every trial of a study with its evaluations, by number."""
        study_id = self._study_id(study)
        trial_query = (
            sa.select(schema.trials)
            .where(schema.trials.c.study_id == study_id)
            .order_by(schema.trials.c.number)
        )
        with self._connect() as conn:
            rows = conn.execute(trial_query).mappings().all()
            by_trial = self._load_evaluations(conn, study_id)
        records = []
        for row in rows:
            self._trial_ids[(study_id, row["number"])] = row["id"]
            records.append(_trial_from_row(row, by_trial.get(row["id"], ())))
        return records

    def add_intermediate(
        self, study: str, number: int, rung: int, step: int, value: float
    ) -> None:
        """Store one reported value; a second report of the same step replaces it."""
        trial_id = self._trial_id(self._study_id(study), number)
        table = schema.intermediate
        same_step = (
            (table.c.trial_id == trial_id)
            & (table.c.rung == rung)
            & (table.c.step == step)
        )
        with self._begin() as conn:
            conn.execute(sa.delete(table).where(same_step))
            conn.execute(
                _INSERT_INTERMEDIATE,
                {"trial_id": trial_id, "rung": rung, "step": step, "value": value},
            )

    def load_intermediate(
        self, study: str, number: int
    ) -> list[tuple[int, int, float]]:
        """A trial's reported values as ``(rung, step, value)``, in order."""
        trial_id = self._trial_id(self._study_id(study), number)
        table = schema.intermediate
        query = (
            sa.select(table.c.rung, table.c.step, table.c.value)
            .where(table.c.trial_id == trial_id)
            .order_by(table.c.rung, table.c.step)
        )
        with self._connect() as conn:
            return [(r.rung, r.step, r.value) for r in conn.execute(query)]

    def add_snapshot(
        self,
        study: str,
        kind: SnapshotKind,
        digest: str,
        data: Mapping[str, object],
    ) -> None:
        """Store an environment or code snapshot once; a known digest is a no-op."""
        study_id = self._study_id(study)
        table = schema.snapshots
        known = sa.select(table.c.id).where(
            (table.c.study_id == study_id)
            & (table.c.kind == kind)
            & (table.c.digest == digest)
        )
        row = {
            "study_id": study_id,
            "kind": kind,
            "digest": digest,
            "created_at": time.time(),
            "data": dumps(data),
        }
        try:
            with self._begin() as conn:
                if conn.execute(known).first() is None:
                    conn.execute(sa.insert(table).values(**row))
        except IntegrityError:
            # Another worker stored the same snapshot between our check and insert.
            return

    def load_snapshots(
        self, study: str, kind: SnapshotKind
    ) -> dict[str, dict[str, object]]:
        """A study's snapshots of one kind by digest, oldest first."""
        study_id = self._study_id(study)
        table = schema.snapshots
        query = (
            sa.select(table.c.digest, table.c.data)
            .where((table.c.study_id == study_id) & (table.c.kind == kind))
            .order_by(table.c.created_at, table.c.id)
        )
        with self._connect() as conn:
            return {r.digest: loads(r.data) for r in conn.execute(query)}

    def close(self) -> None:
        """Dispose of the connection pool."""
        self._engine.dispose()

    def _load_evaluations(
        self, conn: Connection, study_id: int
    ) -> dict[int, tuple[Evaluation, ...]]:
        table = schema.evaluations
        trial_ids = sa.select(schema.trials.c.id).where(
            schema.trials.c.study_id == study_id
        )
        query = (
            sa.select(table)
            .where(table.c.trial_id.in_(trial_ids))
            .order_by(table.c.trial_id, table.c.rung, table.c.id)
        )
        grouped: dict[int, list[Evaluation]] = defaultdict(list)
        for row in conn.execute(query).mappings():
            grouped[row["trial_id"]].append(_evaluation_from_row(row))
        return {k: tuple(v) for k, v in grouped.items()}

    def _study_id(self, name: str) -> int:
        if name not in self._study_ids:
            self.load_study(name)
        return self._study_ids[name]

    def _trial_id(self, study_id: int, number: int) -> int:
        key = (study_id, number)
        if key not in self._trial_ids:
            query = sa.select(schema.trials.c.id).where(
                (schema.trials.c.study_id == study_id)
                & (schema.trials.c.number == number)
            )
            with self._connect() as conn:
                found = conn.execute(query).scalar()
            if found is None:
                raise StorageError(f"Trial {number} is not in the storage {self.url}.")
            self._trial_ids[key] = int(found)
        return self._trial_ids[key]

    def _create_tables(self) -> None:
        try:
            self._create_all_once_raced()
        except SQLAlchemyError as exc:
            raise StorageError(
                f"Could not open the storage {self.url}: {exc.__class__.__name__}: "
                f"{exc}. Check the URL, that the database server runs, and that "
                "you may write there."
            ) from exc

    def _create_all_once_raced(self) -> None:
        # Two processes opening a new database race between "does the table exist?"
        # and "create it"; the loser sees "already exists" and simply looks again.
        for attempt in range(_CREATE_ATTEMPTS):
            try:
                schema.metadata.create_all(self._engine)
                self._check_schema_version()
                return
            except (OperationalError, ProgrammingError, IntegrityError):
                if attempt == _CREATE_ATTEMPTS - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))

    def _check_schema_version(self) -> None:
        with self._begin() as conn:
            found = conn.execute(sa.select(schema.schema_info.c.version)).scalar()
            if found is None:
                conn.execute(
                    sa.insert(schema.schema_info).values(version=schema.SCHEMA_VERSION)
                )
            elif found < schema.SCHEMA_VERSION:
                self._backup_before_upgrade(found)
                _upgrade(conn, found, self.url)
            elif found != schema.SCHEMA_VERSION:
                raise StorageError(
                    f"The storage {self.url} has schema version {found}, but this "
                    f"tuneops reads version {schema.SCHEMA_VERSION}. Use the tuneops "
                    "release that wrote it, or a new storage file."
                )

    def _backup_before_upgrade(self, found: int) -> None:
        # An upgrade cannot be undone and older releases refuse the new schema,
        # so a SQLite file is copied first; a server database is the admin's.
        source = sqlite_file(self.url)
        if source is None:
            return
        target = source.with_name(f"{source.name}.schema-v{found}.bak")
        if target.exists():
            return
        with (
            contextlib.closing(sqlite3.connect(source)) as original,
            contextlib.closing(sqlite3.connect(target)) as copy,
        ):
            original.backup(copy)
        logger.warning(
            "Copied %s to %s before upgrading its schema; older tuneops releases "
            "can open the copy.",
            source,
            target,
        )

    def _connect(self) -> Any:
        return _guarded(self._engine.connect(), self.url)

    def _begin(self) -> Any:
        return _guarded(self._engine.begin(), self.url)


class _guarded:
    """Turn driver errors inside a ``with`` block into `StorageError`s."""

    def __init__(self, context: Any, url: str) -> None:
        self._context = context
        self._url = url

    def __enter__(self) -> Connection:
        try:
            return self._context.__enter__()
        except SQLAlchemyError as exc:
            raise StorageError(
                f"Could not reach the storage {self._url}: {exc}"
            ) from exc

    def __exit__(self, *exc_info: Any) -> bool | None:
        return self._context.__exit__(*exc_info)


def as_url(storage: str) -> str:
    """A storage URL; a bare path (``runs/tuneops.db``) names a SQLite file."""
    return storage if "://" in storage else f"sqlite:///{storage}"


def sqlite_file(storage: str) -> Path | None:
    """The file a SQLite storage URL or path names; ``None`` for anything else.

    In-memory SQLite, other databases and text that is no URL give ``None``.
    """
    try:
        url = sa.engine.make_url(as_url(storage))
    except sa.exc.ArgumentError:
        return None
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database).expanduser()


def _upgrade(conn: Connection, found: int, url: str) -> None:
    """Bring a database an earlier tuneops wrote up to this schema, keeping its rows.

    New tables were made by ``create_all``; new columns of existing tables are
    added here with defaults that describe old trials truthfully (no CPU time
    measured, no snapshot).
    """
    present = {c["name"] for c in sa.inspect(conn).get_columns(schema.trials.name)}
    for version, column, ddl in schema.ADDED_TRIAL_COLUMNS:
        if version > found and column not in present:
            conn.execute(
                sa.text(f"ALTER TABLE {schema.trials.name} ADD COLUMN {column} {ddl}")
            )
    conn.execute(sa.update(schema.schema_info).values(version=schema.SCHEMA_VERSION))
    logger.warning(
        "Upgraded the storage %s from schema version %d to %d; its studies are "
        "kept. Older tuneops releases can no longer open it (a SQLite file's "
        "copy from before the upgrade can).",
        url,
        found,
        schema.SCHEMA_VERSION,
    )


def _create_engine(url: str, engine_kwargs: dict[str, Any]) -> Engine:
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError as exc:
        raise ConfigError(
            f"`storage` must be a database URL such as sqlite:///tuneops.db; got "
            f"{url!r}."
        ) from exc
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, engine_kwargs)
    if parsed.drivername == "postgresql":
        # Name the driver tuneops installs, so a bare postgresql:// URL works.
        parsed = parsed.set(drivername="postgresql+psycopg")
    try:
        return sa.create_engine(parsed, pool_pre_ping=True, **engine_kwargs)
    except (sa.exc.NoSuchModuleError, ImportError) as exc:
        raise ConfigError(
            f"`storage` names the database kind {parsed.drivername!r}, which "
            f"SQLAlchemy cannot load ({exc}); use sqlite:///path.db or "
            "postgresql://user@host/db (pip install -e '.[postgres]')."
        ) from exc


def _sqlite_engine(url: sa.engine.URL, engine_kwargs: dict[str, Any]) -> Engine:
    connect_args = {"timeout": 30.0, **engine_kwargs.pop("connect_args", {})}
    if url.database in (None, "", ":memory:"):
        # One shared connection, or every checkout would see a new empty database.
        engine_kwargs.setdefault("poolclass", sa.pool.StaticPool)
        connect_args["check_same_thread"] = False
    else:
        Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, connect_args=connect_args, **engine_kwargs)
    sa.event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _trial_row(trial: TrialRecord) -> dict[str, Any]:
    return {
        "status": trial.status.value,
        "config": dumps(trial.config),
        "seed": trial.seed,
        "rung": trial.rung,
        "bracket": trial.bracket,
        "resource": dumps(trial.resource),
        "value": trial.value,
        "metrics": dumps(trial.metrics),
        "started_at": trial.started_at,
        "finished_at": trial.finished_at,
        "duration": trial.duration,
        "error": trial.error,
        "traceback": trial.traceback,
        "note": trial.note,
        "cpu_time": trial.cpu_time,
        "gpu_time": trial.gpu_time,
        "environment": trial.environment,
        "code": trial.code,
    }


def _evaluation_row(evaluation: Evaluation) -> dict[str, Any]:
    return {
        "rung": evaluation.rung,
        "resource": dumps(evaluation.resource),
        "value": evaluation.value,
        "metrics": dumps(evaluation.metrics),
        "started_at": evaluation.started_at,
        "finished_at": evaluation.finished_at,
    }


def _trial_from_row(row: Any, evaluations: Iterable[Evaluation]) -> TrialRecord:
    return TrialRecord(
        number=row["number"],
        status=TrialStatus(row["status"]),
        config=loads(row["config"]),
        seed=row["seed"],
        rung=row["rung"],
        bracket=row["bracket"],
        resource=loads(row["resource"]),
        value=row["value"],
        metrics=loads(row["metrics"]),
        evaluations=tuple(evaluations),
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        duration=row["duration"],
        error=row["error"],
        traceback=row["traceback"],
        note=row["note"],
        cpu_time=row["cpu_time"],
        gpu_time=row["gpu_time"],
        environment=row["environment"],
        code=row["code"],
    )


def _evaluation_from_row(row: Any) -> Evaluation:
    return Evaluation(
        rung=row["rung"],
        resource=loads(row["resource"]),
        value=row["value"],
        metrics=loads(row["metrics"]),
        started_at=row["started_at"],
        finished_at=row["finished_at"],
    )


def _study_from_row(row: Any) -> StudyRecord:
    return StudyRecord(
        name=row["name"],
        metric=row["metric"],
        direction=row["direction"],
        space=loads(row["space"]),
        searcher=loads(row["searcher"]),
        scheduler=loads(row["scheduler"]),
        seed=row["seed"],
        artifacts_dir=row["artifacts_dir"],
        created_at=row["created_at"],
        attrs=loads(row["attrs"]),
    )
