"""`tuneops logs`, `tuneops rerun` and the cost line of `tuneops show`."""

from __future__ import annotations

import re
import socket

import pytest

from tests.cli.test_cli import OBJECTIVE, STUDY, run
from tuneops import Study

PRINTING = (
    OBJECTIVE
    + """

def chatty(trial, shift=0.0, pause=0.0):
    print(f"training x={trial.config['x']:.4f} for {trial.resource} epochs")
    return quad(trial, shift, pause)
"""
)


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    (tmp_path / "obj.py").write_text(PRINTING)
    (tmp_path / "study.yaml").write_text(STUDY.replace("obj.py:quad", "obj.py:chatty"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_logs_print_each_rung_of_a_trial(workdir):
    run("-q", "tune", "study.yaml")
    study = Study.load("toy", "sqlite:///tuneops.db")
    promoted = next(t for t in study.trials if len(t.evaluations) >= 2)

    code, out = run("logs", "toy", str(promoted.number))

    assert code == 0
    x = f"{promoted.config['x']:.4f}"
    for evaluation in promoted.evaluations:
        assert f"training x={x} for {evaluation.resource} epochs" in out
        assert f"rung {evaluation.rung}, resource {evaluation.resource}" in out


def test_logs_of_missing_trials_exit_2(workdir):
    run("-q", "tune", "study.yaml")
    code, out = run("logs", "toy", "999")
    assert code == 2 and "TRIAL must be a trial number" in out
    code, out = run("logs", "nope", "0")
    assert code == 2 and "No study named 'nope'" in out


def test_rerun_reproduces_and_then_sees_an_edit(workdir):
    run("-q", "tune", "study.yaml")
    study = Study.load("toy", "sqlite:///tuneops.db")
    best = study.best_trial

    code, out = run("rerun", "toy", str(best.number))
    assert code == 0, out
    assert "Reproduced exactly." in out
    assert "another environment" not in out

    (workdir / "obj.py").write_text(PRINTING.replace("1.0 / trial", "2.0 / trial"))
    code, out = run("rerun", "toy", str(best.number))
    assert code == 0
    assert "SHA-256 differs" in out
    assert "Differs from the recorded value by" in out


def test_rerun_with_another_objective_and_resource(workdir):
    run("-q", "tune", "study.yaml")
    study = Study.load("toy", "sqlite:///tuneops.db")
    promoted = next(t for t in study.trials if len(t.evaluations) >= 2)
    low = promoted.evaluations[0]

    code, out = run(
        "rerun",
        "toy",
        str(promoted.number),
        "--objective",
        "obj.py:quad",
        "--resource",
        str(low.resource),
    )

    assert code == 0, out
    # quad without objective_args has shift 0: (x - 0)^2 instead of (x - 1)^2.
    expected = promoted.config["x"] ** 2 + 1.0 / low.resource
    assert f"{expected:.6g}" in out
    code, out = run("rerun", "toy", str(promoted.number), "--resource", "1000")
    assert code == 2 and "`resource` must be one" in out


def test_show_prints_the_cost_with_given_prices(workdir):
    run("-q", "tune", "study.yaml")
    study = Study.load("toy", "sqlite:///tuneops.db")
    cpu_hours = sum(t.cpu_time for t in study.trials) / 3600

    code, out = run("show", "toy", "--cpu-price", "1000000", "--gpu-price", "0")

    assert code == 0
    match = re.search(
        r"Cost of (\d+) trials: .* estimated \$([\d,.]+) at \$1e\+06", out
    )
    assert match, out
    assert int(match.group(1)) == len(study.trials)
    assert float(match.group(2).replace(",", "")) == pytest.approx(
        cpu_hours * 1e6, abs=0.006
    )
    (digest,) = study.environments
    assert f"Environment {digest}: {socket.gethostname()}, Python " in out
    assert f"{workdir / 'obj.py'}:chatty" in out
    assert "not in git" in out


def test_bad_price_exits_2(workdir, monkeypatch):
    run("-q", "tune", "study.yaml")
    code, out = run("show", "toy", "--cpu-price", "-1")
    assert code == 2 and "dollars per hour >= 0" in out
    monkeypatch.setenv("TUNEOPS_GPU_HOUR_PRICE", "cheap")
    code, out = run("show", "toy")
    assert code == 2 and "$TUNEOPS_GPU_HOUR_PRICE must be a price" in out


def test_logs_of_a_silent_trial_and_capture_turned_off(workdir):
    quiet = (workdir / "study.yaml").read_text() + "capture_output: false\n"
    (workdir / "study.yaml").write_text(quiet)
    code, out = run("-q", "tune", "study.yaml")

    assert code == 0
    assert "training x=" in out
    code, out = run("logs", "toy", "0")
    assert code == 0 and "printed and logged nothing" in out


def test_refit_uses_the_recorded_objective_and_records_the_repeats(workdir):
    run("-q", "tune", "study.yaml")
    before = len(Study.load("toy", "sqlite:///tuneops.db").trials)

    code, out = run("-q", "refit", "toy", "--k", "2", "--repeats", "2")

    assert code == 0, out
    study = Study.load("toy", "sqlite:///tuneops.db")
    refits = study.trials[before:]
    assert len(refits) == 4
    assert all(t.resource == 9 and t.note.startswith("refit of trial") for t in refits)
    sources = {int(t.note.split()[3]) for t in refits}
    for source in sources:
        values = [t.value for t in refits if int(t.note.split()[3]) == source]
        mean = sum(values) / len(values)
        row = next(
            line for line in out.splitlines() if line.startswith(f"│ {source:>5} │")
        )
        assert f"{mean:.6g}" in row
    code, out = run("refit", "toy", "--objective", "obj.py:nope")
    assert code == 2 and "has no function of that name" in out


def test_read_only_commands_do_not_create_a_database(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for args in (
        ["list"],
        ["show", "toy"],
        ["logs", "toy", "0"],
        ["export", "toy"],
        ["show", "toy", "--storage", "sqlite:///other.db"],
    ):
        code, out = run(*args)
        assert code == 2, (args, out)
        assert "does not exist" in out
    assert list(tmp_path.iterdir()) == []
    code, out = run("show", "toy", "--storage", "foo://bar")
    assert code == 2 and "database kind 'foo'" in out


def test_diff_prints_the_recorded_uncommitted_change(tmp_path, monkeypatch):
    import subprocess

    repo = tmp_path / "proj"
    repo.mkdir()
    (repo / "obj.py").write_text(PRINTING)
    (repo / "study.yaml").write_text(STUDY.replace("obj.py:quad", "obj.py:chatty"))
    git = ["git", "-C", str(repo), "-c", "user.email=t@t", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "obj.py"], check=True)
    subprocess.run([*git, "commit", "-qm", "first"], check=True)
    with open(repo / "obj.py", "a") as file:
        file.write("# a local tweak\n")
    monkeypatch.chdir(repo)
    run("-q", "tune", "study.yaml")

    code, out = run("diff", "toy")

    assert code == 0, out
    assert "uncommitted changes" in out
    assert "+# a local tweak" in out
    assert "untracked source files: none" in out
    code, out = run("diff", "toy", "--code", "nope")
    assert code == 2 and "`--code` must be a code snapshot" in out


def test_rerun_strict_exits_1_when_the_value_changes(workdir):
    run("-q", "tune", "study.yaml")
    (workdir / "obj.py").write_text(PRINTING.replace("1.0 / trial", "2.0 / trial"))
    code, out = run("rerun", "toy", "0", "--strict")
    assert "Differs from the recorded value" in out
    assert code == 1
    code, _ = run("rerun", "toy", "0", "--strict", "--objective", "obj.py:quad")
    assert code == 1  # quad without objective_args: another value too
