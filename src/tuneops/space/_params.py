"""The parameter kinds a search space is built from: Float, Int and Categorical."""

from __future__ import annotations

import copy
import json
import math
import numbers
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from fractions import Fraction
from typing import Any, ClassVar, Self

import numpy as np

from tuneops._internal._errors import ConfigError
from tuneops._internal._validation import check_int, check_real, fail

# Errors from a file must name the key path ("lr.low"), yet the same constructors
# serve the Python API, so the loader sets the path prefix here rather than every
# public signature growing a location argument.
_KEY_PREFIX: ContextVar[str] = ContextVar("tuneops_space_key_prefix", default="")

# A step "fits" a range when (high - low) / step is this close to a whole number.
_STEP_RTOL = 1e-9


@contextmanager
def key_prefix(prefix: str) -> Iterator[None]:
    """Prefix every parameter key named in errors raised inside the block."""
    token = _KEY_PREFIX.set(prefix)
    try:
        yield
    finally:
        _KEY_PREFIX.reset(token)


def key(field: str) -> str:
    """Return `field` as the key path that error messages should name."""
    return f"{_KEY_PREFIX.get()}{field}"


def canonical(value: Any) -> str:
    """Return the JSON text that identifies a value, with dict keys sorted.

    Python's `==` treats True, 1 and 1.0 as one value; categorical choices and
    conditions must not, so they are compared through this text instead.
    """
    return json.dumps(value, sort_keys=True, allow_nan=False)


def plain(value: Any) -> Any:
    """Turn a numpy scalar into the Python scalar it holds; leave others alone."""
    return value.item() if isinstance(value, np.generic) else value


def same_value(a: Any, b: Any) -> bool:
    """Tell whether two parameter values are equal, numbers by value, rest by JSON."""
    a, b = plain(a), plain(b)
    if _is_real(a) and _is_real(b):
        return float(a) == float(b)

    try:
        return canonical(a) == canonical(b)
    except (TypeError, ValueError):
        return False


def _is_real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _json_value(name: str, value: Any) -> Any:
    """Return `value` as a plain JSON value, or raise if it would not survive JSON."""
    value = plain(value)
    try:
        survives = _same_json(json.loads(json.dumps(value, allow_nan=False)), value)
    except (TypeError, ValueError):
        survives = False

    if not survives:
        raise fail(
            name,
            "a JSON value (a string, number, bool, None, or a list or dict of those)",
            value,
            "Tuples, sets, NaN and other objects do not survive a round trip "
            "through YAML or JSON; use a list or a string instead.",
        )
    return value


def _same_json(loaded: Any, original: Any) -> bool:
    # Types must match exactly: a tuple comes back as a list and an IntEnum as an
    # int, and either would change what a sampled config holds after a reload.
    if type(loaded) is not type(original):
        return False

    if isinstance(original, list):
        pairs = zip(loaded, original, strict=False)
        return len(loaded) == len(original) and all(_same_json(a, b) for a, b in pairs)

    if isinstance(original, dict):
        return loaded.keys() == original.keys() and all(
            _same_json(loaded[k], original[k]) for k in original
        )
    return bool(loaded == original)


def _unit_index(u: float, count: int) -> int:
    """Map u in [0, 1] to one of `count` equal bins, the last bin closed."""
    return min(int(u * count), count - 1)


def _round_half_up(x: float) -> int:
    return math.floor(x + 0.5)


def _unit_positions(n_points: int) -> list[Fraction]:
    """Return `n_points` evenly spaced positions in [0, 1], both ends included."""
    if n_points == 1:
        return [Fraction(1, 2)]
    return [Fraction(i, n_points - 1) for i in range(n_points)]


def _unique(values: Iterable[Any]) -> list[Any]:
    kept: list[Any] = []
    for value in values:
        if value not in kept:
            kept.append(value)
    return kept


