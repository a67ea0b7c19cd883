"""The `tuneops` command: output, exit codes and messages."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from typer.testing import CliRunner

from tests.conftest import REPO
from tuneops import Study, StudyNotFoundError, TrialStatus
from tuneops.cli import app

runner = CliRunner()

OBJECTIVE = textwrap.dedent(
    """
    import time

    def quad(trial, shift=0.0, pause=0.0):
        time.sleep(pause)
        return {"loss": (trial.config["x"] - shift) ** 2 + 1.0 / trial.resource}

    def broken(trial):
        raise ValueError("no such column: SalePrice")
    """
)

STUDY = textwrap.dedent(
    """
    name: toy
    objective: obj.py:quad
    objective_args: {shift: 1.0}
    metric: loss
    space:
      x: {type: float, low: -5, high: 5}
      kind: [a, b]
    scheduler: {type: hyperband, min_resource: 1, max_resource: 9, reduction_factor: 3}
    n_trials: 17
    seed: 3
    """
)


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    (tmp_path / "obj.py").write_text(OBJECTIVE)
    (tmp_path / "study.yaml").write_text(STUDY)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args):
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_space_prints_grid_size_and_samples():
    code, out = run("space", str(REPO / "examples/spaces/detection.yaml"))
    assert code == 0
    assert "38,500" in out
    assert out.count("sample ") == 5
    assert "resnest200" in out


def test_tune_records_the_study_in_tuneops_db(workdir):
    code, out = run("-q", "tune", "study.yaml")
    assert code == 0, out
    assert "Best of study 'toy'" in out
    study = Study.load("toy", f"sqlite:///{workdir / 'tuneops.db'}")
    assert len(study.trials) == 17
    assert study.best_resource == 9
    assert f"{study.best_value:.6g}" in out


def test_tune_logs_one_line_per_evaluation(workdir):
    code, out = run("tune", "study.yaml")
    assert code == 0
    # Hyperband(1, 9, 3) evaluates 9 + 3 + 1, 5 + 1 and 3 times.
    assert out.count("Trial ") == 22
    assert "promoted to resource 3" in " ".join(out.split())


def test_existing_study_needs_resume_and_resume_continues(workdir):
    assert run("-q", "tune", "study.yaml", "--n-trials", "9")[0] == 0
    code, out = run("-q", "tune", "study.yaml")
    assert code == 2
    assert "already exists" in out and "--resume" in out
    code, out = run("-q", "tune", "study.yaml", "--resume")
    assert code == 0, out
    trials = Study.load("toy", "tuneops.db").trials
    assert len(trials) == 17
    assert all(t.status.is_finished for t in trials)


def test_dry_run_shows_the_plan_and_runs_nothing(workdir):
    code, out = run("tune", "study.yaml", "--dry-run")
    assert code == 0
    assert "9×1, 3×3, 1×9" in out
    assert not (workdir / "tuneops.db").exists()


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (("n_trials: 17", "n_trails: 17"), "unknown key(s) 'n_trails'"),
        (("obj.py:quad", "obj.py:missing"), "has no function of that name"),
        (("obj.py:quad", "nowhere.py:quad"), "does not exist"),
        (("low: -5, high: 5", "low: 5, high: -5"), "space"),
        (("type: hyperband", "type: hyperbolic"), "`scheduler.type` must be one of"),
        (("n_trials: 17", "n_trials: 5"), "`n_trials` must be at least 9"),
        (("n_trials: 17", "n_trials: -1"), "`n_trials` must be >= 1"),
        (("seed: 3", "seed: three"), "`seed` must be an integer"),
        (("seed: 3", "direction: minimise"), "bad.yaml: `direction` must be"),
        (("type: hyperband", "type: hyperband, foo: 1"), "bad.yaml: `scheduler`"),
        (("seed: 3", "seed: 3\ncapture_output: maybe"), "`capture_output` must be"),
    ],
)
def test_bad_study_files_exit_2_naming_the_problem(workdir, edit, expected):
    text = STUDY.replace(*edit)
    (workdir / "bad.yaml").write_text(text)
    code, out = run("tune", "bad.yaml")
    assert code == 2, out
    assert expected in " ".join(out.split())
    assert "Traceback" not in out


def test_missing_file_and_bad_yaml_exit_2(workdir):
    assert run("tune", "absent.yaml")[0] == 2
    (workdir / "broken.yaml").write_text("name: [unclosed")
    code, out = run("tune", "broken.yaml")
    assert code == 2 and "not valid YAML" in out


def test_a_study_whose_trials_all_fail_exits_1_with_the_traceback(workdir):
    (workdir / "fail.yaml").write_text(
        STUDY.replace("obj.py:quad", "obj.py:broken").replace("objective_args:", "#")
    )
    code, out = run("-q", "tune", "fail.yaml")
    assert code == 1
    assert "no such column: SalePrice" in out
    assert 'raise ValueError("no such column: SalePrice")' in out


def test_missing_data_exits_2_and_resume_reruns_the_trial(workdir):
    (workdir / "nodata.py").write_text(
        "import os\n"
        "from tuneops.datasets import data_path\n"
        "def f(trial):\n"
        "    data_path('ames_train.csv', os.environ['DATA'])\n"
        "    return trial.config['x'] ** 2\n"
    )
    (workdir / "data.yaml").write_text(
        "name: nodata\nobjective: nodata.py:f\n"
        "space: {x: {type: float, low: 0, high: 1}}\nn_trials: 3\n"
    )
    empty = workdir / "empty"
    empty.mkdir()
    os.environ["DATA"] = str(empty)
    try:
        code, out = run("-q", "tune", "data.yaml")
        assert code == 2, out
        assert "ames_train.csv" in out and "Traceback" not in out
        assert "run the same command with --resume" in out

        (empty / "ames_train.csv").write_text("Id\n1\n")
        code, out = run("-q", "tune", "data.yaml", "--resume")
        assert code == 0, out
    finally:
        del os.environ["DATA"]
    study = Study.load("nodata", "sqlite:///tuneops.db")
    assert [t.number for t in study.trials] == [0, 1, 2]
    assert all(t.status is TrialStatus.COMPLETED for t in study.trials)


def test_list_show_export(workdir):
    run("-q", "tune", "study.yaml")
    code, out = run("list")
    assert code == 0 and "toy" in out and "loss" in out
    code, out = run("show", "toy", "--top", "3")
    assert code == 0
    assert "Top 3 of" in out and "Best of study" in out
    code, out = run("export", "toy", "--format", "csv")
    assert code == 0
    lines = (workdir / "toy.csv").read_text().splitlines()
    assert len(lines) == 18
    assert lines[0].startswith("number,status,value,resource")
    assert "config.x" in lines[0] and "metric.loss" in lines[0]


def test_show_keeps_refits_out_of_the_leaderboard_and_lists_them(workdir):
    run("-q", "tune", "study.yaml")
    study = Study.load("toy", "sqlite:///tuneops.db")

    def loss(trial):
        return {"loss": (trial.config["x"] - 1.0) ** 2 + 1.0 / trial.resource}

    (refit,) = study.refit_best(loss, k=1, repeats=2)
    code, out = run("show", "toy", "--top", "30")

    assert code == 0
    leaderboard, rest = out.split("Best of study")
    rows = [
        int(line.split("│")[2])
        for line in leaderboard.splitlines()
        if line.startswith("│") and line.split("│")[1].strip().isdigit()
    ]
    assert rows and not set(rows) & set(refit.trials)
    assert Study.load("toy", "sqlite:///tuneops.db").best_trial.number not in (
        refit.trials
    )
    assert "Refits of study 'toy'" in rest
    row = next(
        line for line in rest.splitlines() if line.startswith(f"│ {refit.source:>5} │")
    )
    assert f"{refit.mean:.6g}" in row
    assert f"By the refits, trial {refit.source}'s config is best" in rest


def test_unknown_study_and_format_exit_2(workdir):
    run("-q", "tune", "study.yaml")
    code, out = run("show", "nope")
    assert code == 2 and "No study named 'nope'" in out
    code, out = run("export", "toy", "--format", "parquet")
    assert code == 2 and "`--format` must be one of csv" in out


def test_ctrl_c_stops_cleanly_and_resume_finishes(workdir):
    slow = STUDY.replace("objective_args: {shift: 1.0}", "objective_args: {pause: 0.2}")
    (workdir / "slow.yaml").write_text(slow)
    command = [sys.executable, "-m", "tuneops.cli", "-q", "tune", "slow.yaml"]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if (workdir / "tuneops.db").exists():
            try:
                trials = Study.load("toy", "tuneops.db").trials
            except StudyNotFoundError:  # the file exists before the study does
                trials = []
            if sum(t.status.value == "paused" for t in trials) >= 3:
                break
        time.sleep(0.1)
    os.kill(process.pid, signal.SIGINT)
    out, _ = process.communicate(timeout=60)
    assert process.returncode == 130, out
    assert "Interrupted" in out and "--resume" in out
    interrupted = Study.load("toy", "tuneops.db").trials
    assert any(t.status.value == "queued" for t in interrupted)
    code, _ = run("-q", "tune", "slow.yaml", "--resume")
    assert code == 0
    assert all(t.status.is_finished for t in Study.load("toy", "tuneops.db").trials)
