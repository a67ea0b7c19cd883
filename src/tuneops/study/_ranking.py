"""How evaluations are ranked against each other: the one order `best_trial` uses."""

from __future__ import annotations

import math

from tuneops.storage import Direction, Evaluation


def ranking_key(
    evaluation: Evaluation, number: int, direction: Direction
) -> tuple[float, float, int]:
    """Sort key of an evaluation with a value; the smallest key is the best.

    Values at different resources are not compared on their own: the higher
    resource comes first, then the better value, then the lower trial number.
    """
    if evaluation.value is None:
        raise ValueError("Only evaluations with a value can be ranked.")
    sign = 1.0 if direction == "minimize" else -1.0
    resource = evaluation.resource
    level = -math.inf if resource is None else -float(resource)
    return (level, sign * evaluation.value, number)