def _normalize_when(when: Any) -> dict[str, tuple[Any, ...]] | None:
    if when is None:
        return None

    if not isinstance(when, Mapping):
        raise fail(
            key("when"),
            "a mapping from parent parameter names to the values that switch "
            "this parameter on",
            when,
            "Write for example when={'optimizer': 'sgd'}.",
        )

    normalized: dict[str, tuple[Any, ...]] = {}
    for parent, values in when.items():
        normalized[_parent_name(parent)] = _condition_values(parent, values)
    return normalized or None


def _parent_name(parent: Any) -> str:
    if not isinstance(parent, str) or not parent:
        raise fail(
            key("when"),
            "keyed by parameter names (non-empty strings)",
            parent,
            "Use the name the parent parameter has in the space.",
        )
    return parent


def _condition_values(parent: str, values: Any) -> tuple[Any, ...]:
    # A list means "any of these"; to match a list-valued choice, wrap it: [[1, 2]].
    listed = tuple(values) if isinstance(values, list | tuple) else (values,)

    if not listed:
        raise fail(
            key(f"when.{parent}"),
            "a value or a non-empty list of values",
            values,
            f"List the values of `{parent}` under which this parameter is active.",
        )
    return tuple(_json_value(key(f"when.{parent}"), v) for v in listed)


def _check_bool(field: str, value: Any) -> bool:
    if not isinstance(value, bool | np.bool_):
        raise fail(key(field), "true or false", value, "Write `true` or `false`.")
    return bool(value)


