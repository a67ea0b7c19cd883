"""The search space: named parameters, their conditions, sampling and grids."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import yaml

from tuneops._internal._errors import ConfigError
from tuneops._internal._validation import check_int, fail
from tuneops.space import _io
from tuneops.space._params import Param, key, key_prefix, same_value

Config = dict[str, Any]


class Space:
    """A set of named hyperparameters, some active only under conditions.

    A config (one point of the space) is a dict from parameter name to value
    that holds exactly the active parameters: a parameter with a `when`
    condition is active only when every parent it names is active and takes
    one of the listed values; an inactive parameter is absent, not None.

    The space keeps the given order for display and for the keys of the
    configs it returns, and samples and enumerates in dependency order
    (parents before children). Two spaces are equal when they hold equal
    parameters under the same names, in any order.

    Example:
        >>> space = Space({
        ...     "optimizer": Categorical(["sgd", "adam"]),
        ...     "momentum": Float(0.85, 0.95, when={"optimizer": "sgd"}),
        ... })
        >>> space.grid_size(3)
        4

    Args:
        params: Mapping from parameter name (a non-empty string) to `Param`.
            The space stores a named copy of each parameter; the objects you
            pass are not changed.

    Raises:
        ConfigError: If a name is not a non-empty string, a value is not a
            `Param`, a condition names a parameter that is not in the space or
            a value its parent cannot take, or the conditions form a cycle.
    """

    def __init__(self, params: Mapping[str, Param]) -> None:
        if not isinstance(params, Mapping):
            raise fail(
                key("params"),
                "a mapping from parameter names to Float, Int or Categorical",
                params,
                "Write for example Space({'lr': Float(1e-5, 1e-1, log=True)}).",
            )

        self._params = {name: _named(name, p) for name, p in params.items()}
        self._conditions = {n: p.when or {} for n, p in self._params.items()}
        self._check_conditions()
        self._order = self._dependency_order()

    @property
    def names(self) -> tuple[str, ...]:
        """The parameter names, in the given order."""
        return tuple(self._params)

    def __len__(self) -> int:
        """Return the number of parameters."""
        return len(self._params)

    def __getitem__(self, name: str) -> Param:
        """Return the parameter called `name`; raise KeyError if there is none."""
        return self._params[name]

    def __iter__(self) -> Iterator[str]:
        """Iterate over the parameter names, in the given order."""
        return iter(self._params)

    def __contains__(self, name: object) -> bool:
        """Tell whether the space has a parameter called `name`."""
        return name in self._params

    def __eq__(self, other: object) -> bool:
        """Compare names and parameters; the order does not count."""
        if not isinstance(other, Space):
            return NotImplemented
        return self._params == other._params

    def __repr__(self) -> str:
        """Return the constructor call that rebuilds an equal space."""
        return f"Space({self._params!r})"

    def sample(self, rng: np.random.Generator) -> Config:
        """Draw one config, parents first so conditions see their values.

        Args:
            rng: The random generator to draw from, e.g.
                `numpy.random.default_rng(seed)`. The same seed gives the same
                configs.

        Returns:
            The active parameters and their values, in the space's given order.

        Raises:
            ConfigError: If `rng` is not a `numpy.random.Generator`.
        """
        config: Config = {}
        for name in self._order:
            if self._active(name, config):
                config[name] = self._params[name].sample(rng)
        return self._in_given_order(config)

    def from_unit(self, u: Sequence[float] | np.ndarray) -> Config:
        """Build the config at a point of the unit cube, one coordinate per parameter.

        Coordinate `i` belongs to `names[i]`; the coordinates of parameters that
        turn out inactive are ignored. Quasi-random and model-based searchers
        work in this cube, so they all share one encoding of the space.

        Args:
            u: `len(self)` positions in [0, 1] (see `Param.from_unit`).

        Returns:
            The active parameters and their values, in the space's given order.

        Raises:
            ConfigError: If `u` has the wrong length or a position outside [0, 1].
        """
        if len(u) != len(self._params):
            raise fail(
                "u",
                f"{len(self._params)} unit positions, one per parameter",
                f"{len(u)} positions",
                "Pass one coordinate per name in `space.names`.",
            )
        index = {name: i for i, name in enumerate(self._params)}
        config: Config = {}
        for name in self._order:
            if self._active(name, config):
                config[name] = self._params[name].from_unit(float(u[index[name]]))
        return self._in_given_order(config)

    def to_unit(self, config: Mapping[str, Any]) -> np.ndarray:
        """Map a config to the unit cube; inactive parameters become NaN.

        Args:
            config: A config of this space.

        Returns:
            A float array of `len(self)` positions in `names` order.

        Raises:
            ConfigError: If a value lies outside its parameter's domain.
        """
        return np.array(
            [
                self._params[name].to_unit(config[name]) if name in config else np.nan
                for name in self._params
            ],
            dtype=float,
        )

    def is_active(self, name: str, config: Mapping[str, Any]) -> bool:
        """Tell whether parameter `name` is active given the values in `config`.

        Args:
            name: A parameter of this space.
            config: Values of (at least) the parameter's ancestors.

        Returns:
            True when every condition on the way up holds; a parent missing
            from `config` counts as inactive.

        Raises:
            ConfigError: If `name` is not a parameter of this space.
        """
        if name not in self._params:
            raise fail(
                "name",
                f"a parameter of this space ({', '.join(self._params)})",
                name,
                "Check the spelling.",
            )
        return self._active(name, config)

    def validate(self, config: Mapping[str, Any]) -> None:
        """Check that `config` is a point of this space.

        Args:
            config: Mapping from parameter name to value.

        Raises:
            ConfigError: Naming the parameter, if `config` has a key that is not
                a parameter, lacks an active parameter, holds an inactive one, or
                holds a value outside its parameter's domain.
        """
        if not isinstance(config, Mapping):
            raise fail(
                "config",
                "a mapping from parameter names to values",
                config,
                "Pass a dict such as the ones Space.sample returns.",
            )

        for name in config:
            if name not in self._params:
                raise fail(
                    "config",
                    f"keyed by parameters of this space ({', '.join(self._params)})",
                    name,
                    "Remove the key or add a parameter of that name to the space.",
                )

        for name in self._order:
            self._check_entry(name, config)

    def contains(self, config: Mapping[str, Any]) -> bool:
        """Tell whether `config` is a point of this space; see `validate`."""
        try:
            self.validate(config)
        except ConfigError:
            return False
        return True

    def grid(self, n_points: int = 5) -> list[Config]:
        """Enumerate the grid: every combination of the parameters' grid values.

        Conditional parameters are expanded only where they are active, so no
        point holds an inactive parameter and each active combination appears
        exactly once.

        Args:
            n_points: Points per numeric parameter without a user `grid`, >= 1;
                see `Param.grid_values`. Defaults to 5.

        Returns:
            The configs, keys in the space's given order.

        Raises:
            ConfigError: If `n_points` is not an integer >= 1.
        """
        values = self._grid_values(n_points)

        points: list[Config] = [{}]
        for name in self._order:
            points = self._expand(points, name, values[name])
        return [self._in_given_order(point) for point in points]

    def grid_size(self, n_points: int = 5) -> int:
        """Count the points of `grid(n_points)` without building them all.

        Only the parameters that other conditions name are expanded; every
        other parameter multiplies the count where it is active.

        Args:
            n_points: As for `grid`. Defaults to 5.

        Returns:
            `len(self.grid(n_points))`.

        Raises:
            ConfigError: If `n_points` is not an integer >= 1.
        """
        values = self._grid_values(n_points)
        parents = {p for condition in self._conditions.values() for p in condition}

        partials: list[Config] = [{}]
        for name in self._order:
            if name in parents:
                partials = self._expand(partials, name, values[name])

        leaves = [name for name in self._order if name not in parents]
        return sum(self._leaf_combinations(p, leaves, values) for p in partials)

    def to_dict(self) -> dict[str, dict[str, Any]]:
        """Return the canonical spec: parameter name to `Param.to_dict()`."""
        return {name: param.to_dict() for name, param in self._params.items()}

    def to_yaml(self) -> str:
        """Return the spec as YAML text, one parameter per entry, order kept."""
        return yaml.safe_dump(
            self.to_dict(), sort_keys=False, default_flow_style=None, allow_unicode=True
        )

    def to_json(self) -> str:
        """Return the spec as JSON text, indented by 2 spaces, order kept."""
        return json.dumps(self.to_dict(), indent=2) + "\n"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str | None = None) -> Space:
        """Build a space from its spec, as written by `to_dict` or by hand.

        Each entry maps a name to a spec with a `type` of float, int or
        categorical and that kind's settings (`low`, `high`, `log`, `step`,
        `grid`, `when`; or `choices`, `when`); a bare list is read as a
        categorical. Numeric strings such as "1e-6" are read as numbers. The
        entries may also sit under a top-level `space:` key.

        Args:
            data: The spec.
            source: Where the spec came from, e.g. a file name; prefixed to
                error messages. Defaults to None (no prefix).

        Returns:
            The space.

        Raises:
            ConfigError: If the spec is malformed; the message names the key
                path, e.g. "`lr.low` must be ...", after the source.
        """
        with _io.reporting(source):
            params, prefix = _io.parse_params(data)
            with key_prefix(prefix):
                return cls(params)

    @classmethod
    def from_yaml(cls, text: str, source: str | None = None) -> Space:
        """Build a space from YAML text; see `from_dict` for the format.

        Args:
            text: The YAML document.
            source: Prefix for error messages, e.g. a file name. Defaults to None.

        Raises:
            ConfigError: If the text is not valid YAML or the spec is malformed.
        """
        return cls.from_dict(_io.parse_yaml(text, source), source)

    @classmethod
    def from_json(cls, text: str, source: str | None = None) -> Space:
        """Build a space from JSON text; see `from_dict` for the format.

        Args:
            text: The JSON document.
            source: Prefix for error messages, e.g. a file name. Defaults to None.

        Raises:
            ConfigError: If the text is not valid JSON or the spec is malformed.
        """
        return cls.from_dict(_io.parse_json(text, source), source)

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> Space:
        """Read a space from a `.yaml`, `.yml` or `.json` file.

        Args:
            path: The file; its name, as given, prefixes error messages.

        Raises:
            ConfigError: If the file cannot be read, has another extension, or
                holds a malformed spec.
        """
        text, file_format = _io.read_file(path)
        if file_format == "json":
            return cls.from_json(text, os.fspath(path))
        return cls.from_yaml(text, os.fspath(path))

    def _check_conditions(self) -> None:
        for name, condition in self._conditions.items():
            for parent, allowed in condition.items():
                self._check_condition(name, parent, allowed)

    def _check_condition(
        self, name: str, parent: str, allowed: tuple[Any, ...]
    ) -> None:
        if parent not in self._params:
            raise fail(
                key(f"{name}.when"),
                f"keyed by parameters of this space ({', '.join(self._params)})",
                parent,
                "Fix the parameter name, or add that parameter to the space.",
            )

        parent_param = self._params[parent]
        for value in allowed:
            if not parent_param.contains(value):
                raise fail(
                    key(f"{name}.when.{parent}"),
                    f"values that `{parent}` can take, {parent_param._describe()}",
                    value,
                    f"Use values from the domain of `{parent}`.",
                )

    def _dependency_order(self) -> tuple[str, ...]:
        # Waves of parameters whose parents are all placed; within a wave the
        # given order is kept, so an unconditional space keeps its order.
        order: list[str] = []
        remaining = list(self._params)
        while remaining:
            ready = [n for n in remaining if set(self._conditions[n]) <= set(order)]
            if not ready:
                raise self._cycle_error(remaining)
            order.extend(ready)
            remaining = [n for n in remaining if n not in ready]
        return tuple(order)

    def _cycle_error(self, remaining: list[str]) -> ConfigError:
        # Every remaining parameter waits on another remaining one, so following
        # those parents must come back to a parameter already on the path.
        path = [remaining[0]]
        while path.count(path[-1]) < 2:
            waits_on = [p for p in self._conditions[path[-1]] if p in remaining]
            path.append(waits_on[0])

        cycle = path[path.index(path[-1]) :]
        return fail(
            key(f"{cycle[0]}.when"),
            "free of cycles",
            " -> ".join(cycle),
            "Each arrow points from a parameter to a parent its `when` names; a "
            "parameter cannot depend on itself, so remove one of these conditions.",
        )

    def _active(self, name: str, config: Mapping[str, Any]) -> bool:
        for parent, allowed in self._conditions[name].items():
            if parent not in config or not self._active(parent, config):
                return False
            if not any(same_value(config[parent], v) for v in allowed):
                return False
        return True

    def _inactive_reason(self, name: str, config: Mapping[str, Any]) -> str:
        for parent, allowed in self._conditions[name].items():
            if parent not in config or not self._active(parent, config):
                return f"its parent `{parent}` is inactive"
            if not any(same_value(config[parent], v) for v in allowed):
                listed = ", ".join(repr(v) for v in allowed)
                return f"`{parent}` is {config[parent]!r}, not one of {listed}"
        return "its conditions do not hold"

    def _check_entry(self, name: str, config: Mapping[str, Any]) -> None:
        param = self._params[name]
        active = self._active(name, config)
        if active and name not in config:
            raise ConfigError(
                f"`{name}` must be in the config because it is active; got no "
                f"value. Add {param._describe()}."
            )

        if not active and name in config:
            raise fail(
                name,
                f"absent because {self._inactive_reason(name, config)}",
                config[name],
                "Remove it from the config.",
            )

        if name in config and not param.contains(config[name]):
            raise fail(
                name, param._describe(), config[name], "Pick a value inside the domain."
            )

    def _grid_values(self, n_points: int) -> dict[str, list[Any]]:
        check_int("n_points", n_points, low=1, hint="Ask for at least one point.")
        return {n: p.grid_values(n_points) for n, p in self._params.items()}

    def _expand(
        self, points: list[Config], name: str, values: list[Any]
    ) -> list[Config]:
        expanded: list[Config] = []
        for point in points:
            if self._active(name, point):
                expanded.extend({**point, name: value} for value in values)
            else:
                expanded.append(point)
        return expanded

    def _leaf_combinations(
        self, partial: Config, leaves: list[str], values: dict[str, list[Any]]
    ) -> int:
        count = 1
        for name in leaves:
            if self._active(name, partial):
                count *= len(values[name])
        return count

    def _in_given_order(self, config: Config) -> Config:
        return {name: config[name] for name in self._params if name in config}


def _named(name: Any, param: Any) -> Param:
    if not isinstance(name, str) or not name:
        raise fail(
            key("params"),
            "keyed by non-empty strings",
            name,
            "Name every parameter with a string, e.g. 'lr'.",
        )

    if not isinstance(param, Param):
        raise fail(
            key(name),
            "a Float, Int or Categorical",
            param,
            "Wrap the value in one of these, e.g. Categorical([...]) for a list.",
        )
    return param._with_name(name)
