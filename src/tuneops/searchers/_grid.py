"""Grid search."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from tuneops._internal._validation import check_int
from tuneops.searchers._base import Searcher
from tuneops.space import Space
from tuneops.storage import Direction, TrialRecord


class GridSearcher(Searcher):
    """Visits every point of the space's grid exactly once, then is exhausted.

    The grid holds every categorical value, each numeric parameter's user-given
    ``grid`` list, or ``n_points`` evenly spaced values (log-spaced for log
    parameters); conditional parameters appear only where active. Points already
    held by the study's trials (from earlier runs, or enqueued by hand) are skipped.

    Args:
        n_points: Values per numeric parameter without a ``grid`` list; >= 2,
            default 5.
        shuffle: Visit the points in a seeded random order instead of the grid
            order, so a study cut short still covers the space evenly.
        seed: Seed for the shuffle; ``None`` uses the study seed.
    """

    type_name = "grid"

    def __init__(
        self, n_points: int = 5, shuffle: bool = False, seed: int | None = None
    ) -> None:
        super().__init__(seed)
        self.n_points = check_int("n_points", n_points, low=2)
        self.shuffle = bool(shuffle)
        self._points: list[dict[str, Any]] = []
        self._used: set[str] = set()
        self._cursor = 0

    def bind(self, space: Space, direction: Direction, seed: int) -> None:
        """Enumerate the grid of the study's space."""
        super().bind(space, direction, seed)
        self._points = space.grid(self.n_points)
        if self.shuffle:
            order = np.random.default_rng(self.seed).permutation(len(self._points))
            self._points = [self._points[i] for i in order]
        self._used = set()
        self._cursor = 0

    def suggest(self, number: int) -> dict[str, Any] | None:
        """Return the next unused grid point, or ``None`` once all were used."""
        while self._cursor < len(self._points):
            point = self._points[self._cursor]
            self._cursor += 1
            key = _key(point)
            if key not in self._used:
                self._used.add(key)
                return dict(point)
        return None

    def restore(self, trials: Sequence[TrialRecord]) -> None:
        """Mark the configs of all stored trials as used."""
        self._used.update(_key(t.config) for t in trials)

    @property
    def size(self) -> int:
        """Number of grid points."""
        return len(self._points)

    def to_dict(self) -> dict[str, Any]:
        """The spec that rebuilds this searcher."""
        spec = super().to_dict()
        spec["n_points"] = self.n_points
        if self.shuffle:
            spec["shuffle"] = True
        return spec


def _key(config: Mapping[str, Any]) -> str:
    return json.dumps(config, sort_keys=True)