class Param(ABC):
    """One hyperparameter of a search space: its domain, distribution and grid.

    `Param` is abstract; build a space from `Float`, `Int` and `Categorical`. A
    parameter is usually created unnamed and learns its `name` when it is put
    into a `Space` (the space keeps its own named copy; the object you passed in
    stays unnamed).

    Every kind supports:

    * `sample(rng)`: one random value from the parameter's distribution.
    * `contains(value)`: whether a value lies in the domain.
    * `grid_values(n_points)`: the values a grid search tries.
    * `to_unit(value)` / `from_unit(u)`: a map between the domain and [0, 1],
      for quasi-random and model-based searchers. `from_unit` of a uniform u
      follows exactly the distribution of `sample`, and
      `from_unit(to_unit(v)) == v` for every value of a discrete domain.
    * `to_dict()`: the canonical spec, as written in YAML and JSON files.

    Two parameters are equal when they have the same kind and spec; the name a
    space gave them does not count.

    Attributes:
        kind: The `type` written in specs: "float", "int" or "categorical".
        name: The parameter's name in its space, or None while unnamed.
        when: The condition under which the parameter is active, as a mapping
            from parent name to the tuple of parent values that switch it on
            (all parents must match), or None when it is always active.
    """

    kind: ClassVar[str]

    def __init__(self, when: Mapping[str, Any] | None) -> None:
        self._name: str | None = None
        self._when = _normalize_when(when)

    @property
    def name(self) -> str | None:
        """The parameter's name in its space, or None while unnamed."""
        return self._name

    @property
    def when(self) -> dict[str, tuple[Any, ...]] | None:
        """The activation condition: parent name to allowed values, or None."""
        return None if self._when is None else dict(self._when)

    def sample(self, rng: np.random.Generator) -> Any:
        """Draw one value from the parameter's distribution.

        Args:
            rng: The random generator to draw from, e.g.
                `numpy.random.default_rng(seed)`; one uniform draw is used.

        Returns:
            A value inside the domain, as a Python object (never a numpy scalar).

        Raises:
            ConfigError: If `rng` is not a `numpy.random.Generator`.
        """
        if not isinstance(rng, np.random.Generator):
            raise fail(
                "rng",
                "a numpy.random.Generator",
                rng,
                "Create one with numpy.random.default_rng(seed).",
            )

        # Drawing through the unit map keeps `sample` and `from_unit` identical in
        # distribution by construction, which the searchers rely on.
        return self._from_unit(float(rng.random()))

    def from_unit(self, u: float) -> Any:
        """Map a position in [0, 1] to a value of the domain.

        Continuous ranges map linearly (in log space for log parameters).
        Discrete domains with k values split [0, 1] into k equal bins and give
        the value of the bin u falls in (index `min(floor(u * k), k - 1)`), so a
        uniform u gives every value the same chance, as `sample` does.

        Args:
            u: Position in [0, 1], both ends included.

        Returns:
            The value at that position, as a Python object.

        Raises:
            ConfigError: If `u` is not a finite number in [0, 1].
        """
        check_real("u", u, low=0.0, high=1.0, hint="Pass a position in [0, 1].")
        return self._from_unit(float(u))

    def to_unit(self, value: Any) -> float:
        """Map a value of the domain to its position in [0, 1].

        The inverse of `from_unit`: continuous values map to their relative
        position (in log space for log parameters), discrete values to the
        centre of their bin.

        Args:
            value: A value inside the domain.

        Returns:
            The position in [0, 1].

        Raises:
            ConfigError: If `value` lies outside the domain.
        """
        if not self.contains(value):
            raise fail(
                self._name or "value",
                self._describe(),
                value,
                "Only values inside the domain have a unit position.",
            )
        return min(max(self._to_unit(plain(value)), 0.0), 1.0)

    @property
    def unit_bins(self) -> int | None:
        """How many equal bins `from_unit` splits [0, 1] into; None if continuous.

        A discrete parameter with k values maps bin i of width 1/k to value i
        and `to_unit` returns bin centres, so density models over the unit cube
        can give each value the mass of its bin. Log-scale integers are None:
        their positions are continuous in log space and only rounded.
        """
        return None

    @property
    def is_categorical(self) -> bool:
        """True for unordered choices, which have no notion of distance."""
        return False

    @abstractmethod
    def contains(self, value: Any) -> bool:
        """Tell whether `value` lies in the domain (bounds, step and type).

        Args:
            value: Any object.

        Returns:
            True when a config may hold `value` for this parameter.
        """

    @abstractmethod
    def grid_values(self, n_points: int) -> list[Any]:
        """Return the values a grid search tries for this parameter.

        Args:
            n_points: Number of points for a numeric range without a user
                `grid` (at least 1; ignored by `Categorical`). Points are evenly
                spaced with both end points included (log-spaced for log
                ranges), snapped to the step and de-duplicated; a single point
                is the middle of the range.

        Returns:
            The distinct values, in increasing order for numeric ranges.

        Raises:
            ConfigError: If `n_points` is not an integer >= 1.
        """

    @abstractmethod
    def to_dict(self) -> dict[str, Any]:
        """Return the canonical spec: `type`, the kind's settings and `when`.

        Settings left at their defaults are omitted. Condition values are
        always written as lists, so a list-valued choice stays unambiguous.
        """

    @abstractmethod
    def _from_unit(self, u: float) -> Any: ...

    @abstractmethod
    def _to_unit(self, value: Any) -> float: ...

    @abstractmethod
    def _describe(self) -> str:
        """Describe the domain for error messages, e.g. 'an integer in [1, 8]'."""

    @abstractmethod
    def _repr_args(self) -> list[str]: ...

    def _with_name(self, name: str) -> Self:
        named = copy.copy(self)
        named._name = name
        return named

    def _when_dict(self) -> dict[str, Any]:
        if self._when is None:
            return {}
        return {"when": {p: copy.deepcopy(list(v)) for p, v in self._when.items()}}

    def __eq__(self, other: object) -> bool:
        """Compare kind and spec (as canonical JSON); the name does not count."""
        if not isinstance(other, Param):
            return NotImplemented
        return type(self) is type(other) and canonical(self.to_dict()) == canonical(
            other.to_dict()
        )

    def __hash__(self) -> int:
        """Hash the kind and spec, consistently with `==`."""
        return hash((type(self).__name__, canonical(self.to_dict())))

    def __repr__(self) -> str:
        """Return the constructor call that rebuilds an equal parameter."""
        args = self._repr_args()
        if self._when is not None:
            args.append(f"when={self._when!r}")
        return f"{type(self).__name__}({', '.join(args)})"


