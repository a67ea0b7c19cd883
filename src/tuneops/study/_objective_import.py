"""Import an objective again from where a code snapshot says it lives."""

from __future__ import annotations

import functools
import hashlib
import importlib
import importlib.util
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

from tuneops._internal._errors import ConfigError


def import_file(file: Path) -> ModuleType:
    """Import a Python file as a module, with its folder importable.

    The file is executed on every call, so an edited objective is picked up;
    the module name is derived from the path, so the same file replaces its
    earlier module in `sys.modules`.
    """
    resolved = file.resolve()
    name = _module_name(resolved)
    spec = importlib.util.spec_from_file_location(name, resolved)
    if spec is None or spec.loader is None:
        raise ConfigError(f"The objective file {file} cannot be imported.")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    # The objective's own folder is importable, as when running the file directly.
    if str(resolved.parent) not in sys.path:
        sys.path.insert(0, str(resolved.parent))
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


def _module_name(file: Path) -> str:
    # The file's own name, so its loggers and the recorded module read as the
    # user wrote them (`model`), unless another module already has that name.
    stem = file.stem
    known = sys.modules.get(stem)
    if known is not None:
        usable = _same_file(known, file)
    else:
        usable = stem.isidentifier() and not _importable_elsewhere(stem, file)
    if usable:
        return stem
    digest = hashlib.sha256(str(file).encode()).hexdigest()[:12]
    return f"_tuneops_objective_{digest}"


def _importable_elsewhere(name: str, file: Path) -> bool:
    # A file called queue.py must not take the place of the standard library's.
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return False
    origin = getattr(spec, "origin", None)
    return spec is not None and (origin is None or Path(origin).resolve() != file)


def _same_file(module: ModuleType, file: Path) -> bool:
    location = getattr(module, "__file__", None)
    return location is not None and Path(location).resolve() == file


def import_objective(reference: Mapping[str, Any]) -> Callable[..., Any]:
    """The function a code snapshot's ``objective`` entry names, kwargs bound.

    A module that can be imported by name (an installed package) is imported so;
    a script, ``__main__`` or a study file's objective is imported from its file.
    """
    module = _module(reference)
    function: Any = module
    qualname = str(reference["qualname"])
    for part in qualname.split("."):
        function = getattr(function, part, None)
        if function is None:
            raise ConfigError(
                f"The recorded objective {qualname!r} is not in {reference['file']} "
                "any more (or was defined inside a function); pass the objective "
                "to rerun yourself."
            )
    kwargs = dict(reference.get("kwargs") or {})
    return functools.partial(function, **kwargs) if kwargs else function


def _module(reference: Mapping[str, Any]) -> ModuleType:
    name = str(reference.get("module") or "")
    file = Path(str(reference["file"]))
    if name and name != "__main__" and not name.startswith("_tuneops_objective_"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            module = None
        # A module of that name elsewhere on the path is not the recorded one.
        if module is not None and _same_file(module, file.resolve()):
            return module
    if not file.is_file():
        raise ConfigError(
            f"The recorded objective's file {file} does not exist here; rerun from "
            "a checkout of the same code, or pass the objective yourself."
        )
    return import_file(file)
