"""Study exports read back with the real readers: csv, openpyxl, TensorBoard, MLflow.

One Hyperband study covers the edge cases: NaN and ±inf intermediate values
and metrics, non-ASCII names and values, a formula-like value, a conditional
parameter, list-valued choices, a failed trial, trials with several
evaluations, a running and a queued trial, a seed beyond 2**53 and values past
the formats' length limits.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest

from tuneops import Categorical, ConfigError, Float, Int, Space, Study, TrialStatus
from tuneops.record import (
    export_csv,
    export_mlflow,
    export_tensorboard,
    export_xlsx,
)

# mlflow's SQL store uses a loader SQLAlchemy 2.1 deprecates; not ours to fix.
pytestmark = pytest.mark.filterwarnings(
    "ignore:The ``noload`` loader strategy is deprecated"
)

NAN, INF = float("nan"), float("inf")
LONG_CHOICE = "p" * 7000
LONG_NOTE = "é" * 40_000
STUDY_SEED = 2**62 + 12345
PARAMS = ["größe", "lr", "layers", "opt", "momentum", "flag", "batch", "widths"]
PARAMS += ["dropout%", "prompt", "max_depth"]

SPACE = Space(
    {
        "größe": Categorical(["東京", "klein", "=1+1"]),
        "lr": Float(1e-4, 1e-1, log=True),
        "layers": Int(1, 4),
        "opt": Categorical(["sgd", "adam"]),
        "momentum": Float(0.8, 0.99, when={"opt": "sgd"}),
        "flag": Categorical([True, False, None]),
        "batch": Categorical([16, 32, 64]),
        "widths": Categorical([[8, 16], [32]]),
        "dropout%": Float(0.0, 0.5),
        "prompt": Categorical(["short", LONG_CHOICE]),
        "max_depth": Categorical([None, 8, 16]),
    }
)
TOKYO = {
    "größe": "東京",
    "lr": 0.01,
    "layers": 1,
    "opt": "sgd",
    "momentum": 0.9,
    "flag": None,
    "batch": 32,
    "widths": [8, 16],
    "dropout%": 0.1,
    "prompt": LONG_CHOICE,
    "max_depth": None,
}
BROKEN = {
    "größe": "=1+1",
    "lr": 0.001,
    "layers": 4,
    "opt": "adam",
    "flag": True,
    "batch": 16,
    "widths": [32],
    "dropout%": 0.2,
    "prompt": "short",
    "max_depth": 8,
}
BEST = {**BROKEN, "größe": "klein", "lr": 1e-4, "layers": 2, "flag": False}


def objective(trial):
    config = trial.config
    if config["layers"] == 4:
        raise RuntimeError("loss diverged \x1b[31mred\x1b[0m")
    loss = config["lr"] * 10 + 1.0 / trial.resource
    for step in range(trial.resource + 2):
        if config["größe"] == "東京":
            trial.report([NAN, INF, -INF][step % 3], step)
        else:
            trial.report(loss + 1.0 / (step + 1), step)
    return {
        "loss": loss,
        "acc": NAN if config["opt"] == "adam" else 1.0 - loss / 10,
        "big": INF,
        "neg": -INF,
        "note": LONG_NOTE if config == BEST else f"größe={config['größe']}",
        "ok": True,
    }


def build_study(storage) -> Study:
    """The edge-case study: 9 Hyperband configs, one failed, one running."""
    study = Study.create(
        "größe-study",
        SPACE,
        metric="loss",
        storage=storage,
        scheduler={
            "type": "hyperband",
            "min_resource": 1,
            "max_resource": 9,
            "reduction_factor": 3,
        },
        seed=STUDY_SEED,
    )
    for config in (TOKYO, BROKEN, BEST):
        study.enqueue(config)
    study.optimize(objective, n_trials=6, capture_output=False)
    return study


@pytest.fixture(scope="module")
def study(tmp_path_factory) -> Study:
    folder = tmp_path_factory.mktemp("export")
    study = build_study(f"sqlite:///{folder / 'studies.db'}")
    running = study.ask()
    study.enqueue(BEST)
    trials = study.trials
    statuses = {t.status for t in trials}
    # The fixture itself must hold every case the tests rely on.
    assert running is not None and TrialStatus.RUNNING in statuses
    assert {TrialStatus.FAILED, TrialStatus.QUEUED, TrialStatus.COMPLETED} <= statuses
    assert max(len(t.evaluations) for t in trials) == 3
    assert any("momentum" not in t.config for t in trials)
    assert trials[0].config == TOKYO and trials[2].config == BEST
    assert math.isnan(study.intermediate_values(0)[0][2])
    return study


def ran(study: Study) -> list:
    return [t for t in study.trials if t.started_at is not None]


def as_text(value) -> str:
    return value if isinstance(value, str) else json.dumps(value)


# --- csv ------------------------------------------------------------------


def test_csv_keeps_nan_inf_missing_and_non_ascii_apart(study, tmp_path):
    path = tmp_path / "t.csv"
    export_csv(study, path)
    stream = io.StringIO()
    export_csv(study, stream)
    assert stream.getvalue() == path.read_text(encoding="utf-8")

    rows = list(csv.DictReader(path.open(encoding="utf-8", newline="")))
    assert len(rows) == len(study.trials)
    for row, trial in zip(rows, study.trials, strict=True):
        assert int(row["number"]) == trial.number
        assert row["status"] == trial.status.value
        assert row["error"] == (trial.error or "")
        if trial.value is None:
            assert row["value"] == ""
        else:
            assert float(row["value"]) == trial.value
        for name in PARAMS:
            assert row[f"config.{name}"] == _csv_cell(trial.config.get(name))
        for name in ("loss", "acc", "big", "neg", "note", "ok"):
            cell, value = row[f"metric.{name}"], trial.metrics.get(name)
            if isinstance(value, float) and math.isfinite(value):
                assert float(cell) == value
            else:
                assert cell == _csv_cell(value)
    assert rows[0]["config.größe"] == "東京"
    assert rows[0]["config.widths"] == "[8, 16]"
    assert rows[0]["metric.big"] == "inf" and rows[0]["metric.neg"] == "-inf"
    assert rows[1]["status"] == "failed" and rows[1]["metric.loss"] == ""


def _csv_cell(value) -> str:
    """What a CSV cell must hold for a recorded value (finite floats aside)."""
    if value is None:
        return ""
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, list):
        return json.dumps(value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


# --- xlsx -----------------------------------------------------------------


def _sheet(book, title):
    rows = list(book[title].iter_rows(values_only=True))
    return list(rows[0]), [list(r) for r in rows[1:]]


def _utc(seconds: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).replace(tzinfo=None)


def _xlsx_value(value):
    """What a cell must hold for a recorded value."""
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    if isinstance(value, float) and math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if isinstance(value, list):
        return json.dumps(value)
    return value


def _same_number(cell, expected) -> bool:
    # openpyxl writes doubles with 16 significant digits.
    return math.isclose(cell, expected, rel_tol=1e-15, abs_tol=0.0)


def test_xlsx_trials_sheet_matches_the_records(study, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    path = export_xlsx(study, tmp_path / "s.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == [
        "trials",
        "intermediate values",
        "environment",
        "settings",
    ]
    header, rows = _sheet(book, "trials")
    assert "started_at (UTC)" in header and "finished_at (UTC)" in header
    assert [h for h in header if h.startswith("config.")] == [
        f"config.{p}" for p in PARAMS
    ]
    assert len(rows) == len(study.trials)
    for values, trial in zip(rows, study.trials, strict=True):
        row = dict(zip(header, values, strict=True))
        assert row["number"] == trial.number
        assert row["status"] == trial.status.value
        big = trial.seed > 2**53
        assert row["seed"] == (str(trial.seed) if big else trial.seed)
        if trial.value is None:
            assert row["value"] is None
        else:
            assert _same_number(row["value"], trial.value)
        for key, moment in (
            ("started_at", trial.started_at),
            ("finished_at", trial.finished_at),
        ):
            cell = row[f"{key} (UTC)"]
            if moment is None:
                assert cell is None
            else:
                assert abs((cell - _utc(moment)).total_seconds()) <= 0.001
        for name in PARAMS:
            cell, expected = row[f"config.{name}"], trial.config.get(name)
            if isinstance(expected, float):
                assert _same_number(cell, expected)
            else:
                assert cell == _xlsx_value(expected)
        for name in ("loss", "acc", "big", "neg", "note", "ok"):
            cell, expected = row[f"metric.{name}"], trial.metrics.get(name)
            if name == "note" and expected == LONG_NOTE:
                assert len(cell) == 32_767 and cell.endswith(" [cut]")
                assert LONG_NOTE.startswith(cell[: -len(" [cut]")])
            elif isinstance(expected, float) and math.isfinite(expected):
                assert _same_number(cell, expected)
            else:
                assert cell == _xlsx_value(expected)
    failed = next(r for r in rows if r[header.index("status")] == "failed")
    error = failed[header.index("error")]
    assert "\\x1b[31mred" in error and "\x1b" not in error
    formula = rows[1][header.index("config.größe")]
    assert formula == "=1+1"
    assert (
        book["trials"].cell(row=3, column=header.index("config.größe") + 1).data_type
        == "s"
    )


def test_xlsx_intermediate_environment_and_settings_sheets(study, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.load_workbook(export_xlsx(study, tmp_path / "s.xlsx"))

    header, rows = _sheet(book, "intermediate values")
    assert header == ["trial", "rung", "resource", "step", "value"]
    expected = []
    for trial in study.trials:
        resources = {e.rung: e.resource for e in trial.evaluations}
        resources.setdefault(trial.rung, trial.resource)
        for rung, step, value in study.intermediate_values(trial.number):
            expected.append([trial.number, rung, resources[rung], step, value])
    assert len(rows) == len(expected) > 0
    for row, want in zip(rows, expected, strict=True):
        assert row[:4] == want[:4]
        if math.isfinite(want[4]):
            assert _same_number(row[4], want[4])
        else:
            assert row[4] == _xlsx_value(want[4])
    assert rows[:3] == [[0, 0, 1, 0, "nan"], [0, 0, 1, 1, "inf"], [0, 0, 1, 2, "-inf"]]

    header, rows = _sheet(book, "environment")
    snapshots = study.environments
    assert header == ["key", *snapshots]
    table = {row[0]: row[1:] for row in rows}
    for column, snapshot in enumerate(snapshots.values()):
        assert table["python.version"][column] == snapshot["python"]["version"]
        assert table["cpu.model"][column] == snapshot["cpu"]["model"]
        assert table["hostname"][column] == snapshot["hostname"]
        for name, version in snapshot["packages"].items():
            assert table[f"packages.{name}"][column] == version
        taken = table["taken_at (UTC)"][column]
        assert abs((taken - _utc(snapshot["taken_at"])).total_seconds()) <= 0.001
    assert sum(k.startswith("packages.") for k in table) == len(
        {n for s in snapshots.values() for n in s["packages"]}
    )

    header, rows = _sheet(book, "settings")
    settings = dict(rows)
    record = study.record
    assert settings["name"] == "größe-study"
    assert settings["metric"] == "loss" and settings["direction"] == "minimize"
    # Beyond 2**53 a seed is text: as a number Excel would round it.
    assert settings["seed"] == str(STUDY_SEED)
    assert json.loads(settings["space"]) == record.space
    assert json.loads(settings["searcher"]) == record.searcher
    assert json.loads(settings["scheduler"]) == record.scheduler
    for digest, snapshot in study.code_snapshots.items():
        prefix = f"code.{digest}."
        assert settings[prefix + "source_sha256"] == snapshot["source_sha256"]
        assert settings[prefix + "objective.qualname"] == "objective"
        if snapshot["git"]:
            assert settings[prefix + "git.commit"] == snapshot["git"]["commit"]
            assert settings[prefix + "git.dirty"] == snapshot["git"]["dirty"]
        assert not any(k.startswith(prefix) and k.endswith(".diff") for k in settings)


# --- tensorboard ----------------------------------------------------------


@pytest.fixture(scope="module")
def tensorboard_dir(study, tmp_path_factory) -> Path:
    pytest.importorskip("tensorboard")
    return export_tensorboard(study, tmp_path_factory.mktemp("tb") / "logs")


TEXT_HPARAMS = {"größe", "opt", "flag", "widths", "prompt", "max_depth"}


def _accumulator(folder: Path):
    from tensorboard.backend.event_processing import event_accumulator as ea

    accumulator = ea.EventAccumulator(str(folder), size_guidance={ea.TENSORS: 0})
    accumulator.Reload()
    return accumulator


def _scalars(accumulator, tag):
    from tensorboard.util import tensor_util

    return [
        (e.step, tensor_util.make_ndarray(e.tensor_proto).item())
        for e in accumulator.Tensors(tag)
    ]


def _same_float32(got: float, want: float) -> bool:
    want32 = float(np.float32(want))
    return (math.isnan(got) and math.isnan(want32)) or got == want32


def test_tensorboard_experiment_lists_hparams_with_domains_and_metrics(
    study, tensorboard_dir
):
    from tensorboard.plugins.hparams import api_pb2, metadata

    root = _accumulator(tensorboard_dir)
    content = root.PluginTagToContent("hparams")[metadata.EXPERIMENT_TAG]
    experiment = metadata.parse_experiment_plugin_data(content)
    assert experiment.time_created_secs == study.record.created_at
    infos = {h.name: h for h in experiment.hparam_infos}
    assert list(infos) == PARAMS
    assert infos["lr"].type == api_pb2.DATA_TYPE_FLOAT64
    assert (
        infos["lr"].domain_interval.min_value,
        infos["lr"].domain_interval.max_value,
    ) == (1e-4, 0.1)
    assert (
        infos["layers"].domain_interval.min_value,
        infos["layers"].domain_interval.max_value,
    ) == (1, 4)
    discrete = {
        name: [
            getattr(v, v.WhichOneof("kind")) for v in infos[name].domain_discrete.values
        ]
        for name in ("größe", "flag", "batch", "widths", "opt", "max_depth")
    }
    assert discrete == {
        "größe": ["東京", "klein", "=1+1"],
        "flag": ["true", "false", "null"],
        "batch": [16.0, 32.0, 64.0],
        "widths": ["[8, 16]", "[32]"],
        "opt": ["sgd", "adam"],
        "max_depth": ["null", "8", "16"],
    }
    assert infos["größe"].type == api_pb2.DATA_TYPE_STRING
    assert infos["batch"].type == api_pb2.DATA_TYPE_FLOAT64
    # Mixed choices (None or a number) are all text, as one hparam has one type.
    assert infos["max_depth"].type == api_pb2.DATA_TYPE_STRING
    assert "opt is sgd" in infos["momentum"].description
    assert [m.name.tag for m in experiment.metric_infos] == [
        "final/loss",
        "final/acc",
        "final/big",
        "final/neg",
        "loss",
        "tuneops/resource",
    ]


def test_tensorboard_runs_hold_sessions_and_scalars_of_each_trial(
    study, tensorboard_dir
):
    from tensorboard.plugins.hparams import api_pb2, metadata

    trials = ran(study)
    assert len(trials) == len(study.trials) - 1  # the queued trial never ran
    runs = sorted(p.name for p in tensorboard_dir.iterdir() if p.is_dir())
    assert runs == [f"trial-{t.number:04d}" for t in trials]
    for trial in trials:
        run = _accumulator(tensorboard_dir / f"trial-{trial.number:04d}")
        contents = run.PluginTagToContent("hparams")
        start = metadata.parse_session_start_info_plugin_data(
            contents[metadata.SESSION_START_INFO_TAG]
        )
        assert start.start_time_secs == trial.started_at
        hparams = {
            k: getattr(v, v.WhichOneof("kind")) for k, v in start.hparams.items()
        }
        expected = {
            name: as_text(value) if name in TEXT_HPARAMS else float(value)
            for name, value in trial.config.items()
        }
        assert hparams == expected
        assert ("momentum" in hparams) == (trial.config["opt"] == "sgd")

        if trial.status is TrialStatus.RUNNING:
            assert metadata.SESSION_END_INFO_TAG not in contents
        else:
            end = metadata.parse_session_end_info_plugin_data(
                contents[metadata.SESSION_END_INFO_TAG]
            )
            assert end.end_time_secs == trial.finished_at
            failed = trial.status is TrialStatus.FAILED
            assert end.status == (
                api_pb2.STATUS_FAILURE if failed else api_pb2.STATUS_SUCCESS
            )

        reported = study.intermediate_values(trial.number)
        got = _scalars(run, "loss") if reported else []
        assert [s for s, _ in got] == [step for _, step, _ in reported]
        assert all(
            _same_float32(g, w) for (_, g), (_, _, w) in zip(got, reported, strict=True)
        )
        tags = run.Tags()["tensors"]
        for name in ("loss", "acc", "big", "neg"):
            want = [
                (e.rung, e.metrics[name])
                for e in trial.evaluations
                if name in e.metrics
            ]
            got = _scalars(run, f"final/{name}") if want else []
            assert want or f"final/{name}" not in tags
            assert [s for s, _ in got] == [r for r, _ in want]
            assert all(
                _same_float32(g, w) for (_, g), (_, w) in zip(got, want, strict=True)
            )
        assert "final/note" not in tags and "final/ok" not in tags
        resources = [(e.rung, float(e.resource)) for e in trial.evaluations]
        if resources:
            assert _scalars(run, "tuneops/resource") == resources


def test_tensorboard_hparams_plugin_shows_each_trials_final_metrics(
    study, tensorboard_dir
):
    from tensorboard import context
    from tensorboard.backend.event_processing import data_provider
    from tensorboard.backend.event_processing import plugin_event_multiplexer as pem
    from tensorboard.plugins import base_plugin
    from tensorboard.plugins.hparams import (
        api_pb2,
        backend_context,
        get_experiment,
        list_session_groups,
    )

    # What the HParams tab asks the server for, answered by its own handlers.
    multiplexer = pem.EventMultiplexer()
    multiplexer.AddRunsFromDirectory(str(tensorboard_dir))
    multiplexer.Reload()
    tb_context = base_plugin.TBContext(
        logdir=str(tensorboard_dir),
        multiplexer=multiplexer,
        data_provider=data_provider.MultiplexerDataProvider(
            multiplexer, str(tensorboard_dir)
        ),
    )
    backend = backend_context.Context(tb_context)
    request_context = context.RequestContext()
    experiment = get_experiment.Handler(
        request_context, backend, "", api_pb2.GetExperimentRequest()
    ).run()
    request = api_pb2.ListSessionGroupsRequest(
        start_index=0,
        slice_size=100,
        allowed_statuses=[
            api_pb2.STATUS_UNKNOWN,
            api_pb2.STATUS_SUCCESS,
            api_pb2.STATUS_FAILURE,
            api_pb2.STATUS_RUNNING,
        ],
    )
    for info in experiment.hparam_infos:
        request.col_params.add(hparam=info.name)
    for info in experiment.metric_infos:
        request.col_params.add(metric=info.name)
    groups = list_session_groups.Handler(request_context, backend, "", request).run()

    by_name = {g.name: g for g in groups.session_groups}
    assert set(by_name) == {f"trial-{t.number:04d}" for t in ran(study)}
    for trial in ran(study):
        group = by_name[f"trial-{trial.number:04d}"]
        values = {m.name.tag: m.value for m in group.metric_values}
        if any(e.value is not None for e in trial.evaluations):
            assert _same_float32(values["final/loss"], trial.evaluations[-1].value)
            assert values["final/big"] == INF and values["final/neg"] == -INF
            assert values["tuneops/resource"] == trial.evaluations[-1].resource
        else:
            assert "final/loss" not in values
        assert group.hparams["größe"].string_value == trial.config["größe"]


def test_tensorboard_refuses_a_folder_with_files(study, tensorboard_dir):
    with pytest.raises(ConfigError, match="not an empty folder"):
        export_tensorboard(study, tensorboard_dir)


# --- mlflow ---------------------------------------------------------------

DOUBLE_MAX = sys.float_info.max


@pytest.fixture(scope="module")
def mlflow_export(study, tmp_path_factory):
    pytest.importorskip("mlflow")
    folder = tmp_path_factory.mktemp("mlflow")
    return export_mlflow(study, f"sqlite:///{folder / 'mlflow.db'}")


@pytest.fixture(scope="module")
def client(mlflow_export):
    from mlflow.tracking import MlflowClient

    return MlflowClient(tracking_uri=mlflow_export.tracking_uri)


def _mlflow_value(value: float) -> float:
    # MLflow's SQL stores keep NaN but cannot hold ±inf: they store ±DBL_MAX.
    if math.isinf(value):
        return DOUBLE_MAX if value > 0 else -DOUBLE_MAX
    return value


def _same(got: float, want: float) -> bool:
    want = _mlflow_value(want)
    return (math.isnan(got) and math.isnan(want)) or got == want


def test_mlflow_parent_run_holds_the_study(study, mlflow_export, client):
    experiment = client.get_experiment(mlflow_export.experiment_id)
    assert experiment.name == "größe-study" == mlflow_export.experiment_name
    runs = client.search_runs([experiment.experiment_id])
    parents = [r for r in runs if "mlflow.parentRunId" not in r.data.tags]
    assert [p.info.run_id for p in parents] == [mlflow_export.parent_run_id]
    parent = parents[0]
    assert parent.info.run_name == "größe-study"
    assert parent.data.tags["tuneops.run"] == "study"
    assert parent.data.tags["tuneops.study"] == "größe-study"
    params = parent.data.params
    assert params["seed"] == str(STUDY_SEED)
    assert params["metric"] == "loss" and params["direction"] == "minimize"
    assert json.loads(params["scheduler"]) == study.record.scheduler
    assert json.loads(params["space.größe"]) == study.record.space["größe"]
    assert json.loads(params["space.dropout_"]) == study.record.space["dropout%"]
    assert params["best_trial"] == str(study.best_trial.number)
    assert parent.data.metrics["best/loss"] == study.best_value
    assert json.loads(parent.data.tags["tuneops.renamed"]) == {
        "space.dropout_": "space.dropout%",
        "dropout_": "dropout%",
    }
    starts = [t.started_at for t in ran(study)]
    assert parent.info.start_time == round(min(starts) * 1000)
    # A trial still runs, so the study's run is not ended.
    assert parent.info.status == "RUNNING" and parent.info.end_time is None


def test_mlflow_child_runs_hold_params_times_and_tags(study, mlflow_export, client):
    children = client.search_runs(
        [mlflow_export.experiment_id],
        f"tags.mlflow.parentRunId = '{mlflow_export.parent_run_id}'",
    )
    by_number = {int(r.data.tags["tuneops.trial"]): r for r in children}
    assert sorted(by_number) == [t.number for t in ran(study)]
    assert {n: r.info.run_id for n, r in by_number.items()} == dict(
        mlflow_export.run_ids
    )
    environments, codes = study.environments, study.code_snapshots
    for trial in ran(study):
        run = by_number[trial.number]
        assert run.info.run_name == f"trial-{trial.number:04d}"
        assert run.info.start_time == round(trial.started_at * 1000)
        status = {
            TrialStatus.COMPLETED: "FINISHED",
            TrialStatus.STOPPED: "FINISHED",
            TrialStatus.FAILED: "FAILED",
            TrialStatus.RUNNING: "RUNNING",
        }[trial.status]
        assert run.info.status == status
        if trial.finished_at is None:
            assert run.info.end_time is None
        else:
            assert run.info.end_time == round(trial.finished_at * 1000)

        expected = {
            "tuneops.number": str(trial.number),
            "tuneops.seed": str(trial.seed),
            "tuneops.resource": str(trial.resource),
        }
        for name, value in trial.config.items():
            text = as_text(value)
            if len(text) > 6000:
                text = text[:5997] + "..."
            expected["dropout_" if name == "dropout%" else name] = text
        assert run.data.params == expected

        tags = run.data.tags
        assert tags["tuneops.status"] == trial.status.value
        assert tags.get("tuneops.error") == trial.error
        if trial.metrics:
            note = trial.metrics["note"]
            want = note if len(note) <= 8000 else note[:7997] + "..."
            assert tags["tuneops.metric.note"] == want
            assert tags["tuneops.metric.ok"] == "true"
        if trial.environment is None:  # the trial asked for but not told
            assert not any(
                k.startswith(("tuneops.env.", "tuneops.code.")) for k in tags
            )
            continue
        environment = environments[trial.environment]
        assert tags["tuneops.env.digest"] == trial.environment
        assert tags["tuneops.env.python"] == environment["python"]["version"]
        assert tags["tuneops.env.hostname"] == environment["hostname"]
        assert tags["tuneops.env.cpu"] == environment["cpu"]["model"]
        gpus = ", ".join(g["name"] for g in environment["gpus"]) or "none"
        assert tags["tuneops.env.gpus"] == gpus
        assert tags["tuneops.env.packages.numpy"] == environment["packages"]["numpy"]
        code = codes[trial.code]
        assert tags["tuneops.code.digest"] == trial.code
        assert tags["tuneops.code.source_sha256"] == code["source_sha256"]
        if code["git"]:
            assert tags["tuneops.code.commit"] == code["git"]["commit"]
            assert tags["mlflow.source.git.commit"] == code["git"]["commit"]
            assert tags["tuneops.code.dirty"] == str(code["git"]["dirty"]).lower()
        else:
            assert "tuneops.code.commit" not in tags


def test_mlflow_metric_histories_hold_intermediate_and_final_values(
    study, mlflow_export, client
):
    for trial in ran(study):
        run_id = mlflow_export.run_ids[trial.number]
        ended = {e.rung: round(e.finished_at * 1000) for e in trial.evaluations}
        history = sorted(
            client.get_metric_history(run_id, "loss"),
            key=lambda m: (m.timestamp, m.step),
        )
        reported = study.intermediate_values(trial.number)
        assert [m.step for m in history] == [step for _, step, _ in reported]
        assert all(
            _same(m.value, value)
            for m, (_, _, value) in zip(history, reported, strict=True)
        )
        if trial.evaluations:
            assert [m.timestamp for m in history] == [ended[r] for r, _, _ in reported]
        for name in ("loss", "acc", "big", "neg"):
            history = sorted(
                client.get_metric_history(run_id, f"final/{name}"), key=lambda m: m.step
            )
            want = [
                (e.rung, e.metrics[name])
                for e in trial.evaluations
                if name in e.metrics
            ]
            assert [m.step for m in history] == [rung for rung, _ in want]
            assert all(
                _same(m.value, v) for m, (_, v) in zip(history, want, strict=True)
            )
        resources = client.get_metric_history(run_id, "tuneops/resource")
        assert sorted((m.step, m.value) for m in resources) == [
            (e.rung, float(e.resource)) for e in trial.evaluations
        ]
        (duration,) = client.get_metric_history(run_id, "tuneops/duration_s")
        assert duration.value == trial.duration
    tokyo = client.get_metric_history(mlflow_export.run_ids[0], "loss")
    values = [m.value for m in sorted(tokyo, key=lambda m: (m.timestamp, m.step))]
    assert math.isnan(values[0]) and values[1:3] == [DOUBLE_MAX, -DOUBLE_MAX]


def test_mlflow_refuses_a_second_export_into_the_same_experiment(study, mlflow_export):
    with pytest.raises(ConfigError, match="holds an export of study 'größe-study'"):
        export_mlflow(study, mlflow_export.tracking_uri)
    again = export_mlflow(study, mlflow_export.tracking_uri, experiment="東京 runs")
    assert again.experiment_name == "東京 runs"
    assert again.experiment_id != mlflow_export.experiment_id
    assert len(again.run_ids) == len(ran(study))


def test_mlflow_bad_tracking_uri_is_a_config_error(study):
    pytest.importorskip("mlflow")
    with pytest.raises(ConfigError, match="cannot open the tracking URI 'nosuch://x'"):
        export_mlflow(study, "nosuch://x")


# --- missing packages -------------------------------------------------------


@pytest.mark.parametrize(
    ("module", "export", "message"),
    [
        (
            "openpyxl",
            export_xlsx,
            "The xlsx export needs openpyxl: pip install 'tuneops[xlsx]' (from a "
            "clone of tuneops: pip install -e '.[xlsx]').",
        ),
        (
            "tensorboard",
            export_tensorboard,
            "The tensorboard export needs tensorboard: "
            "pip install 'tuneops[tensorboard]' (from a clone of tuneops: "
            "pip install -e '.[tensorboard]').",
        ),
        (
            "mlflow",
            export_mlflow,
            "The mlflow export needs mlflow-skinny (or mlflow): "
            "pip install 'tuneops[mlflow]' (from a clone of tuneops: "
            "pip install -e '.[mlflow]').",
        ),
    ],
)
def test_a_missing_package_says_which_extra_to_install(
    study, tmp_path, monkeypatch, module, export, message
):
    # A None entry in sys.modules makes `import module` fail as if uninstalled.
    monkeypatch.setitem(sys.modules, module, None)
    with pytest.raises(ConfigError) as caught:
        export(study, tmp_path / "out")
    assert str(caught.value) == message


def test_a_study_without_a_resource_has_no_resource_scalars(tmp_path):
    pytest.importorskip("tensorboard")
    from tensorboard.plugins.hparams import metadata

    study = Study.create("fifo", Space({"x": Float(0.0, 1.0)}), storage="memory")

    def objective(trial):
        trial.report(trial.config["x"] * 2, 0)
        return trial.config["x"]

    study.optimize(objective, n_trials=2, capture_output=False)
    folder = export_tensorboard(study, tmp_path / "tb")
    content = _accumulator(folder).PluginTagToContent("hparams")[
        metadata.EXPERIMENT_TAG
    ]
    experiment = metadata.parse_experiment_plugin_data(content)
    assert [m.name.tag for m in experiment.metric_infos] == ["final/value", "value"]
    for trial in study.trials:
        run = _accumulator(folder / f"trial-{trial.number:04d}")
        assert "tuneops/resource" not in run.Tags()["tensors"]
        assert _same_float32(_scalars(run, "final/value")[0][1], trial.value)
        assert _scalars(run, "value") == [(0, float(np.float32(trial.config["x"] * 2)))]


def test_tensorboard_marks_refit_repeats_with_their_source(tmp_path):
    from tensorboard.plugins.hparams import metadata

    study = Study.create(
        "refits",
        {"x": {"type": "float", "low": 0, "high": 1}},
        storage=tmp_path / "t.db",
        seed=1,
    )
    study.optimize(lambda t: t.config["x"], n_trials=3)
    (refit,) = study.refit_best(lambda t: t.config["x"], k=1, repeats=2)
    folder = export_tensorboard(study, tmp_path / "tb")

    top = _accumulator(folder).PluginTagToContent("hparams")
    experiment = metadata.parse_experiment_plugin_data(top[metadata.EXPERIMENT_TAG])
    assert "tuneops.refit_of" in [info.name for info in experiment.hparam_infos]
    for trial in study.trials:
        run = _accumulator(folder / f"trial-{trial.number:04d}")
        start = metadata.parse_session_start_info_plugin_data(
            run.PluginTagToContent("hparams")[metadata.SESSION_START_INFO_TAG]
        )
        if trial.number in refit.trials:
            assert start.hparams["tuneops.refit_of"].number_value == refit.source
        else:
            assert "tuneops.refit_of" not in start.hparams