def _check_bounds(low: Any, high: Any, *, integer: bool) -> None:
    for field, value in (("low", low), ("high", high)):
        if integer:
            check_int(key(field), value, hint="Give integer bounds, e.g. 1 and 8.")
        else:
            check_real(key(field), value, hint="Give the bounds as plain numbers.")

    if low >= high:
        raise fail(
            key("low"),
            f"less than `high` ({high!r})",
            low,
            "Swap the bounds, or widen the range; a fixed value needs no search.",
        )


def _check_log(log: Any, low: float) -> bool:
    log = _check_bool("log", log)
    if log and low <= 0:
        raise fail(
            key("low"),
            "greater than 0 when `log` is true",
            low,
            "Use a positive lower bound, or set `log` to false.",
        )
    return log


def _step_misfit(low: Any, step: Any, last: Any, width: Any) -> ConfigError:
    return fail(
        key("step"),
        f"a divisor of `high - low` = {width!r}",
        step,
        f"The values on step {step!r} from {low!r} stop at {last!r}, so the "
        f"effective range would be [{low!r}, {last!r}]; set `high` to {last!r} or "
        f"choose a step that divides {width!r}.",
    )


def _step_too_large(step: Any, width: Any) -> ConfigError:
    return fail(
        key("step"),
        f"at most `high - low` = {width!r}",
        step,
        "Choose a smaller step or widen the range.",
    )


