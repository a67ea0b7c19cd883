"""What the study exports share: optional imports, value kinds, flattening."""

from __future__ import annotations

import importlib
import json
import math
import numbers
import re
from collections.abc import Mapping
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pandas as pd

from tuneops._internal._errors import ConfigError

if TYPE_CHECKING:
    from tuneops.storage import TrialRecord
    from tuneops.study import Study

# Packages whose versions most often explain a change in results; the exports
# that cannot hold the whole package list (MLflow tags) show these.
KEY_PACKAGES = (
    "tuneops",
    "numpy",
    "scipy",
    "pandas",
    "scikit-learn",
    "torch",
    "torchvision",
    "lightning",
    "tensorflow",
    "keras",
    "jax",
    "jaxlib",
    "xgboost",
    "lightgbm",
    "catboost",
    "transformers",
)

_RUN_NAME_WIDTH = 4


def require(module: str, export: str, package: str, extra: str) -> ModuleType:
    """Import an optional dependency of one export, or say how to install it.

    Raises:
        ConfigError: The module is not installed.
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ConfigError(
            f"The {export} export needs {package}: pip install 'tuneops[{extra}]' "
            f"(from a clone of tuneops: pip install -e '.[{extra}]')."
        ) from exc


def is_number(value: Any) -> bool:
    """Whether ``value`` is a real number (bools are not)."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def json_text(value: Any) -> str:
    """JSON text of a value with non-ASCII kept and NaN and inf allowed."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def as_text(value: Any) -> str:
    """A parameter value as text: strings as they are, anything else as JSON."""
    return value if isinstance(value, str) else json_text(value)


def non_finite_text(value: float) -> str | None:
    """``"nan"``, ``"inf"`` or ``"-inf"`` for those floats, else ``None``."""
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return None


def run_names(trials: list[TrialRecord]) -> dict[int, str]:
    """``trial-0007``-style names, zero-padded so they sort by number."""
    width = max([_RUN_NAME_WIDTH] + [len(str(t.number)) for t in trials])
    return {t.number: f"trial-{t.number:0{width}d}" for t in trials}


def has_run(trial: TrialRecord) -> bool:
    """Whether a trial ever started (queued ones that never ran have no data)."""
    return trial.started_at is not None


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Nested dicts and lists of dicts as ``a.b.0.c`` keys with scalar values.

    Lists of scalars and empty containers stay whole values, for one cell.
    """
    if isinstance(value, Mapping) and value:
        flat: dict[str, Any] = {}
        for key, item in value.items():
            flat.update(flatten(item, f"{prefix}{key}."))
        return flat
    if isinstance(value, list) and value and any(isinstance(v, dict) for v in value):
        flat = {}
        for index, item in enumerate(value):
            flat.update(flatten(item, f"{prefix}{index}."))
        return flat
    return {prefix[:-1]: value}


def environment_summary(snapshot: Mapping[str, Any]) -> dict[str, str]:
    """The few environment fields worth a tag: interpreter, host, CPU, GPUs."""
    python = snapshot.get("python") or {}
    system = snapshot.get("platform") or {}
    cpu = snapshot.get("cpu") or {}
    gpus = snapshot.get("gpus") or []
    summary = {
        "python": str(python.get("version", "")),
        "platform": " ".join(
            str(system[k]) for k in ("system", "release", "machine") if system.get(k)
        ),
        "hostname": str(snapshot.get("hostname", "")),
        "cpu": str(cpu.get("model", "")),
        "gpus": ", ".join(str(g.get("name", "")) for g in gpus) or "none",
    }
    packages = snapshot.get("packages") or {}
    for name in KEY_PACKAGES:
        if name in packages:
            summary[f"packages.{name}"] = str(packages[name])
    return summary


def code_summary(snapshot: Mapping[str, Any]) -> dict[str, str]:
    """The code fields worth a tag: objective, file hash, git commit and state."""
    objective = snapshot.get("objective") or {}
    git = snapshot.get("git") or {}
    summary = {
        "objective": ":".join(
            str(objective[k]) for k in ("module", "qualname") if objective.get(k)
        ),
        "file": str(objective.get("file") or ""),
        "source_sha256": str(snapshot.get("source_sha256") or ""),
    }
    if git:
        summary["commit"] = str(git.get("commit") or "")
        summary["branch"] = str(git.get("branch") or "")
        summary["dirty"] = "true" if git.get("dirty") else "false"
    return {k: v for k, v in summary.items() if v}


def numeric_metric_names(trials: list[TrialRecord]) -> list[str]:
    """Names of metrics that hold a number in some evaluation, in first-seen order."""
    names: dict[str, None] = {}
    for trial in trials:
        for evaluation in trial.evaluations:
            for name, value in evaluation.metrics.items():
                if is_number(value):
                    names.setdefault(name)
    return list(names)


_UNSAFE_FILE_CHARACTERS = re.compile(r"[^\w.\-]+")


def default_file_name(study_name: str, suffix: str) -> str:
    """A file name made from a study name that any file system accepts."""
    stem = _UNSAFE_FILE_CHARACTERS.sub("_", study_name).strip("._") or "study"
    return f"{stem}{suffix}"


def trials_table(study: Study) -> pd.DataFrame:
    """`Study.dataframe` with config and metric cells exactly as recorded.

    The frame alone cannot tell a NaN metric from a missing one (both are NaN)
    and shows lists as Python reprs. Here a missing value is ``None``, a NaN or
    infinite metric the text ``nan``, ``inf`` or ``-inf``, and a list or dict
    its JSON text.
    """
    frame = study.dataframe()
    trials = study.trials
    for column in frame.columns:
        kind, _, name = column.partition(".")
        if kind not in ("config", "metric") or not name:
            continue
        source = [t.config if kind == "config" else t.metrics for t in trials]
        frame[column] = pd.Series(
            [export_cell(values.get(name)) for values in source],
            index=frame.index,
            dtype=object,
        )
    return frame


def export_cell(value: Any) -> Any:
    """A recorded value as a plain cell: text for non-finite and nested values."""
    if isinstance(value, float):
        return non_finite_text(value) or value
    if isinstance(value, list | dict):
        return json_text(value)
    return value
