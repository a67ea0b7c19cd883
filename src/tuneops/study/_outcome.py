"""Turn what an objective returned into a value and metrics, or a failure reason."""

from __future__ import annotations

import json
import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Outcome:
    """A parsed objective result: a finite value and its metrics, or an error."""

    value: float | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


def parse_outcome(result: Any, metric: str) -> Outcome:
    """Check an objective's return value against the study metric.

    Args:
        result: A number, or a mapping of metric names to JSON values that holds
            ``metric``.
        metric: The study's metric name.

    Returns:
        An outcome with ``error`` set when the result cannot be used; its message
        says what was returned and what to return instead.
    """
    if isinstance(result, Mapping):
        return _parse_mapping(result, metric)
    if _is_number(result):
        return _checked(float(result), {metric: float(result)}, metric)
    return Outcome(
        error=(
            f"The objective returned {_describe(result)}; return a number or a dict "
            f"with the key {metric!r}."
        )
    )


def _parse_mapping(result: Mapping[Any, Any], metric: str) -> Outcome:
    if metric not in result:
        keys = ", ".join(repr(k) for k in result) or "no keys"
        return Outcome(
            error=(
                f"The objective returned a dict without the study metric {metric!r} "
                f"(it has {keys}); add it, or set the study's metric to one of those."
            )
        )
    metrics: dict[str, Any] = {}
    for key, value in result.items():
        converted = _to_json_value(value)
        if not isinstance(key, str) or converted is _UNUSABLE:
            return Outcome(
                error=(
                    f"The objective returned the metric {key!r} = {_describe(value)}, "
                    "which cannot be stored; use string keys and numbers, strings, "
                    "booleans or lists of them as values."
                )
            )
        metrics[key] = converted
    if not _is_number(metrics[metric]):
        return Outcome(
            error=(
                f"The objective returned {_describe(result[metric])} for the metric "
                f"{metric!r}; it must be a finite number."
            )
        )
    return _checked(float(metrics[metric]), metrics, metric)


def _checked(value: float, metrics: dict[str, Any], metric: str) -> Outcome:
    if not math.isfinite(value):
        return Outcome(
            error=(
                f"The objective returned {value} for the metric {metric!r}; it must be "
                "a finite number (did the training diverge?)."
            )
        )
    metrics[metric] = value
    return Outcome(value=value, metrics=metrics)


_UNUSABLE = object()


def _to_json_value(value: Any) -> Any:
    if _is_number(value):
        # numpy scalars become Python numbers; ints stay ints.
        return int(value) if isinstance(value, numbers.Integral) else float(value)
    if hasattr(value, "item") and getattr(value, "shape", None) == ():
        return _to_json_value(value.item())
    try:
        json.dumps(value, allow_nan=True)
    except (TypeError, ValueError):
        return _UNUSABLE
    return value


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _describe(value: Any) -> str:
    if value is None:
        return "None"
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}"
