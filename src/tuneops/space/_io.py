"""Reading search spaces from dicts, YAML and JSON, with errors that name the key."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from tuneops._internal._errors import ConfigError
from tuneops._internal._validation import fail
from tuneops.space._params import Categorical, Float, Int, Param, key_prefix

_NUMERIC_KEYS = ("type", "low", "high", "log", "step", "grid", "when")
_ALLOWED_KEYS: dict[str, tuple[str, ...]] = {
    "float": _NUMERIC_KEYS,
    "int": _NUMERIC_KEYS,
    "categorical": ("type", "choices", "when"),
}
_REQUIRED_KEYS: dict[str, tuple[str, ...]] = {
    "float": ("low", "high"),
    "int": ("low", "high"),
    "categorical": ("choices",),
}
_FILE_FORMATS = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}


@contextmanager
def reporting(source: str | None) -> Iterator[None]:
    """Prefix the message of any ConfigError raised inside the block with `source`."""
    try:
        yield
    except ConfigError as err:
        if source is None:
            raise
        raise ConfigError(f"{source}: {err}") from None


def read_file(path: str | os.PathLike[str]) -> tuple[str, str]:
    """Return the text of a space file and its format, "yaml" or "json"."""
    source = os.fspath(path)
    file_format = _FILE_FORMATS.get(Path(source).suffix.lower())
    if file_format is None:
        raise fail(
            "path",
            "a file ending in .yaml, .yml or .json",
            source,
            "Rename the file, or read it yourself and call Space.from_dict.",
        )

    try:
        return Path(source).read_text(encoding="utf-8"), file_format
    except (OSError, UnicodeDecodeError) as err:
        reason = getattr(err, "strerror", None) or str(err)
        raise fail(
            "path",
            "a readable UTF-8 text file",
            source,
            f"Reading it failed ({reason}); check the path and its permissions.",
        ) from err


def parse_yaml(text: str, source: str | None) -> Any:
    """Parse YAML text with the safe loader, turning syntax errors into ConfigError."""
    _check_text(text)
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = "" if mark is None else f" at line {mark.line + 1}, column "
        where += "" if mark is None else f"{mark.column + 1}"
        problem = getattr(err, "problem", None) or "unreadable YAML"
        raise ConfigError(
            f"{source or 'The YAML text'}: the text must be valid YAML; got a syntax "
            f"error{where} ({problem}). Fix the syntax there."
        ) from None


def parse_json(text: str, source: str | None) -> Any:
    """Parse JSON text, turning syntax errors into ConfigError."""
    _check_text(text)
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise ConfigError(
            f"{source or 'The JSON text'}: the text must be valid JSON; got a syntax "
            f"error at line {err.lineno}, column {err.colno} ({err.msg}). Fix the "
            "syntax there."
        ) from None


def _check_text(text: Any) -> None:
    if not isinstance(text, str):
        raise fail(
            "text",
            "a string",
            text,
            "Pass the file's contents; use Space.from_file for a path.",
        )


def parse_params(data: Any) -> tuple[dict[str, Param], str]:
    """Build the parameters of a space spec and return them with their key prefix.

    The spec is a mapping from name to parameter spec, at the top level or under
    a top-level `space:` key (so a whole study file can be read); the prefix is
    "space." in the second case, for error messages.
    """
    prefix = ""
    if _is_study_file(data):
        data, prefix = data["space"], "space."

    if not isinstance(data, Mapping):
        raise fail(
            prefix.rstrip(".") or "space",
            "a mapping from parameter names to their specs",
            data,
            "Write one `name: {type: ..., ...}` entry per parameter.",
        )

    params: dict[str, Param] = {}
    for name, spec in data.items():
        path = f"{prefix}{name}"
        with key_prefix(f"{path}."):
            params[name] = _parse_param(path, spec)
    return params, prefix


def _is_study_file(data: Any) -> bool:
    # A parameter that happens to be called "space" has a string `type`; a nested
    # space does not (unless it has a parameter called "type" given as a list).
    if not isinstance(data, Mapping) or not isinstance(data.get("space"), Mapping):
        return False
    return not isinstance(data["space"].get("type"), str)


def _parse_param(path: str, spec: Any) -> Param:
    if isinstance(spec, list):
        return Categorical(spec)

    if not isinstance(spec, Mapping):
        raise fail(
            path,
            "a mapping with a `type` key, or a list of choices",
            spec,
            "Write for example `{type: float, low: 0.0, high: 1.0}` or `[a, b]`.",
        )

    kind = _check_keys(path, spec)
    if kind == "categorical":
        return Categorical(spec["choices"], when=spec.get("when"))

    settings = {
        k: _coerce_number(spec[k]) for k in ("low", "high", "step") if k in spec
    }
    grid = spec.get("grid")
    if isinstance(grid, list):
        grid = [_coerce_number(value) for value in grid]

    cls = Float if kind == "float" else Int
    return cls(**settings, log=spec.get("log", False), grid=grid, when=spec.get("when"))


def _check_keys(path: str, spec: Mapping[str, Any]) -> str:
    kind = spec.get("type")
    if kind not in _ALLOWED_KEYS:
        raise fail(
            f"{path}.type",
            "one of 'float', 'int', 'categorical'",
            kind,
            "Pick one of these kinds; a bare list is also read as a categorical.",
        )

    allowed = _ALLOWED_KEYS[kind]
    for name in spec:
        if name not in allowed:
            raise ConfigError(
                f"`{path}` has the unknown key {name!r}; a {kind} parameter takes "
                f"only the keys {', '.join(allowed)}. Fix the spelling or remove "
                "the key."
            )

    for name in _REQUIRED_KEYS[kind]:
        if name not in spec:
            raise ConfigError(
                f"`{path}.{name}` is missing; got a {kind} parameter without it. "
                f"Add `{name}` to the spec of `{path}`."
            )
    return str(kind)


def _coerce_number(value: Any) -> Any:
    """Read a numeric string as the number it spells; leave other values alone.

    PyYAML follows YAML 1.1, where `1e-6` (no dot) is a string, not a float; the
    constructors then report anything that is still not a number.
    """
    if not isinstance(value, str):
        return value

    for parse in (int, float):
        try:
            return parse(value.strip())
        except ValueError:
            continue
    return value
