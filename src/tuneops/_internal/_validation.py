"""Declarative parameter checks with one message template.

Every message reads: "`name` must be <expected>; got <value>. <what to do>".
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Collection
from typing import Any, Literal, overload

from tuneops._internal._errors import ConfigError


def fail(name: str, expected: str, value: Any, hint: str = "") -> ConfigError:
    """Build the standard error for a parameter that did not pass its check."""
    message = f"`{name}` must be {expected}; got {value!r}."
    if hint:
        message = f"{message} {hint}"
    return ConfigError(message)


@overload
def check_real(
    name: str,
    value: Any,
    *,
    low: float | None = ...,
    high: float | None = ...,
    low_open: bool = ...,
    allow_none: Literal[False] = ...,
    hint: str = ...,
) -> float: ...
@overload
def check_real(
    name: str,
    value: Any,
    *,
    low: float | None = ...,
    high: float | None = ...,
    low_open: bool = ...,
    allow_none: bool = ...,
    hint: str = ...,
) -> float | None: ...
def check_real(
    name: str,
    value: Any,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    allow_none: bool = False,
    hint: str = "",
) -> float | None:
    """Check that `value` is a finite real number inside the given bounds."""
    if value is None and allow_none:
        return None
    is_real = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if not is_real or not math.isfinite(float(value)):
        raise fail(name, "a finite number", value, hint)
    _check_bounds(name, value, low, high, low_open, hint)
    return value


@overload
def check_int(
    name: str,
    value: Any,
    *,
    low: int | None = ...,
    high: int | None = ...,
    allow_none: Literal[False] = ...,
    hint: str = ...,
) -> int: ...
@overload
def check_int(
    name: str,
    value: Any,
    *,
    low: int | None = ...,
    high: int | None = ...,
    allow_none: bool = ...,
    hint: str = ...,
) -> int | None: ...
def check_int(
    name: str,
    value: Any,
    *,
    low: int | None = None,
    high: int | None = None,
    allow_none: bool = False,
    hint: str = "",
) -> int | None:
    """Check that `value` is an integer (not a bool) inside the given bounds."""
    if value is None and allow_none:
        return None
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise fail(name, "an integer", value, hint)
    _check_bounds(name, value, low, high, False, hint)
    return int(value)


def check_choice(
    name: str, value: Any, choices: Collection[Any], hint: str = ""
) -> Any:
    """Check that `value` is one of `choices`."""
    if value not in choices:
        options = ", ".join(repr(c) for c in choices)
        raise fail(name, f"one of {options}", value, hint)
    return value


def _check_bounds(
    name: str,
    value: Any,
    low: float | None,
    high: float | None,
    low_open: bool,
    hint: str,
) -> None:
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and value > high
    if too_low or too_high:
        raise fail(name, _describe_bounds(low, high, low_open), value, hint)


def _describe_bounds(low: float | None, high: float | None, low_open: bool) -> str:
    if low is not None and high is not None:
        return f"in [{low}, {high}]" if not low_open else f"in ({low}, {high}]"
    if low is not None:
        return f"> {low}" if low_open else f">= {low}"
    return f"<= {high}"
