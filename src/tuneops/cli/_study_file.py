"""Read a study file: the YAML that names the objective, space and budget."""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tuneops._internal._errors import ConfigError
from tuneops._internal._validation import check_int, check_real
from tuneops.schedulers import Scheduler, scheduler_from_spec
from tuneops.searchers import Searcher, searcher_from_spec
from tuneops.space import Space
from tuneops.storage import DEFAULT_STORAGE
from tuneops.study._objective_import import import_file

_KEYS = {
    "name": "the study's unique name",
    "objective": "`module:function` or `path/to/file.py:function`",
    "objective_args": "keyword arguments passed to the objective after the trial",
    "space": "the search space, inline or a path to a space file",
    "metric": "the metric to optimize (default `value`)",
    "direction": "`minimize` (default) or `maximize`",
    "searcher": "e.g. `random` or {type: grid, n_points: 5}",
    "scheduler": "e.g. `fifo` or {type: hyperband, min_resource: 1, max_resource: 81}",
    "n_trials": "trials the study should hold in all (a resumed run does the rest)",
    "timeout": "seconds after which no new evaluation starts",
    "seed": "the study seed",
    "storage": "a database URL (default sqlite:///tuneops.db)",
    "seed_everything": "seed random, numpy and torch with each trial's seed "
    "(default true)",
    "capture_output": "write what the objective prints and logs to the trial's "
    "log file (default true)",
}


@dataclass
class StudyFile:
    """A parsed study file; relative paths are resolved against its folder."""

    path: Path
    name: str
    objective: Callable[..., Any]
    objective_ref: str
    space: Space
    metric: str = "value"
    direction: str = "minimize"
    searcher: Searcher | None = None
    scheduler: Scheduler | None = None
    n_trials: int | None = None
    timeout: float | None = None
    seed: int | None = None
    storage: str = DEFAULT_STORAGE
    objective_args: dict[str, Any] = field(default_factory=dict)
    seed_everything: bool = True
    capture_output: bool = True


def read_study_file(path: str | Path) -> StudyFile:
    """Parse and check a study file; raise `ConfigError` naming file and key."""
    path = Path(path)
    data = _load_yaml(path)
    where = str(path)
    unknown = sorted(set(data) - set(_KEYS))
    if unknown:
        raise ConfigError(
            f"{where}: unknown key(s) {', '.join(map(repr, unknown))}; a study file "
            f"takes {', '.join(_KEYS)}."
        )
    for required in ("name", "objective", "space"):
        if required not in data:
            raise ConfigError(
                f"{where}: `{required}` is missing; add it ({_KEYS[required]})."
            )
    ref = _string(data, "objective", where)
    return StudyFile(
        path=path,
        name=_string(data, "name", where),
        objective=load_objective(ref, path.parent, where),
        objective_ref=ref,
        space=_space(data["space"], path.parent, where),
        metric=_string(data, "metric", where, "value"),
        direction=_direction(data, where),
        searcher=_spec(data, "searcher", where, searcher_from_spec),
        scheduler=_spec(data, "scheduler", where, scheduler_from_spec),
        n_trials=_in_file(where, check_int, "n_trials", data.get("n_trials"), low=1),
        timeout=_in_file(where, check_real, "timeout", data.get("timeout"), low=0),
        seed=_in_file(where, check_int, "seed", data.get("seed"), low=0),
        storage=_string(data, "storage", where, DEFAULT_STORAGE),
        objective_args=_mapping(data, "objective_args", where),
        seed_everything=_flag(data, "seed_everything", where),
        capture_output=_flag(data, "capture_output", where),
    )


def load_objective(ref: str, base: Path, where: str) -> Callable[..., Any]:
    """Import ``module:function`` or ``file.py:function`` (relative to ``base``)."""
    target, sep, attr = ref.rpartition(":")
    if not sep or not target or not attr:
        raise ConfigError(
            f"{where}: `objective` must look like `module:function` or "
            f"`path/to/file.py:function`; got {ref!r}."
        )
    module = _import_file(target, base, where) if target.endswith(".py") else None
    if module is None:
        module = _import_module(target, base, where)
    function = getattr(module, attr, None)
    if not callable(function):
        raise ConfigError(
            f"{where}: `objective` names {attr!r}, but {target} has no function of "
            "that name; check the spelling."
        )
    return function


def _import_file(target: str, base: Path, where: str) -> Any:
    file = (base / target) if not Path(target).is_absolute() else Path(target)
    if not file.is_file():
        raise ConfigError(
            f"{where}: `objective` points to {file}, which does not exist; paths are "
            "relative to the study file's folder."
        )
    return import_file(file)


def _import_module(target: str, base: Path, where: str) -> Any:
    for folder in (str(Path.cwd()), str(base.resolve())):
        if folder not in sys.path:
            sys.path.insert(0, folder)
    try:
        return importlib.import_module(target)
    except ModuleNotFoundError as exc:
        raise ConfigError(
            f"{where}: `objective` names the module {target!r}, which cannot be "
            f"imported ({exc}); use a path ending in .py, or run from the folder that "
            "holds the module."
        ) from exc


def _load_yaml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise ConfigError(f"{path}: no such file; give the path of a study YAML file.")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = (
            ""
            if mark is None
            else f" at line {mark.line + 1}, column {mark.column + 1}"
        )
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(
            f"{path}: not valid YAML{at}: {problem}; fix the file's syntax."
        ) from exc
    if not isinstance(data, dict):
        raise ConfigError(
            f"{path}: a study file must be a mapping of keys such as name, objective "
            f"and space; got {type(data).__name__}."
        )
    return data


def _space(value: Any, base: Path, where: str) -> Space:
    if isinstance(value, str):
        file = base / value
        if not file.is_file():
            raise ConfigError(
                f"{where}: `space` points to {file}, which does not exist; paths are "
                "relative to the study file's folder."
            )
        return Space.from_file(file)
    if not isinstance(value, Mapping):
        raise ConfigError(
            f"{where}: `space` must be a mapping of parameters or a path to a space "
            f"file; got {value!r}."
        )
    return Space.from_dict(value, source=f"{where}: space")


def _spec(
    data: Mapping[str, Any], key: str, where: str, build: Callable[..., Any]
) -> Any:
    if key not in data:
        return None
    try:
        return build(data[key], source=where)
    except ConfigError as exc:
        if str(exc).startswith(where):
            raise
        raise ConfigError(f"{where}: `{key}`: {exc}") from exc


def _string(
    data: Mapping[str, Any], key: str, where: str, default: str | None = None
) -> str:
    value = data.get(key, default)
    if not isinstance(value, str) or not value:
        raise ConfigError(
            f"{where}: `{key}` must be a non-empty string; got {value!r}."
        )
    return value


def _direction(data: Mapping[str, Any], where: str) -> str:
    value = data.get("direction", "minimize")
    if value not in ("minimize", "maximize"):
        raise ConfigError(
            f"{where}: `direction` must be 'minimize' or 'maximize'; got {value!r}."
        )
    return str(value)


def _in_file(
    where: str, check: Callable[..., Any], key: str, value: Any, **kw: Any
) -> Any:
    try:
        return check(key, value, allow_none=True, **kw)
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from exc


def _flag(data: Mapping[str, Any], key: str, where: str) -> bool:
    value = data.get(key, True)
    if not isinstance(value, bool):
        raise ConfigError(f"{where}: `{key}` must be true or false; got {value!r}.")
    return value


def _mapping(data: Mapping[str, Any], key: str, where: str) -> dict[str, Any]:
    value = data.get(key) or {}
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where}: `{key}` must be a mapping; got {value!r}.")
    return dict(value)
