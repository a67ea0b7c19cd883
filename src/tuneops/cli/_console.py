"""The one rich console the CLI prints through, and number formatting."""

from __future__ import annotations

import math
from typing import Any

from rich.console import Console

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


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
