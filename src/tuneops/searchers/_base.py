"""The searcher interface: what proposes the next config."""

from __future__ import annotations

import abc
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from tuneops._internal._validation import check_int
from tuneops.space import Space
from tuneops.storage import Direction, TrialRecord


class Searcher(abc.ABC):
    """Proposes configs from a search space; may learn from finished evaluations.

    The study binds a searcher to its space once (`bind`), then calls `suggest` for
    every new trial and `observe` after every evaluation that ends (a rung finished,
    a trial stopped or failed). When a study is reopened, `restore` receives every
    stored trial instead, so a searcher never needs state of its own on disk.

    Model-based searchers read ``trial.evaluations`` in `observe`: each holds the
    resource it ran at, so multi-fidelity searchers can model each resource level
    apart. Searchers must be deterministic given the seed and the trial numbers.

    Args:
        seed: Seed of the searcher's own generator, an integer >= 0; ``None``
            (default) uses the study seed.
    """

    type_name: ClassVar[str]

    def __init__(self, seed: int | None = None) -> None:
        seed = check_int(
            "seed", seed, low=0, allow_none=True, hint="Use a whole number >= 0."
        )
        self._seed_arg = seed
        self.seed: int = 0 if seed is None else seed
        self._space: Space | None = None
        self.direction: Direction = "minimize"

    @property
    def space(self) -> Space:
        """The space the searcher was bound to."""
        if self._space is None:
            raise RuntimeError("The searcher is not bound to a study yet.")
        return self._space

    def bind(self, space: Space, direction: Direction, seed: int) -> None:
        """Attach the searcher to a study's space, direction and seed."""
        self._space = space
        self.direction = direction
        self.seed = seed if self._seed_arg is None else self._seed_arg

    @abc.abstractmethod
    def suggest(self, number: int) -> dict[str, Any] | None:
        """Return the config for new trial ``number``, or ``None`` when exhausted."""

    def observe(self, trial: TrialRecord) -> None:  # noqa: B027 - optional hook
        """Learn from a trial whose latest evaluation just ended (default: ignore)."""

    def restore(self, trials: Sequence[TrialRecord]) -> None:
        """Rebuild state from stored trials when a study is reopened."""
        for trial in trials:
            if trial.evaluations or trial.status.is_finished:
                self.observe(trial)

    @property
    def size(self) -> int | None:
        """How many configs the searcher can propose in all; ``None`` if unbounded."""
        return None

    def to_dict(self) -> dict[str, Any]:
        """The spec that rebuilds this searcher (``{"type": ..., ...}``)."""
        spec: dict[str, Any] = {"type": self.type_name}
        if self._seed_arg is not None:
            spec["seed"] = self._seed_arg
        return spec

    def _generator(self, number: int) -> np.random.Generator:
        # One generator per trial number: the same trial gets the same config on
        # resume, in any process, whatever was suggested before it.
        return np.random.default_rng(
            np.random.SeedSequence(self.seed, spawn_key=(1, number))
        )

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.to_dict().items() if k != "type")
        return f"{type(self).__name__}({args})"
