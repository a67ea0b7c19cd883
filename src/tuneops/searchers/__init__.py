"""Searchers: what proposes the next config (grid, random, Sobol, TPE)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tuneops._internal._specs import from_spec
from tuneops.searchers._base import Searcher
from tuneops.searchers._grid import GridSearcher
from tuneops.searchers._random import RandomSearcher
from tuneops.searchers._sobol import SobolSearcher
from tuneops.searchers._tpe import TPESearcher

SEARCHERS: dict[str, type[Searcher]] = {
    GridSearcher.type_name: GridSearcher,
    RandomSearcher.type_name: RandomSearcher,
    SobolSearcher.type_name: SobolSearcher,
    TPESearcher.type_name: TPESearcher,
}


def searcher_from_spec(
    spec: str | Mapping[str, Any], source: str | None = None
) -> Searcher:
    """Build a searcher from ``"random"`` or ``{"type": "grid", "n_points": 3}``.

    Args:
        spec: A type name or a mapping of ``type`` and constructor arguments.
        source: The file the spec came from, named in error messages.
    """
    return from_spec("searcher", spec, SEARCHERS, source)


__all__ = [
    "SEARCHERS",
    "GridSearcher",
    "RandomSearcher",
    "Searcher",
    "SobolSearcher",
    "TPESearcher",
    "searcher_from_spec",
]
