"""Table definitions for the SQL storage (SQLAlchemy Core)."""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect

SCHEMA_VERSION = 2


class NanFloat(TypeDecorator[float]):
    """A float column that keeps ``nan``, for values that can never be NULL.

    SQLite turns a bound NaN into NULL, so NaN is written as NULL on purpose and NULL
    read back as NaN; ``±inf`` are stored natively by SQLite and PostgreSQL.
    """

    impl = Float(precision=53)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> float | None:
        """Write NaN as NULL so every backend stores it the same way."""
        if value is None or math.isnan(value):
            return None
        return float(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> float:
        """Read NULL back as the NaN it stands for."""
        return math.nan if value is None else float(value)


metadata = MetaData()

# Double precision everywhere: PostgreSQL's plain REAL would round values.
_Double = Float(precision=53)

studies = Table(
    "tuneops_studies",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(256), nullable=False, unique=True),
    Column("metric", String(256), nullable=False),
    Column("direction", String(16), nullable=False),
    Column("space", Text, nullable=False),
    Column("searcher", Text, nullable=False),
    Column("scheduler", Text, nullable=False),
    Column("seed", BigInteger, nullable=False),
    Column("artifacts_dir", Text, nullable=False),
    Column("created_at", _Double, nullable=False),
    Column("attrs", Text, nullable=False),
)

trials = Table(
    "tuneops_trials",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "study_id",
        Integer,
        ForeignKey("tuneops_studies.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("number", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("config", Text, nullable=False),
    Column("seed", BigInteger, nullable=False),
    Column("rung", Integer, nullable=False),
    Column("bracket", Integer, nullable=True),
    Column("resource", Text, nullable=False),
    Column("value", _Double, nullable=True),
    Column("metrics", Text, nullable=False),
    Column("started_at", _Double, nullable=True),
    Column("finished_at", _Double, nullable=True),
    Column("duration", _Double, nullable=False),
    Column("error", Text, nullable=True),
    Column("traceback", Text, nullable=True),
    Column("note", Text, nullable=True),
    Column("cpu_time", _Double, nullable=False, server_default="0"),
    Column("gpu_time", _Double, nullable=False, server_default="0"),
    Column("environment", String(64), nullable=True),
    Column("code", String(64), nullable=True),
    UniqueConstraint("study_id", "number", name="uq_tuneops_trial_number"),
)

# Columns added to tuneops_trials by each schema version, for the upgrade of a
# database an earlier release wrote: (version, column name, SQL type and default).
ADDED_TRIAL_COLUMNS = (
    (2, "cpu_time", "DOUBLE PRECISION NOT NULL DEFAULT 0"),
    (2, "gpu_time", "DOUBLE PRECISION NOT NULL DEFAULT 0"),
    (2, "environment", "VARCHAR(64)"),
    (2, "code", "VARCHAR(64)"),
)

# Environment and code snapshots, stored once per study and digest; trials
# point at theirs by digest, so a thousand trials on one machine share a row
# and workers on different machines each add theirs.
snapshots = Table(
    "tuneops_snapshots",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "study_id",
        Integer,
        ForeignKey("tuneops_studies.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("kind", String(16), nullable=False),
    Column("digest", String(64), nullable=False),
    Column("created_at", _Double, nullable=False),
    Column("data", Text, nullable=False),
    UniqueConstraint("study_id", "kind", "digest", name="uq_tuneops_snapshot"),
)

evaluations = Table(
    "tuneops_evaluations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "trial_id",
        Integer,
        ForeignKey("tuneops_trials.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("rung", Integer, nullable=False),
    Column("resource", Text, nullable=False),
    Column("value", _Double, nullable=True),
    Column("metrics", Text, nullable=False),
    Column("started_at", _Double, nullable=False),
    Column("finished_at", _Double, nullable=False),
    Index("ix_tuneops_evaluations_trial", "trial_id"),
)

intermediate = Table(
    "tuneops_intermediate",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "trial_id",
        Integer,
        ForeignKey("tuneops_trials.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("rung", Integer, nullable=False),
    Column("step", Integer, nullable=False),
    Column("value", NanFloat, nullable=True),
    UniqueConstraint("trial_id", "rung", "step", name="uq_tuneops_intermediate"),
)

schema_info = Table(
    "tuneops_schema",
    metadata,
    Column("version", Integer, primary_key=True),
)
