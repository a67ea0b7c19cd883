"""The `tuneops` command line: tune, list, show, refit, logs, rerun, export, space."""

from __future__ import annotations

from tuneops.cli import _export, _record, _refit, _show, _space, _tune  # noqa: F401 - registers commands
from tuneops.cli._app import app


def main() -> None:
    """Entry point of the `tuneops` console script."""
    app()


__all__ = ["app", "main"]
