"""The one rich console the CLI prints through, and number formatting."""

from __future__ import annotations

import math
import os
import sys
from typing import Any

from rich.console import Console

# Rich cuts tables at 80 columns when the output is not a terminal (a pipe, a
# log file, CI), which truncates study names and values past reading. Such
# output gets room for a leaderboard instead; $COLUMNS still decides.
PIPED_WIDTH = 160


def _width(stream: Any) -> int | None:
    if os.environ.get("COLUMNS") or stream.isatty():
        return None
    return PIPED_WIDTH


console = Console(highlight=False, width=_width(sys.stdout))
err_console = Console(stderr=True, highlight=False, width=_width(sys.stderr))


def fmt(value: Any) -> str:
    """Format a metric or parameter value compactly for a table cell."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return str(value)
        return f"{value:.6g}"
    return str(value)
