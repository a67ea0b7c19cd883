"""A study as TensorBoard event files that the HParams tab shows."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tuneops._internal._errors import ConfigError
from tuneops.record._export_common import (
    as_text,
    has_run,
    is_number,
    numeric_metric_names,
    require,
    run_names,
)
from tuneops.storage import TrialStatus

if TYPE_CHECKING:
    from tuneops.space import Param
    from tuneops.storage import TrialRecord
    from tuneops.study import Study

FINAL_PREFIX = "final/"
RESOURCE_TAG = "tuneops/resource"


# The hparam that marks a refit repeat with the trial it repeats, so the HParams
# tab can filter refits out or group them with their source.
REFIT_HPARAM = "tuneops.refit_of"


def export_tensorboard(study: Study, folder: str | os.PathLike[str]) -> Path:
    """Write a study as TensorBoard event files, one run folder per trial.

    Open it with ``tensorboard --logdir FOLDER``. The top folder holds the
    HParams experiment: every parameter of the space with its domain (an
    interval for `Float` and `Int`, the choices for `Categorical`) and the
    metrics. Each trial that ran gets a folder ``trial-NNNN`` with its
    hparams (the HParams tab's session: config, start and end time, status)
    and scalars:

    * ``<metric>``: the intermediate values (`Trial.report`) by step; a step
      reported at several rungs (a trial Hyperband restarts) appears once per
      rung, in rung order.
    * ``final/<name>``: every numeric metric of each evaluation, by rung, so
      the last is the trial's result at its highest resource.
    * ``tuneops/resource``: the resource of each evaluation, by rung.

    Scalars are 32-bit floats, as TensorFlow writes them: TensorBoard's fast
    loader skips any other kind. So they keep about 7 significant digits, and
    finite values beyond ±3.4e38 become ±inf; NaN and ±inf are written as they
    are (the HParams tab shows NaN and Infinity). Hparam values are 64-bit.
    Hparams cannot hold a missing value: a parameter a trial did not use
    (inactive under a condition) is absent from its session. Numbers and
    numeric choices are numbers; other choices (strings, bools, None, lists,
    and mixes such as None or a number) are text, strings as they are and the
    rest as JSON (``true``, ``null``, ``8``). Non-numeric metrics are left out.
    Queued trials that never ran are left out.

    Args:
        study: The study to export.
        folder: A new or empty folder to write into (created if needed).

    Returns:
        The folder written.

    Raises:
        ConfigError: The folder holds files already, or tensorboard is not
            installed.
    """
    require("tensorboard", "tensorboard", "tensorboard", "tensorboard")
    from tensorboard.plugins.hparams import api_pb2, metadata, plugin_data_pb2

    root = _empty_folder(folder)
    trials = [t for t in study.trials if has_run(t)]
    metrics = numeric_metric_names(trials)
    names = run_names(trials)
    experiment = api_pb2.Experiment(
        description=f"tuneops study {study.name!r}: {study.direction} "
        f"{study.metric!r}.",
        time_created_secs=study.record.created_at,
        hparam_infos=_hparam_infos(study, trials),
        metric_infos=_metric_infos(study, metrics, trials),
    )
    with _Events(root, study.record.created_at) as events:
        events.plugin(
            metadata.EXPERIMENT_TAG,
            plugin_data_pb2.HParamsPluginData(experiment=experiment),
        )
    domains = {name: _hparam_kind(study.space[name]) for name in study.space}
    statuses = {
        TrialStatus.COMPLETED: api_pb2.STATUS_SUCCESS,
        TrialStatus.STOPPED: api_pb2.STATUS_SUCCESS,
        TrialStatus.FAILED: api_pb2.STATUS_FAILURE,
    }
    for trial in trials:
        with _Events(root / names[trial.number], trial.started_at) as events:
            start = plugin_data_pb2.SessionStartInfo(
                group_name=names[trial.number],
                start_time_secs=trial.started_at,
            )
            for name, value in trial.config.items():
                _set_value(start.hparams[name], value, domains.get(name))
            if trial.refit_of is not None:
                start.hparams[REFIT_HPARAM].number_value = float(trial.refit_of)
            events.plugin(
                metadata.SESSION_START_INFO_TAG,
                plugin_data_pb2.HParamsPluginData(session_start_info=start),
            )
            _write_scalars(events, study, trial)
            if trial.status.is_finished:
                end = plugin_data_pb2.SessionEndInfo(
                    status=statuses[trial.status],
                    end_time_secs=trial.finished_at or trial.started_at,
                )
                events.plugin(
                    metadata.SESSION_END_INFO_TAG,
                    plugin_data_pb2.HParamsPluginData(session_end_info=end),
                    wall_time=trial.finished_at,
                )
    return root


def _empty_folder(folder: str | os.PathLike[str]) -> Path:
    root = Path(folder)
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise ConfigError(
            f"The TensorBoard export folder {str(root)!r} is not an empty folder; "
            "TensorBoard would mix its old event files with the new ones. Pass a "
            "new folder, or remove this one first."
        )
    root.mkdir(parents=True, exist_ok=True)
    return root


def _write_scalars(events: _Events, study: Study, trial: TrialRecord) -> None:
    ended = {e.rung: e.finished_at for e in trial.evaluations}
    fallback = trial.finished_at or trial.started_at or study.record.created_at
    for rung, step, value in study.intermediate_values(trial.number):
        events.scalar(study.metric, value, step, ended.get(rung, fallback))
    for evaluation in trial.evaluations:
        moment = evaluation.finished_at
        for name, value in evaluation.metrics.items():
            if is_number(value):
                events.scalar(FINAL_PREFIX + name, value, evaluation.rung, moment)
        resource = evaluation.resource
        if isinstance(resource, int | float) and not isinstance(resource, bool):
            events.scalar(RESOURCE_TAG, float(resource), evaluation.rung, moment)


def _hparam_kind(param: Param) -> str:
    """``"number"`` for numeric params and choices, else ``"text"``."""
    choices = getattr(param, "choices", None)
    if choices is None or all(is_number(c) for c in choices):
        return "number"
    return "text"


def _set_value(target: Any, value: Any, kind: str | None) -> None:
    if is_number(value) and kind != "text":
        target.number_value = float(value)
    else:
        target.string_value = as_text(value)


def _hparam_infos(study: Study, trials: list[TrialRecord]) -> list[Any]:
    from tensorboard.plugins.hparams import api_pb2

    infos = []
    for name in study.space:
        param = study.space[name]
        info = api_pb2.HParamInfo(name=name, display_name=name)
        if param.when:
            info.description = "Active when " + " and ".join(
                f"{parent} is {' or '.join(as_text(v) for v in values)}"
                for parent, values in param.when.items()
            )
        choices = getattr(param, "choices", None)
        if _hparam_kind(param) == "text":
            info.type = api_pb2.DATA_TYPE_STRING
            info.domain_discrete.extend(as_text(c) for c in choices or ())
        else:
            info.type = api_pb2.DATA_TYPE_FLOAT64
            if choices is not None:
                info.domain_discrete.extend(float(c) for c in choices)
            else:
                info.domain_interval.min_value = float(getattr(param, "low", 0))
                info.domain_interval.max_value = float(getattr(param, "high", 0))
        infos.append(info)
    # Configs enqueued before a space change may name parameters the space lacks.
    extra: dict[str, None] = {}
    for trial in trials:
        for name in trial.config:
            if name not in study.space:
                extra.setdefault(name)
    infos.extend(api_pb2.HParamInfo(name=name, display_name=name) for name in extra)
    if any(t.refit_of is not None for t in trials):
        infos.append(
            api_pb2.HParamInfo(
                name=REFIT_HPARAM,
                display_name=REFIT_HPARAM,
                type=api_pb2.DATA_TYPE_FLOAT64,
                description="The trial whose config this run refits "
                "(Study.refit_best); absent for searched trials.",
            )
        )
    return infos


def _metric_infos(
    study: Study, metrics: list[str], trials: list[TrialRecord]
) -> list[Any]:
    from tensorboard.plugins.hparams import api_pb2

    def info(tag: str, display: str, description: str) -> Any:
        return api_pb2.MetricInfo(
            name=api_pb2.MetricName(tag=tag),
            display_name=display,
            description=description,
        )

    ordered = sorted(metrics, key=lambda name: name != study.metric)
    infos = [
        info(
            FINAL_PREFIX + name,
            f"{name} (final)",
            f"{name} at the trial's highest resource.",
        )
        for name in ordered
    ]
    if any(study.intermediate_values(t.number) for t in trials):
        infos.append(
            info(
                study.metric,
                f"{study.metric} (last reported)",
                "The last intermediate value the trial reported.",
            )
        )
    if any(is_number(e.resource) for t in trials for e in t.evaluations):
        infos.append(info(RESOURCE_TAG, "resource", "The trial's highest resource."))
    return infos


class _Events:
    """One run's event file, written and closed in a ``with`` block."""

    def __init__(self, folder: Path, wall_time: float | None) -> None:
        from tensorboard.summary.writer.event_file_writer import EventFileWriter

        self._writer = EventFileWriter(str(folder))
        self._wall_time = wall_time if wall_time is not None else time.time()
        self._described: set[str] = set()

    def __enter__(self) -> _Events:
        return self

    def __exit__(self, *exc: object) -> None:
        self._writer.close()

    def plugin(self, tag: str, data: Any, wall_time: float | None = None) -> None:
        from tensorboard.compat.proto import summary_pb2
        from tensorboard.plugins.hparams import metadata

        summary = summary_pb2.Summary()
        summary.value.add(
            tag=tag,
            metadata=metadata.create_summary_metadata(data),
            tensor=metadata.NULL_TENSOR,
        )
        self._add(summary, 0, wall_time)

    def scalar(self, tag: str, value: float, step: int, wall_time: float) -> None:
        from tensorboard.compat.proto import summary_pb2, tensor_pb2, types_pb2
        from tensorboard.plugins.scalar import metadata

        summary = summary_pb2.Summary()
        # float32, not float64: TensorBoard's Rust data server (its default
        # loader) silently drops scalars of any other dtype.
        entry = summary.value.add(
            tag=tag,
            tensor=tensor_pb2.TensorProto(
                dtype=types_pb2.DT_FLOAT, float_val=[float(value)]
            ),
        )
        # TensorBoard reads a tag's plugin from its first event only.
        if tag not in self._described:
            entry.metadata.CopyFrom(metadata.create_summary_metadata(tag, ""))
            self._described.add(tag)
        self._add(summary, step, wall_time)

    def _add(self, summary: Any, step: int, wall_time: float | None) -> None:
        from tensorboard.compat.proto import event_pb2

        moment = self._wall_time if wall_time is None else wall_time
        self._writer.add_event(
            event_pb2.Event(wall_time=moment, step=step, summary=summary)
        )
