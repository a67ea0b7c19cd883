"""Shared fixtures: storages of every kind, including a real PostgreSQL database."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tuneops import Categorical, Float, Int, Space

POSTGRES_ADMIN_URL = os.environ.get(
    "TUNEOPS_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped afterwards."""
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"tuneops_test_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        pytest.fail(
            f"PostgreSQL at {POSTGRES_ADMIN_URL} is not reachable ({exc}); start it "
            "(pg_ctlcluster <version> main start) or set TUNEOPS_TEST_POSTGRES."
        )
    url = sa.engine.make_url(POSTGRES_ADMIN_URL).set(database=name)
    yield url.render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def storage_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Every storage backend a user can pick."""
    if request.param == "memory":
        return "memory"
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'tuneops.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def small_space() -> Space:
    """A space with each kind of parameter and one conditional."""
    return Space(
        {
            "x": Float(-5.0, 5.0),
            "lr": Float(1e-4, 1e-1, log=True),
            "depth": Int(1, 6),
            "optimizer": Categorical(["sgd", "adam"]),
            "momentum": Float(0.8, 0.99, when={"optimizer": "sgd"}),
        }
    )


def unique_name(prefix: str = "study") -> str:
    """A study name that no other test uses, for shared databases."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"
