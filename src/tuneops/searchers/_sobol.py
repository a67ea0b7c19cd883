"""Quasi-random search on a scrambled Sobol' sequence."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from scipy.stats import qmc

from tuneops._internal._validation import check_int, fail
from tuneops.searchers._base import Searcher
from tuneops.space import Space
from tuneops.storage import Direction

# Our own spawn key for the scrambling generator, apart from the study's trial
# seeds (0, n) and the searchers' per-trial generators (1, n).
_SCRAMBLE_KEY = 2

# scipy's default of 30 bits. 64 bits would never run out, but fast_forward fails
# on 64-bit engines (scipy 1.17), and a study of a billion trials is far off.
_MAX_POINTS = 2**30


class SobolSearcher(Searcher):
    """Proposes the points of a Sobol' sequence, mapped onto the space.

    A Sobol' sequence fills the unit cube more evenly than independent draws:
    for every m, its first 2**m points put exactly one point in each of 2**m
    equal intervals along every axis (Sobol', "On the distribution of points in
    a cube and the approximate evaluation of integrals", USSR Computational
    Mathematics and Mathematical Physics 7(4), 1967). The sequence has one
    coordinate per parameter, in `Space.names` order; `Space.from_unit` maps a
    point to a config, ignoring the coordinates of inactive parameters.

    Scrambling (Owen, "Scrambling Sobol' and Niederreiter-Xing points", Journal
    of Complexity 14(4), 1998; here scipy's linear matrix scrambling with a
    digital shift) keeps that balance but randomizes the points, so seeds give
    different sequences and the first point is not the corner of the cube.

    Trial ``n`` always gets point ``n`` of the sequence, whatever was asked
    before, so resumed and out-of-order studies repeat it. The balance holds for
    studies of 2**m trials; others are still spread more evenly than random.
    The searcher is never exhausted: past 2**30 points the sequence starts over.

    Args:
        seed: Seed of the scrambling; ``None`` uses the study seed. Ignored
            when ``scramble`` is false.
        scramble: Scramble the sequence (default True). Unscrambled, every seed
            gives the same sequence, starting at the all-zero corner.

    Raises:
        ConfigError: If ``scramble`` is not a bool.
    """

    type_name = "sobol"

    def __init__(self, seed: int | None = None, scramble: bool = True) -> None:
        super().__init__(seed)
        if not isinstance(scramble, bool | np.bool_):
            raise fail("scramble", "true or false", scramble, "Write true or false.")
        self.scramble = bool(scramble)
        self._engine: qmc.Sobol | None = None

    def bind(self, space: Space, direction: Direction, seed: int) -> None:
        """Attach to the study and drop any sequence built for an earlier one."""
        super().bind(space, direction, seed)
        self._engine = None

    def suggest(self, number: int) -> dict[str, Any] | None:
        """Return the config at point ``number`` of the sequence (never exhausted)."""
        return self.space.from_unit(self.unit_point(number))

    def unit_point(self, number: int) -> np.ndarray:
        """Return point ``number`` of the sequence, in the unit cube.

        Model-based searchers can use these points as their initial design.
        Asking in increasing order costs one step per point; asking for an
        earlier point replays the sequence from its start.

        Args:
            number: Index of the point (the trial number), >= 0.

        Returns:
            A float array of ``len(space)`` positions in [0, 1), in
            `Space.names` order.

        Raises:
            ConfigError: If ``number`` is not an integer >= 0.
            RuntimeError: If the searcher is not bound to a study yet.
        """
        number = check_int("number", number, low=0, hint="Pass a trial number.")
        engine = self._engine_at(number % _MAX_POINTS)

        # scipy warns when a draw is not 2**m points long, because the balance
        # only holds for such prefixes. Here the study's trial count decides the
        # prefix, so the warning would say nothing useful. (scipy 1.17 checks only
        # an engine's first draw, which is one point here, so it stays quiet.)
        with warnings.catch_warnings():
            warnings.filterwarnings(
                "ignore", message="The balance properties", category=UserWarning
            )
            return np.array(engine.random(1)[0], dtype=float)

    def to_dict(self) -> dict[str, Any]:
        """The spec that rebuilds this searcher."""
        spec = super().to_dict()
        if not self.scramble:
            spec["scramble"] = False
        return spec

    def _engine_at(self, index: int) -> qmc.Sobol:
        # The engine is kept between calls, so a study asking 0, 1, 2, ... pays
        # one step per point; only a step back replays from the start. reset()
        # keeps the scrambling, so it equals rebuilding at a fraction of the cost.
        if self._engine is None:
            self._engine = qmc.Sobol(
                len(self.space), scramble=self.scramble, rng=self._scramble_rng()
            )
        elif index < self._engine.num_generated:
            self._engine.reset()

        # fast_forward(0) on a fresh engine fails in scipy, so skip it.
        skip = index - self._engine.num_generated
        if skip > 0:
            self._engine.fast_forward(skip)
        return self._engine

    def _scramble_rng(self) -> np.random.Generator:
        return np.random.default_rng(
            np.random.SeedSequence(self.seed, spawn_key=(_SCRAMBLE_KEY,))
        )
