"""Random search."""

from __future__ import annotations

from typing import Any

from tuneops.searchers._base import Searcher


class RandomSearcher(Searcher):
    """Draws every config independently from the space's distributions.

    Random search is the baseline every other searcher must beat: it is hard to
    beat in high dimensions where few parameters matter (Bergstra & Bengio, "Random
    Search for Hyper-Parameter Optimization", JMLR 13, 2012). Trial ``n`` always gets
    the same config for the same seed, so resumed and parallel studies repeat it.

    Args:
        seed: Seed of the searcher's generator; ``None`` uses the study seed.
    """

    type_name = "random"

    def suggest(self, number: int) -> dict[str, Any] | None:
        """Sample a config for trial ``number`` (never exhausted)."""
        return self.space.sample(self._generator(number))
