"""`tuneops export`: where each format writes, what it says, and its errors."""

from __future__ import annotations

import csv
import io
import sys

import pytest
from typer.testing import CliRunner

from tests.record.test_export import build_study
from tuneops.cli import app

# mlflow's SQL store uses a loader SQLAlchemy 2.1 deprecates; not ours to fix.
pytestmark = pytest.mark.filterwarnings(
    "ignore:The ``noload`` loader strategy is deprecated"
)
runner = CliRunner()
NAME = "größe-study"


@pytest.fixture(scope="module")
def storage(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('cli-export') / 'tuneops.db'}"
    build_study(url)
    return url


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(storage, *args):
    return runner.invoke(app, ["export", NAME, "--storage", storage, *args])


def test_csv_goes_to_a_named_file_by_default_and_to_stdout_with_dash(storage, workdir):
    result = run(storage)
    assert result.exit_code == 0, result.output
    target = workdir / f"{NAME}.csv"
    assert f"Wrote 9 trials of '{NAME}' to {target}." in result.output
    text = target.read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [int(r["number"]) for r in rows] == list(range(9))
    assert rows[0]["config.größe"] == "東京"

    result = run(storage, "--format", "csv", "-o", "-")
    assert result.exit_code == 0, result.output
    # The rows alone go to stdout, so that they can be piped.
    assert result.stdout == text
    assert f"Wrote 9 trials of '{NAME}' to stdout." in result.stderr


def test_xlsx_and_tensorboard_write_where_told(storage, workdir):
    openpyxl = pytest.importorskip("openpyxl")
    pytest.importorskip("tensorboard")
    result = run(storage, "-f", "xlsx", "-o", "book.xlsx")
    assert result.exit_code == 0, result.output
    assert f"to {workdir / 'book.xlsx'}." in result.output
    book = openpyxl.load_workbook(workdir / "book.xlsx")
    assert book.sheetnames == [
        "trials",
        "intermediate values",
        "environment",
        "settings",
    ]
    assert book["trials"].max_row == 1 + 9

    result = run(storage, "-f", "tensorboard")
    assert result.exit_code == 0, result.output
    folder = workdir / f"{NAME}-tensorboard"
    assert f"tensorboard --logdir {folder}" in result.output
    runs = sorted(p.name for p in folder.iterdir() if p.is_dir())
    assert runs == [f"trial-{n:04d}" for n in range(9)]
    assert any(p.name.startswith("events.out.tfevents.") for p in folder.iterdir())

    result = run(storage, "-f", "tensorboard")
    assert result.exit_code == 2
    assert "is not an empty folder" in result.output


def test_mlflow_defaults_to_sqlite_here_and_the_study_name(
    storage, workdir, monkeypatch
):
    pytest.importorskip("mlflow")
    from mlflow.tracking import MlflowClient

    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    result = run(storage, "-f", "mlflow")
    assert result.exit_code == 0, result.output
    uri = f"sqlite:///{workdir / 'mlflow.db'}"
    assert f"with 9 trial runs to MLflow experiment '{NAME}'" in result.output
    assert uri in result.output
    client = MlflowClient(tracking_uri=uri)
    experiment = client.get_experiment_by_name(NAME)
    runs = client.search_runs([experiment.experiment_id])
    assert len(runs) == 1 + 9
    assert sum("mlflow.parentRunId" in r.data.tags for r in runs) == 9

    result = run(storage, "-f", "mlflow")
    assert result.exit_code == 2
    assert "holds an export of study" in result.output

    result = run(
        storage, "-f", "mlflow", "--experiment", "again", "--tracking-uri", uri
    )
    assert result.exit_code == 0, result.output
    assert client.get_experiment_by_name("again") is not None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-f", "mlflow", "-o", "x"], "`--output` does not apply to --format mlflow"),
        (["--tracking-uri", "sqlite:///x.db"], "`--tracking-uri` applies to --format"),
        (["-f", "xlsx", "--experiment", "e"], "`--experiment` applies to --format"),
        (["-f", "xlsx", "-o", "-"], "`--output -` (stdout) works for --format csv"),
        (["-f", "parquet"], "must be one of csv, xlsx, tensorboard, mlflow"),
    ],
)
def test_options_that_do_not_fit_the_format_exit_2(storage, workdir, args, message):
    result = run(storage, *args)
    assert result.exit_code == 2
    assert message in result.output
    assert list(workdir.iterdir()) == []


def test_a_missing_package_exits_2_with_the_extra_to_install(
    storage, workdir, monkeypatch
):
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    result = run(storage, "-f", "xlsx")
    assert result.exit_code == 2
    assert (
        "The xlsx export needs openpyxl: pip install 'tuneops[xlsx]'" in result.output
    )
    assert list(workdir.iterdir()) == []