class Float(Param):
    """A real-valued parameter on [low, high].

    Values are uniform on [low, high]; log-uniform (uniform in log space) with
    `log=True`; with `step`, the values low, low + step, ..., high, each equally
    likely. Stepped values are computed in decimal arithmetic, so a 0.1 step
    gives 0.3 rather than 0.30000000000000004.

    Example:
        >>> Float(1e-5, 1e-1, log=True)
        Float(1e-05, 0.1, log=True)

    Args:
        low: Lower bound, included; a finite number, > 0 when `log` is true.
        high: Upper bound, included; a finite number greater than `low`.
        log: Sample uniformly in log space. Defaults to False. Cannot be
            combined with `step`.
        step: Spacing of the allowed values, > 0, or None (the default) for a
            continuous range. Must divide `high - low` (relative tolerance 1e-9).
        when: Condition under which the parameter is active: a mapping from a
            parent parameter's name to one value or a list of values of that
            parent. Several parents must all match. None (the default) means
            always active.
        grid: Values that grid search tries instead of evenly spaced points,
            each inside the domain and distinct. None (the default) means evenly
            spaced points.

    Raises:
        ConfigError: If a bound is not a finite number, `low >= high`, `log` is
            set with `low <= 0` or together with `step`, `step` is not positive
            or does not divide the range, or a `grid` value lies outside the
            domain or repeats.
    """

    kind = "float"

    def __init__(
        self,
        low: float,
        high: float,
        *,
        log: bool = False,
        step: float | None = None,
        when: Mapping[str, Any] | None = None,
        grid: Sequence[float] | None = None,
    ) -> None:
        super().__init__(when)
        _check_bounds(low, high, integer=False)
        self._low = float(low)
        self._high = float(high)
        self._log = _check_log(log, self._low)

        self._step: float | None = None
        self._n_steps = 0
        if step is not None:
            self._step, self._n_steps = self._check_step(step)

        self._grid = _check_grid(self, grid)

    @property
    def low(self) -> float:
        """Lower bound, included."""
        return self._low

    @property
    def high(self) -> float:
        """Upper bound, included."""
        return self._high

    @property
    def log(self) -> bool:
        """Whether values are log-uniform."""
        return self._log

    @property
    def step(self) -> float | None:
        """Spacing of the allowed values, or None for a continuous range."""
        return self._step

    @property
    def grid(self) -> tuple[float, ...] | None:
        """User-given grid values, or None for evenly spaced points."""
        return self._grid

    def contains(self, value: Any) -> bool:
        """Tell whether `value` is a number in [low, high] and on the step."""
        if not _is_real(value):
            return False

        number = float(value)
        if not self._low <= number <= self._high:
            return False

        if self._step is None:
            return True
        nearest = self._value_at(self._step_index(number))
        return math.isclose(
            number, nearest, rel_tol=_STEP_RTOL, abs_tol=_STEP_RTOL * self._step
        )

    def grid_values(self, n_points: int) -> list[float]:
        """Return the grid values; see `Param.grid_values`."""
        n_points = _check_n_points(n_points)
        if self._grid is not None:
            return list(self._grid)

        positions = _unit_positions(n_points)
        if self._step is None:
            return _unique(self._grid_point(t) for t in positions)

        indices = _unique(
            self._step_index(self._continuous(float(t))) for t in positions
        )
        return [self._value_at(k) for k in indices]

    def to_dict(self) -> dict[str, Any]:
        """Return the canonical spec; see `Param.to_dict`."""
        spec: dict[str, Any] = {"type": "float", "low": self._low, "high": self._high}
        if self._log:
            spec["log"] = True
        if self._step is not None:
            spec["step"] = self._step
        if self._grid is not None:
            spec["grid"] = list(self._grid)
        return spec | self._when_dict()

    def _check_step(self, step: Any) -> tuple[float, int]:
        check_real(
            key("step"),
            step,
            low=0.0,
            low_open=True,
            hint="Use a positive step, or leave `step` unset for a continuous range.",
        )
        if self._log:
            raise fail(
                key("step"),
                "unset when `log` is true",
                step,
                "Log-spaced values have no even step; drop `step` or set `log` to "
                "false.",
            )

        width = self._decimal(self._high) - self._decimal(self._low)
        ratio = width / self._decimal(step)
        n_steps = int(ratio.to_integral_value())
        if n_steps >= 1 and math.isclose(float(ratio), n_steps, rel_tol=_STEP_RTOL):
            return float(step), n_steps

        if ratio < 1:
            raise _step_too_large(step, float(width))
        last = float(self._decimal(self._low) + int(ratio) * self._decimal(step))
        raise _step_misfit(self._low, step, last, float(width))

    @staticmethod
    def _decimal(x: float) -> Decimal:
        # Through str() so 0.1 is the decimal 0.1, not its binary approximation.
        return Decimal(str(x))

    def _value_at(self, k: int) -> float:
        if k >= self._n_steps:
            return self._high

        assert self._step is not None  # only stepped ranges call this
        value = self._decimal(self._low) + k * self._decimal(self._step)
        return min(float(value), self._high)

    def _step_index(self, value: float) -> int:
        assert self._step is not None  # only stepped ranges call this
        k = _round_half_up((value - self._low) / self._step)
        return min(max(k, 0), self._n_steps)

    def _continuous(self, t: float) -> float:
        # The end points are returned exactly: exp(log(x)) and low + (high - low)
        # can each miss them by a rounding step.
        if t <= 0.0:
            return self._low
        if t >= 1.0:
            return self._high

        if self._log:
            # Base 10 makes whole decades exact: 10 ** -3.0 is 0.001.
            log_low, log_high = math.log10(self._low), math.log10(self._high)
            value = 10.0 ** (log_low + t * (log_high - log_low))
        else:
            value = self._low + t * (self._high - self._low)
        return min(max(value, self._low), self._high)

    def _grid_point(self, t: Fraction) -> float:
        if self._log or t in (0, 1):
            return self._continuous(float(t))

        # Decimal arithmetic keeps points such as 0.9 clean for display; a float
        # sum would give 0.8999999999999999.
        width = self._decimal(self._high) - self._decimal(self._low)
        exact = self._decimal(self._low) + width * t.numerator / t.denominator
        return min(max(float(exact), self._low), self._high)

    def _from_unit(self, u: float) -> float:
        if self._step is None:
            return self._continuous(u)
        return self._value_at(_unit_index(u, self._n_steps + 1))

    def _to_unit(self, value: Any) -> float:
        number = float(value)
        if self._step is not None:
            return (self._step_index(number) + 0.5) / (self._n_steps + 1)

        if self._log:
            log_low = math.log10(self._low)
            return (math.log10(number) - log_low) / (math.log10(self._high) - log_low)
        return (number - self._low) / (self._high - self._low)

    @property
    def unit_bins(self) -> int | None:
        """Number of steps + 1 for a stepped range, else None (continuous)."""
        return None if self._step is None else self._n_steps + 1

    def _describe(self) -> str:
        text = f"a number in [{self._low!r}, {self._high!r}]"
        if self._step is not None:
            return f"{text} on step {self._step!r} from {self._low!r}"
        return f"{text} (log scale)" if self._log else text

    def _repr_args(self) -> list[str]:
        args = [repr(self._low), repr(self._high)]
        if self._log:
            args.append("log=True")
        if self._step is not None:
            args.append(f"step={self._step!r}")
        if self._grid is not None:
            args.append(f"grid={list(self._grid)!r}")
        return args


