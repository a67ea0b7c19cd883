"""The `tuneops` command line: tune, list, show, refit, logs, rerun, export, space."""

from __future__ import annotations

import signal

from tuneops.cli import _export, _record, _refit, _show, _space, _tune  # noqa: F401 - registers commands
from tuneops.cli._app import app


def main() -> None:
    """Entry point of the `tuneops` console script."""
    if hasattr(signal, "SIGPIPE"):
        # `tuneops show x | head` closes the pipe early: end quietly, as other
        # command-line tools do, instead of a broken-pipe error and exit 1.
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    app()


__all__ = ["app", "main"]
