"""JSON encoding that keeps NaN and infinities exactly."""

from __future__ import annotations

import json
from typing import Any


def dumps(value: Any) -> str:
    """Encode to JSON text; NaN and ±inf are written as NaN/Infinity tokens.

    Those tokens are not strict JSON, but Python reads them back exactly, and the
    columns holding this text are plain text, never a database JSON type.
    """
    return json.dumps(value, allow_nan=True, separators=(",", ":"), sort_keys=False)


def loads(text: str) -> Any:
    """Decode text written by `dumps`."""
    return json.loads(text)