class Int(Param):
    """An integer parameter on [low, high], both included.

    Values on the step grid low, low + step, ..., high are equally likely. With
    `log=True` they are log-uniform instead: a draw uniform in log space over
    [low - 0.5, high + 0.5] is rounded to the nearest integer, so each integer
    gets the log-width of the unit interval around it. Values are always Python
    `int`.

    Example:
        >>> Int(16, 256, log=True)
        Int(16, 256, log=True)

    Args:
        low: Lower bound, included; an integer, >= 1 when `log` is true.
        high: Upper bound, included; an integer greater than `low`.
        log: Sample log-uniformly. Defaults to False. Requires `step == 1`.
        step: Spacing of the allowed values, an integer >= 1 that divides
            `high - low`. Defaults to 1.
        when: Condition under which the parameter is active, as for `Float`.
            None (the default) means always active.
        grid: Values that grid search tries instead of evenly spaced points,
            each inside the domain and distinct. None (the default) means evenly
            spaced points.

    Raises:
        ConfigError: If a bound is not an integer, `low >= high`, `log` is set
            with `low <= 0` or a step other than 1, `step` is not a positive
            integer or does not divide the range, or a `grid` value lies outside
            the domain or repeats.
    """

    kind = "int"

    def __init__(
        self,
        low: int,
        high: int,
        *,
        log: bool = False,
        step: int = 1,
        when: Mapping[str, Any] | None = None,
        grid: Sequence[int] | None = None,
    ) -> None:
        super().__init__(when)
        _check_bounds(low, high, integer=True)
        self._low = int(low)
        self._high = int(high)
        self._log = _check_log(log, self._low)
        self._step = self._check_step(step)
        self._n_steps = (self._high - self._low) // self._step
        self._grid = _check_grid(self, grid)

    @property
    def low(self) -> int:
        """Lower bound, included."""
        return self._low

    @property
    def high(self) -> int:
        """Upper bound, included."""
        return self._high

    @property
    def log(self) -> bool:
        """Whether values are log-uniform."""
        return self._log

    @property
    def step(self) -> int:
        """Spacing of the allowed values."""
        return self._step

    @property
    def grid(self) -> tuple[int, ...] | None:
        """User-given grid values, or None for evenly spaced points."""
        return self._grid

    def contains(self, value: Any) -> bool:
        """Tell whether `value` is an integer in [low, high] on the step."""
        if not isinstance(value, numbers.Integral) or isinstance(value, bool):
            return False

        number = int(value)
        in_range = self._low <= number <= self._high
        return in_range and (number - self._low) % self._step == 0

    def grid_values(self, n_points: int) -> list[int]:
        """Return the grid values; see `Param.grid_values`."""
        n_points = _check_n_points(n_points)
        if self._grid is not None:
            return list(self._grid)

        positions = _unit_positions(n_points)
        return _unique(self._snap(self._continuous(float(t))) for t in positions)

    def to_dict(self) -> dict[str, Any]:
        """Return the canonical spec; see `Param.to_dict`."""
        spec: dict[str, Any] = {"type": "int", "low": self._low, "high": self._high}
        if self._log:
            spec["log"] = True
        if self._step != 1:
            spec["step"] = self._step
        if self._grid is not None:
            spec["grid"] = list(self._grid)
        return spec | self._when_dict()

    def _check_step(self, step: Any) -> int:
        checked = check_int(
            key("step"),
            step,
            low=1,
            hint="Use a positive integer step; 1 is the default.",
        )
        assert checked is not None  # allow_none is off, so check_int returned a value

        if self._log and checked != 1:
            raise fail(
                key("step"),
                "1 when `log` is true",
                step,
                "Log-spaced integers have no even step; drop `step` or set `log` to "
                "false.",
            )

        width = self._high - self._low
        if checked > width:
            raise _step_too_large(step, width)
        if width % checked:
            raise _step_misfit(self._low, step, self._high - width % checked, width)
        return checked

    def _log_edges(self) -> tuple[float, float]:
        return math.log(self._low - 0.5), math.log(self._high + 0.5)

    def _continuous(self, t: float) -> float:
        if self._log:
            log_low, log_high = math.log10(self._low), math.log10(self._high)
            return 10.0 ** (log_low + t * (log_high - log_low))
        return self._low + t * (self._high - self._low)

    def _snap(self, x: float) -> int:
        k = _round_half_up((x - self._low) / self._step)
        return self._low + min(max(k, 0), self._n_steps) * self._step

    def _from_unit(self, u: float) -> int:
        if not self._log:
            return self._low + _unit_index(u, self._n_steps + 1) * self._step

        log_low, log_high = self._log_edges()
        value = _round_half_up(math.exp(log_low + u * (log_high - log_low)))
        return min(max(value, self._low), self._high)

    def _to_unit(self, value: Any) -> float:
        number = int(value)
        if not self._log:
            return ((number - self._low) // self._step + 0.5) / (self._n_steps + 1)

        log_low, log_high = self._log_edges()
        return (math.log(number) - log_low) / (log_high - log_low)

    @property
    def unit_bins(self) -> int | None:
        """Number of values for a linear range; None on a log scale."""
        return None if self._log else self._n_steps + 1

    def _describe(self) -> str:
        text = f"an integer in [{self._low}, {self._high}]"
        if self._step != 1:
            return f"{text} on step {self._step} from {self._low}"
        return f"{text} (log scale)" if self._log else text

    def _repr_args(self) -> list[str]:
        args = [repr(self._low), repr(self._high)]
        if self._log:
            args.append("log=True")
        if self._step != 1:
            args.append(f"step={self._step!r}")
        if self._grid is not None:
            args.append(f"grid={list(self._grid)!r}")
        return args


class Categorical(Param):
    """A parameter that takes one of a list of choices, each equally likely.

    Choices may be any JSON values: strings, numbers, bools, None, and lists or
    dicts of those. A sampled value is the choice object itself, with its Python
    type kept (True stays a bool, 1 stays an int). Choices are told apart by
    their JSON text, so True, 1 and 1.0 are three different choices.

    Example:
        >>> Categorical(["sgd", "adam"])
        Categorical(['sgd', 'adam'])

    Args:
        choices: The values, in the order grid search tries them; at least one,
            all distinct. Numpy scalars are stored as the Python scalar.
        when: Condition under which the parameter is active, as for `Float`.
            None (the default) means always active.

    Raises:
        ConfigError: If `choices` is not a non-empty list, a choice is not a
            JSON value (a tuple, a set, NaN or another object), or two choices
            are equal.
    """

    kind = "categorical"

    def __init__(
        self, choices: Sequence[Any], *, when: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(when)
        self._choices = self._check_choices(choices)
        self._keys = tuple(canonical(c) for c in self._choices)
        self._check_distinct()

    @property
    def choices(self) -> tuple[Any, ...]:
        """The choices, in the given order."""
        return self._choices

    def contains(self, value: Any) -> bool:
        """Tell whether `value` is one of the choices (compared as JSON)."""
        try:
            return canonical(plain(value)) in self._keys
        except (TypeError, ValueError):
            return False

    def grid_values(self, n_points: int) -> list[Any]:
        """Return every choice; `n_points` is checked but otherwise ignored."""
        _check_n_points(n_points)
        return list(self._choices)

    def to_dict(self) -> dict[str, Any]:
        """Return the canonical spec; see `Param.to_dict`."""
        choices = copy.deepcopy(list(self._choices))
        return {"type": "categorical", "choices": choices} | self._when_dict()

    def _check_choices(self, choices: Any) -> tuple[Any, ...]:
        if isinstance(choices, np.ndarray):
            choices = choices.tolist()

        is_list = isinstance(choices, Sequence) and not isinstance(choices, str | bytes)
        if not is_list or not choices:
            raise fail(
                key("choices"),
                "a non-empty list",
                choices,
                "List the values to choose from, e.g. ['sgd', 'adam'].",
            )
        return tuple(
            _json_value(key(f"choices[{i}]"), c) for i, c in enumerate(choices)
        )

    def _check_distinct(self) -> None:
        for i, text in enumerate(self._keys):
            if text in self._keys[:i]:
                raise fail(
                    key("choices"),
                    "a list of distinct values",
                    list(self._choices),
                    f"The value {self._choices[i]!r} appears more than once; "
                    "remove the repeats.",
                )

    def _from_unit(self, u: float) -> Any:
        return self._choices[_unit_index(u, len(self._choices))]

    def _to_unit(self, value: Any) -> float:
        index = self._keys.index(canonical(value))
        return (index + 0.5) / len(self._choices)

    @property
    def unit_bins(self) -> int | None:
        """The number of choices."""
        return len(self._choices)

    @property
    def is_categorical(self) -> bool:
        """Always True: choices are unordered."""
        return True

    def _describe(self) -> str:
        return "one of " + ", ".join(repr(c) for c in self._choices)

    def _repr_args(self) -> list[str]:
        return [repr(list(self._choices))]


def _check_n_points(n_points: Any) -> int:
    checked = check_int(
        "n_points", n_points, low=1, hint="Ask for at least one point per parameter."
    )
    assert checked is not None  # allow_none is off, so check_int returned a value
    return checked


def _check_grid(param: Float | Int, grid: Any) -> Any:
    if grid is None:
        return None

    if isinstance(grid, np.ndarray):
        grid = grid.tolist()
    if not isinstance(grid, Sequence) or isinstance(grid, str) or not grid:
        raise fail(
            key("grid"),
            "a non-empty list of values",
            grid,
            "List the values grid search should try, or leave `grid` unset.",
        )

    values = tuple(_grid_value(param, i, v) for i, v in enumerate(grid))
    if len(set(values)) != len(values):
        raise fail(
            key("grid"),
            "a list of distinct values",
            list(grid),
            "Remove the repeats, so grid search tries each value once.",
        )
    return values


def _grid_value(param: Float | Int, index: int, value: Any) -> Any:
    value = plain(value)
    if not param.contains(value):
        raise fail(
            key(f"grid[{index}]"),
            param._describe(),
            value,
            "Every grid value must lie in the parameter's domain.",
        )
    return float(value) if isinstance(param, Float) else int(value)
