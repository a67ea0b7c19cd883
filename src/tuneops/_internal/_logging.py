"""Logging set-up used by the CLI; the library itself only attaches a NullHandler."""

from __future__ import annotations

import logging

from rich.console import Console
from rich.logging import RichHandler


def configure_cli_logging(
    level: int = logging.INFO, console: Console | None = None
) -> None:
    """Send tuneops' log records to the terminal through rich, once."""
    logger = logging.getLogger("tuneops")
    if any(isinstance(h, RichHandler) for h in logger.handlers):
        logger.setLevel(level)
        return
    handler = RichHandler(
        console=console, show_path=False, rich_tracebacks=False, markup=False
    )
    handler.setFormatter(logging.Formatter("%(message)s", datefmt="[%X]"))
    logger.addHandler(handler)
    logger.setLevel(level)
