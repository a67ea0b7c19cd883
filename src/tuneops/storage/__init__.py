"""Storage of studies and trials: SQLite (default), PostgreSQL, or in memory.

`open_storage` turns what a user writes (a URL, a path, ``None``) into a `Storage`.
"""

from __future__ import annotations

import os

from tuneops.storage._base import Storage
from tuneops.storage._memory import InMemoryStorage
from tuneops.storage._records import (
    REFIT_NOTE,
    Direction,
    Evaluation,
    Resource,
    SnapshotKind,
    StudyRecord,
    StudySummary,
    TrialRecord,
    TrialStatus,
)
from tuneops.storage._sql import SQLStorage, as_url, sqlite_file
from tuneops.storage._summary import best_record

DEFAULT_STORAGE = "sqlite:///tuneops.db"

_MEMORY_URLS = frozenset({"memory", "memory://", ":memory:"})


def open_storage(storage: str | os.PathLike[str] | Storage | None) -> Storage:
    """Open the storage a user named.

    Args:
        storage: A `Storage` (returned as is); ``None``, ``"memory"`` or
            ``":memory:"`` for a new in-memory storage; a SQLAlchemy URL such as
            ``"sqlite:///tuneops.db"`` or ``"postgresql://user@host/db"``; or a
            path to a SQLite file (``"runs/tuneops.db"``).

    Returns:
        The opened storage.
    """
    if isinstance(storage, Storage):
        return storage
    if storage is None or str(storage) in _MEMORY_URLS:
        return InMemoryStorage()
    return SQLStorage(as_url(os.fspath(storage)))


__all__ = [
    "DEFAULT_STORAGE",
    "REFIT_NOTE",
    "Direction",
    "Evaluation",
    "InMemoryStorage",
    "Resource",
    "SQLStorage",
    "SnapshotKind",
    "Storage",
    "StudyRecord",
    "StudySummary",
    "TrialRecord",
    "TrialStatus",
    "best_record",
    "open_storage",
    "sqlite_file",
]
