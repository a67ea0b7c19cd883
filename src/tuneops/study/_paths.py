"""Where a study keeps its per-trial folders."""

from __future__ import annotations

import tempfile
from pathlib import Path

import sqlalchemy as sa

from tuneops.storage import SQLStorage, Storage, sqlite_file


def default_artifacts_dir(storage: Storage, study_name: str) -> str:
    """A folder beside a SQLite file, or a temporary one for in-memory studies.

    ``runs/tuneops.db`` keeps trial folders in ``runs/tuneops_artifacts/<study>``;
    an in-memory study gets a new temporary folder; a server database (PostgreSQL)
    uses ``./tuneops_artifacts/<study>`` under the working directory.
    """
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in study_name)
    if isinstance(storage, SQLStorage):
        file = sqlite_file(storage.url)
        if file is not None:
            db = file.resolve()
            return str(db.with_name(f"{db.stem}_artifacts") / safe)
        if sa.engine.make_url(storage.url).get_backend_name() != "sqlite":
            return str(Path("tuneops_artifacts").resolve() / safe)
    return tempfile.mkdtemp(prefix=f"tuneops-{safe}-")
