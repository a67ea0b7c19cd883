"""Build searchers and schedulers from their dict specs (``{"type": ..., ...}``)."""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any, TypeVar

from tuneops._internal._errors import ConfigError

T = TypeVar("T")


def from_spec(
    kind: str,
    spec: str | Mapping[str, Any],
    registry: Mapping[str, type[T]],
    source: str | None = None,
) -> T:
    """Instantiate ``registry[spec["type"]]`` with the other keys as arguments.

    Args:
        kind: ``"searcher"`` or ``"scheduler"``, used in messages.
        spec: A type name, or a mapping with a ``type`` key and constructor
            arguments.
        registry: Known type names and their classes.
        source: Where the spec came from (a file name), for messages.
    """
    where = f"{source}: " if source else ""
    known = ", ".join(sorted(registry))
    if isinstance(spec, str):
        spec = {"type": spec}
    if not isinstance(spec, Mapping) or "type" not in spec:
        raise ConfigError(
            f"{where}`{kind}` must be a type name or a mapping with a `type` key "
            f"(one of {known}); got {spec!r}."
        )
    kwargs = {k: v for k, v in spec.items() if k != "type"}
    name = spec["type"]
    if name not in registry:
        raise ConfigError(f"{where}`{kind}.type` must be one of {known}; got {name!r}.")
    cls = registry[name]
    _check_keywords(kind, name, cls, kwargs, where)
    return cls(**kwargs)


def _check_keywords(
    kind: str, name: str, cls: type, kwargs: Mapping[str, Any], where: str
) -> None:
    accepted = [
        p
        for p in inspect.signature(cls).parameters
        if p not in ("self", "args", "kwargs")
    ]
    unknown = sorted(set(kwargs) - set(accepted))
    if unknown:
        raise ConfigError(
            f"{where}`{kind}` of type {name!r} does not take "
            f"{', '.join(repr(u) for u in unknown)}; it takes "
            f"{', '.join(repr(a) for a in accepted) or 'no settings'}."
        )
