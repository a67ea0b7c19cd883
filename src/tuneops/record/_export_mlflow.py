"""A study as MLflow runs: a parent run for the study, a child run per trial."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tuneops._internal._errors import ConfigError, TuneopsError
from tuneops.record._export_common import (
    as_text,
    code_summary,
    environment_summary,
    has_run,
    is_number,
    json_text,
    require,
    run_names,
)
from tuneops.storage import TrialStatus

if TYPE_CHECKING:
    from tuneops.storage import TrialRecord
    from tuneops.study import Study

FINAL_PREFIX = "final/"
RESOURCE_METRIC = "tuneops/resource"

# MLflow's limits (3.x): longer keys are refused, longer values cut with a
# warning; cutting here keeps the logs quiet and the rule documented.
MAX_KEY_LENGTH = 250
MAX_PARAM_LENGTH = 6000
MAX_TAG_LENGTH = 8000
# log_batch takes at most 1000 entities, of which at most 100 params and 100 tags.
_BATCH_ENTITIES = 1000
_BATCH_PARAMS_OR_TAGS = 100
_CUT_MARK = "..."

# MLflow names may hold only these characters (":" is refused on Windows, so it
# is replaced too, for a store that any client can read).
_UNSAFE_KEY_CHARACTERS = re.compile(r"[^/\w.\- ]")

_STATUS = {
    TrialStatus.COMPLETED: "FINISHED",
    TrialStatus.STOPPED: "FINISHED",
    TrialStatus.FAILED: "FAILED",
    TrialStatus.RUNNING: "RUNNING",
    TrialStatus.PAUSED: "SCHEDULED",
    TrialStatus.QUEUED: "SCHEDULED",
}


@dataclass(frozen=True)
class MlflowExport:
    """Where `export_mlflow` wrote a study.

    Attributes:
        tracking_uri: The tracking URI written to, resolved (e.g.
            ``sqlite:///mlflow.db`` when none was given).
        experiment_id: The experiment's id.
        experiment_name: The experiment's name.
        parent_run_id: The study's run.
        run_ids: Trial number to its child run's id.
    """

    tracking_uri: str
    experiment_id: str
    experiment_name: str
    parent_run_id: str
    run_ids: Mapping[int, str] = field(default_factory=dict)


def export_mlflow(
    study: Study,
    tracking_uri: str | None = None,
    experiment: str | None = None,
) -> MlflowExport:
    """Write a study to MLflow: one parent run, one child run per trial.

    The parent run (named after the study, tag ``tuneops.run = study``)
    holds the settings as params (``metric``, ``direction``, ``seed``,
    ``searcher``, ``scheduler`` and ``space.<name>``, JSON) and the best
    value as ``best/<metric>``. Each trial that ran gets a child run (tag
    ``mlflow.parentRunId``) named ``trial-NNNN`` with its start and end
    times and status (completed and stopped are ``FINISHED``, failed is
    ``FAILED``), and:

    * params: the config (strings as they are, other values as JSON),
      ``tuneops.number``, ``tuneops.seed`` and ``tuneops.resource``;
    * metrics: ``<metric>`` holds the intermediate values by step (a step
      reported at several rungs appears once per rung, at that rung's end
      time); ``final/<name>`` every numeric metric of each evaluation and
      ``tuneops/resource`` its resource, by rung; ``tuneops/duration_s``,
      ``tuneops/cpu_time_s`` and ``tuneops/gpu_time_s``;
    * tags: ``tuneops.status``, ``tuneops.error``, non-numeric metrics as
      ``tuneops.metric.<name>``, the environment (``tuneops.env.python``,
      ``.hostname``, ``.platform``, ``.cpu``, ``.gpus``,
      ``.packages.<name>`` for key packages, ``.digest``) and the code
      (``tuneops.code.commit``, ``.branch``, ``.dirty``, ``.source_sha256``,
      ``.objective``, ``.digest``, and MLflow's ``mlflow.source.git.commit``).

    NaN metrics are logged as NaN; MLflow's database stores replace ±inf by
    ±1.7976931348623157e308 (the largest double). Names may only hold
    letters, digits, ``_ - . /`` and spaces in MLflow: other characters become
    ``_`` (non-ASCII letters are kept), with a suffix when two names collide,
    and the parent's ``tuneops.renamed`` tag maps new names to old. Param
    values are cut at 6,000 characters and tags at 8,000. Queued trials that
    never ran are left out.

    Args:
        study: The study to export.
        tracking_uri: Where to write: a database URI (``sqlite:///mlflow.db``),
            a tracking server (``http://host:5000``) or another MLflow URI.
            ``None`` uses MLflow's default: ``$MLFLOW_TRACKING_URI``, else
            ``sqlite:///mlflow.db`` in the working directory (MLflow 3).
        experiment: The experiment's name, created when missing; default the
            study's name.

    Returns:
        The tracking URI, experiment and run ids written.

    Raises:
        ConfigError: mlflow is not installed, the URI cannot be opened, the
            experiment was deleted, or it holds an export of this study already.
        TuneopsError: MLflow failed while the runs were written.
    """
    require("mlflow", "mlflow", "mlflow-skinny (or mlflow)", "mlflow")
    from mlflow.exceptions import MlflowException

    name = experiment or study.name
    client = _client(tracking_uri)
    try:
        experiment_id = _experiment(client, name, study.name)
        writer = _Writer(client, study, experiment_id)
        parent = writer.parent()
        runs = {t.number: writer.child(t, parent) for t in writer.trials}
        writer.finish_parent(parent)
    except MlflowException as exc:
        raise TuneopsError(
            f"MLflow failed while writing study {study.name!r} to experiment "
            f"{name!r} at {client.tracking_uri}: {exc}"
        ) from exc
    return MlflowExport(client.tracking_uri, experiment_id, name, parent, runs)


def _client(tracking_uri: str | None) -> Any:
    from mlflow.exceptions import MlflowException
    from mlflow.tracking import MlflowClient

    try:
        client = MlflowClient(tracking_uri=tracking_uri)
        # Opening the store is lazy in some versions: touch it here, so that a
        # bad URI is reported as such.
        client.search_experiments(max_results=1)
    except ImportError as exc:
        raise ConfigError(
            f"The MLflow store {tracking_uri or 'default'!r} needs a module that "
            f"is not installed ({exc}); pip install 'tuneops[mlflow]' (from a "
            "clone: pip install -e '.[mlflow]')."
        ) from exc
    except MlflowException as exc:
        raise ConfigError(
            f"MLflow cannot open the tracking URI {tracking_uri!r}: {exc} Pass "
            "`tracking_uri` as a database URI such as sqlite:///mlflow.db or a "
            "server's http(s):// address."
        ) from exc
    return client


def _experiment(client: Any, name: str, study_name: str) -> str:
    found = client.get_experiment_by_name(name)
    if found is None:
        return str(client.create_experiment(name, tags={"tuneops.study": study_name}))
    if found.lifecycle_stage == "deleted":
        raise ConfigError(
            f"The MLflow experiment {name!r} was deleted; restore it (mlflow "
            "experiments restore) or pass another experiment name."
        )
    for run in _search(client, found.experiment_id, "tags.`tuneops.run` = 'study'"):
        if run.data.tags.get("tuneops.study") == study_name:
            raise ConfigError(
                f"The MLflow experiment {name!r} holds an export of study "
                f"{study_name!r} already (run {run.info.run_id}); delete that run "
                "and its children, or pass another experiment name."
            )
    return str(found.experiment_id)


def _search(client: Any, experiment_id: str, query: str) -> Iterable[Any]:
    token = None
    while True:
        page = client.search_runs([experiment_id], query, page_token=token)
        yield from page
        token = page.token
        if not token:
            return


class _Keys:
    """MLflow-safe names for one kind of key (params or metrics), kept unique."""

    def __init__(self) -> None:
        self._safe: dict[str, str] = {}
        self._taken: dict[str, str] = {}
        self.renamed: dict[str, str] = {}

    def __call__(self, name: str) -> str:
        if name in self._safe:
            return self._safe[name]
        key = _safe_key(name)
        base, count = key, 1
        while key in self._taken:
            count += 1
            suffix = f"_{count}"
            key = base[: MAX_KEY_LENGTH - len(suffix)] + suffix
        self._safe[name] = key
        self._taken[key] = name
        if key != name:
            self.renamed[key] = name
        return key


def _safe_key(name: str) -> str:
    key = _UNSAFE_KEY_CHARACTERS.sub("_", name)
    # MLflow treats names as paths: no empty, "." or ".." parts.
    key = "/".join(p if p not in ("", ".", "..") else "_" for p in key.split("/"))
    return key[:MAX_KEY_LENGTH]


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - len(_CUT_MARK)] + _CUT_MARK


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


class _Writer:
    """Writes one study's runs through an MLflow client."""

    def __init__(self, client: Any, study: Study, experiment_id: str) -> None:
        self.client = client
        self.study = study
        self.experiment_id = experiment_id
        self.trials = [t for t in study.trials if has_run(t)]
        self.names = run_names(self.trials)
        self.params = _Keys()
        self.metrics = _Keys()
        self.tags = _Keys()
        # Reserve tuneops' own names first so a parameter named "tuneops.seed"
        # is the one renamed.
        for key in ("tuneops.number", "tuneops.seed", "tuneops.resource"):
            self.params(key)
        for key in (RESOURCE_METRIC, "tuneops/duration_s", "tuneops/cpu_time_s"):
            self.metrics(key)
        self.metrics("tuneops/gpu_time_s")
        self.environments = study.environments
        self.codes = study.code_snapshots

    def parent(self) -> str:
        from mlflow.entities import Metric

        study, record = self.study, self.study.record
        starts = [t.started_at for t in self.trials if t.started_at is not None]
        start = min(starts) if starts else record.created_at
        tags = {
            "tuneops.study": study.name,
            "tuneops.run": "study",
            "tuneops.metric": study.metric,
            "tuneops.direction": study.direction,
            "mlflow.note.content": (
                f"tuneops study {study.name!r}: {study.direction} "
                f"{study.metric!r} over {len(study.space)} parameters, "
                f"{len(self.trials)} trials."
            ),
        }
        run = self.client.create_run(
            self.experiment_id,
            start_time=_ms(start),
            tags={k: _cut(v, MAX_TAG_LENGTH) for k, v in tags.items()},
            run_name=study.name,
        )
        params = {
            "metric": study.metric,
            "direction": study.direction,
            "seed": str(record.seed),
            "searcher": json_text(dict(record.searcher)),
            "scheduler": json_text(dict(record.scheduler)),
            "trials": str(len(study.trials)),
        }
        for name, spec in record.space.items():
            params[self.params(f"space.{name}")] = json_text(spec)
        metrics = []
        try:
            best = study.best_trial
        except ValueError:
            best = None
        if best is not None:
            moment = _ms(best.finished_at or start)
            key = self.metrics(f"best/{study.metric}")
            metrics.append(Metric(key, study.best_value, moment, 0))
            params["best_trial"] = str(best.number)
        self._log(run.info.run_id, params=params, metrics=metrics)
        return str(run.info.run_id)

    def finish_parent(self, run_id: str) -> None:
        renamed = {
            **self.params.renamed,
            **self.metrics.renamed,
            **self.tags.renamed,
        }
        if renamed:
            tags = {"tuneops.renamed": json_text(renamed)}
            self._log(run_id, tags=tags)
        ends = [t.finished_at for t in self.trials if t.finished_at is not None]
        if all(t.status.is_finished for t in self.trials):
            end = max(ends) if ends else None
            self.client.set_terminated(
                run_id, "FINISHED", _ms(end) if end is not None else None
            )

    def child(self, trial: TrialRecord, parent: str) -> str:
        started = trial.started_at or self.study.record.created_at
        run = self.client.create_run(
            self.experiment_id,
            start_time=_ms(started),
            tags={"mlflow.parentRunId": parent},
            run_name=self.names[trial.number],
        )
        run_id = str(run.info.run_id)
        self._log(
            run_id,
            params=self._trial_params(trial),
            metrics=self._trial_metrics(trial),
            tags=self._trial_tags(trial),
        )
        status = _STATUS[trial.status]
        if trial.status.is_finished:
            end = trial.finished_at or started
            self.client.set_terminated(run_id, status, _ms(end))
        elif status != "RUNNING":
            self.client.update_run(run_id, status=status)
        return run_id

    def _trial_params(self, trial: TrialRecord) -> dict[str, str]:
        params = {"tuneops.number": str(trial.number), "tuneops.seed": str(trial.seed)}
        if trial.resource is not None:
            params["tuneops.resource"] = as_text(trial.resource)
        for name, value in trial.config.items():
            params[self.params(name)] = as_text(value)
        return params

    def _trial_metrics(self, trial: TrialRecord) -> list[Any]:
        from mlflow.entities import Metric

        ended = {e.rung: e.finished_at for e in trial.evaluations}
        fallback = trial.finished_at or trial.started_at or 0.0
        metrics = []
        key = self.metrics(self.study.metric)
        for rung, step, value in self.study.intermediate_values(trial.number):
            moment = _ms(ended.get(rung, fallback))
            metrics.append(Metric(key, value, moment, step))
        for evaluation in trial.evaluations:
            moment = _ms(evaluation.finished_at)
            for name, value in evaluation.metrics.items():
                if is_number(value):
                    final = self.metrics(FINAL_PREFIX + name)
                    metrics.append(Metric(final, float(value), moment, evaluation.rung))
            resource = evaluation.resource
            if isinstance(resource, int | float) and not isinstance(resource, bool):
                metrics.append(
                    Metric(RESOURCE_METRIC, float(resource), moment, evaluation.rung)
                )
        moment = _ms(fallback)
        for name, seconds in (
            ("tuneops/duration_s", trial.duration),
            ("tuneops/cpu_time_s", trial.cpu_time),
            ("tuneops/gpu_time_s", trial.gpu_time),
        ):
            metrics.append(Metric(name, float(seconds), moment, 0))
        return metrics

    def _trial_tags(self, trial: TrialRecord) -> dict[str, str]:
        tags = {
            "tuneops.study": self.study.name,
            "tuneops.run": "trial",
            "tuneops.trial": str(trial.number),
            "tuneops.status": trial.status.value,
            "tuneops.rung": str(trial.rung),
        }
        if trial.bracket is not None:
            tags["tuneops.bracket"] = str(trial.bracket)
        if trial.error:
            tags["tuneops.error"] = trial.error
        if trial.note:
            tags["tuneops.note"] = trial.note
        for name, value in trial.metrics.items():
            if not is_number(value):
                tags[self.tags(f"tuneops.metric.{name}")] = as_text(value)
        environment = self.environments.get(trial.environment or "")
        if environment is not None:
            tags["tuneops.env.digest"] = str(trial.environment)
            for key, value in environment_summary(environment).items():
                tags[f"tuneops.env.{key}"] = value
        code = self.codes.get(trial.code or "")
        if code is not None:
            tags["tuneops.code.digest"] = str(trial.code)
            summary = code_summary(code)
            for key, value in summary.items():
                tags[f"tuneops.code.{key}"] = value
            if "commit" in summary:
                tags["mlflow.source.git.commit"] = summary["commit"]
            if "branch" in summary:
                tags["mlflow.source.git.branch"] = summary["branch"]
            if "file" in summary:
                tags["mlflow.source.name"] = summary["file"]
        return tags

    def _log(
        self,
        run_id: str,
        *,
        params: Mapping[str, str] | None = None,
        metrics: list[Any] | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        from mlflow.entities import Param, RunTag

        param_list = [
            Param(k, _cut(v, MAX_PARAM_LENGTH)) for k, v in (params or {}).items()
        ]
        tag_list = [RunTag(k, _cut(v, MAX_TAG_LENGTH)) for k, v in (tags or {}).items()]
        metric_list = list(metrics or [])
        while param_list or tag_list or metric_list:
            batch_params = param_list[:_BATCH_PARAMS_OR_TAGS]
            batch_tags = tag_list[:_BATCH_PARAMS_OR_TAGS]
            room = _BATCH_ENTITIES - len(batch_params) - len(batch_tags)
            batch_metrics = metric_list[:room]
            del param_list[: len(batch_params)]
            del tag_list[: len(batch_tags)]
            del metric_list[: len(batch_metrics)]
            self.client.log_batch(
                run_id, metrics=batch_metrics, params=batch_params, tags=batch_tags
            )
