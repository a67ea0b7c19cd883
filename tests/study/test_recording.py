"""What every trial records: snapshots, seeds, CPU time, logs; and reruns."""

from __future__ import annotations

import logging
import os
import random
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from tuneops import ConfigError, Float, Space, Study
from tuneops.record import Prices
from tuneops.study._objective_import import import_file

from ..conftest import REPO, unique_name

SPACE = Space({"x": Float(0.0, 1.0)})

OBJECTIVE_FILE = '''
import random
import time

import numpy as np


def objective(trial, offset=0.0):
    """Deterministic given the trial's seed: draws from the global generators."""
    start = time.process_time()
    total = 0
    while time.process_time() - start < 0.03:
        total += 1
    draw = float(np.random.rand()) + random.random()
    return {"value": trial.config["x"] + draw + offset,
            "cpu": time.process_time() - start}
'''


@pytest.fixture
def objective_file(tmp_path: Path) -> Path:
    file = tmp_path / "objective_mod.py"
    file.write_text(OBJECTIVE_FILE)
    return file


def test_snapshots_and_digests_are_stored(storage_url, objective_file):
    objective = import_file(objective_file).objective
    study = Study.create(unique_name(), SPACE, storage=storage_url, seed=3)
    study.optimize(objective, n_trials=3)
    again = Study.load(study.name, study.storage)

    environments = again.environments
    codes = again.code_snapshots
    assert len(environments) == 1 and len(codes) == 1
    (env_digest, env), (code_digest, code) = *environments.items(), *codes.items()
    assert env["packages"]["numpy"] == np.__version__
    assert code["objective"]["file"] == str(objective_file.resolve())
    assert code["source_sha256"]
    for trial in again.trials:
        assert trial.environment == env_digest
        assert trial.code == code_digest


def test_cpu_time_is_what_the_objective_used(objective_file):
    objective = import_file(objective_file).objective
    study = Study.create("cpu", SPACE, storage="memory", seed=1)
    study.optimize(objective, n_trials=3)

    for trial in study.trials:
        own = trial.metrics["cpu"]
        assert own >= 0.03
        # The meter wraps the objective, so it sees at least its own count and
        # little more (seeding, the log capture).
        assert own <= trial.cpu_time <= own + 0.05
        assert trial.gpu_time == 0.0
        assert trial.duration >= trial.cpu_time * 0.5
    cost = study.cost(Prices(cpu_core_hour=3600.0, gpu_hour=0.0))
    assert cost.cpu_time == pytest.approx(sum(t.cpu_time for t in study.trials))
    assert cost.dollars == pytest.approx(cost.cpu_time)


def test_cpu_time_sums_over_rungs():
    def objective(trial):
        start = time.process_time()
        while time.process_time() - start < 0.005 * trial.resource:
            pass
        return trial.config["x"]

    study = Study.create(
        "rungs",
        SPACE,
        storage="memory",
        seed=2,
        scheduler={
            "type": "successive_halving",
            "min_resource": 1,
            "max_resource": 4,
            "reduction_factor": 2,
        },
    )
    study.optimize(objective, n_trials=4)
    top = max(study.trials, key=lambda t: len(t.evaluations))

    assert [e.resource for e in top.evaluations] == [1, 2, 4]
    assert top.cpu_time >= 0.005 * (1 + 2 + 4)


def test_trial_seed_drives_the_global_generators():
    def objective(trial):
        return float(np.random.rand()) + random.random()

    study = Study.create("seeded", SPACE, storage="memory", seed=11)
    study.optimize(objective, n_trials=4)

    for trial in study.trials:
        expected = np.random.RandomState(trial.seed).rand()
        expected += random.Random(trial.seed).random()
        assert trial.value == expected
    unseeded = Study.create("unseeded", SPACE, storage="memory", seed=11)
    unseeded.optimize(objective, n_trials=4, seed_everything=False)
    assert [t.value for t in unseeded.trials] != [t.value for t in study.trials]


def test_output_and_logs_go_to_the_trial_log(capsys):
    logger = logging.getLogger("user.model")
    logger.setLevel(logging.INFO)

    def objective(trial):
        print(f"fitting x={trial.config['x']:.3f}")
        print("to stderr", file=sys.stderr)
        logger.info("epoch %d done", trial.resource)
        return trial.config["x"]

    study = Study.create(
        "logs",
        SPACE,
        storage="memory",
        seed=5,
        scheduler={
            "type": "successive_halving",
            "min_resource": 1,
            "max_resource": 2,
            "reduction_factor": 2,
        },
    )
    study.optimize(objective, n_trials=2)
    printed = capsys.readouterr()

    assert "fitting" not in printed.out and "to stderr" not in printed.err
    promoted = next(t for t in study.trials if len(t.evaluations) == 2)
    text = study.log_path(promoted.number).read_text()
    assert text.count("===== trial") == 2
    assert "rung 0, resource 1" in text and "rung 1, resource 2" in text
    assert f"fitting x={promoted.config['x']:.3f}" in text
    assert "to stderr" in text
    assert "INFO user.model: epoch 1 done" in text
    assert "INFO user.model: epoch 2 done" in text


def test_a_program_without_logging_setup_keeps_info_lines_and_warnings(tmp_path):
    program = textwrap.dedent(
        """
        import logging, warnings
        import tuneops

        def objective(trial):
            logging.getLogger("model").info("info line %d", trial.number)
            warnings.warn("a user warning", UserWarning, stacklevel=1)
            return 1.0

        study = tuneops.Study.create(
            "w", {"x": {"type": "float", "low": 0, "high": 1}}, storage="memory"
        )
        study.optimize(objective, n_trials=1)
        print(study.log_path(0).read_text())
        print("root level after:", logging.getLogger().level)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    )

    assert "INFO model: info line 0" in done.stdout
    assert "UserWarning: a user warning" in done.stdout
    assert "root level after: 30" in done.stdout
    assert "a user warning" not in done.stderr


def test_capture_can_be_turned_off(capsys):
    def objective(trial):
        print("visible")
        return 1.0

    study = Study.create("no-capture", SPACE, storage="memory", seed=5)
    study.optimize(objective, n_trials=1, capture_output=False)

    assert "visible" in capsys.readouterr().out
    assert not study.log_path(0).exists()


def test_failure_is_written_to_the_log():
    def objective(trial):
        print("about to fail")
        raise RuntimeError("diverged")

    study = Study.create("fail-log", SPACE, storage="memory", seed=5)
    study.optimize(objective, n_trials=1)

    text = study.log_path(0).read_text()
    assert "about to fail" in text
    assert "The objective raised RuntimeError: diverged" in text


def test_ask_and_tell_record_the_given_times():
    study = Study.create("asktell", SPACE, storage="memory", seed=5)
    trial = study.ask()
    record = study.tell(trial, 0.5, cpu_time=12.5, gpu_time=3.0)

    assert (record.cpu_time, record.gpu_time) == (12.5, 3.0)
    assert record.environment in study.environments
    with pytest.raises(ConfigError, match="cpu_time"):
        study.tell(study.ask(), 0.5, cpu_time=-1)


def test_rerun_reproduces_the_recorded_value(tmp_path, objective_file):
    module = import_file(objective_file)
    study = Study.create("rerun", SPACE, storage=tmp_path / "t.db", seed=9)
    study.optimize(module.objective, n_trials=3)

    result = study.rerun(1)

    assert result.recorded == study.trials[1].value
    assert result.value == result.recorded
    assert result.reproduced
    assert result.differences == []
    assert result.seed == study.trials[1].seed


def test_rerun_after_an_edit_says_what_changed(tmp_path, objective_file, caplog):
    module = import_file(objective_file)
    study = Study.create("edited", SPACE, storage=tmp_path / "t.db", seed=9)
    study.optimize(module.objective, n_trials=2)
    objective_file.write_text(OBJECTIVE_FILE.replace("offset=0.0", "offset=1.0"))

    with caplog.at_level(logging.WARNING, logger="tuneops"):
        result = study.rerun(0)

    assert result.value == pytest.approx(result.recorded + 1.0)
    assert not result.reproduced
    assert any("SHA-256 differs" in line for line in result.code_differences)
    assert "SHA-256 differs" in caplog.text


def test_rerun_of_a_promoted_trial_starts_from_scratch(tmp_path):
    seen: list[tuple[int, bool]] = []

    def objective(trial):
        resumed = (trial.checkpoint_dir / "state").exists()
        (trial.checkpoint_dir / "state").write_text("x")
        seen.append((trial.resource, resumed))
        for step in range(trial.resource):
            trial.report(trial.config["x"] / (step + 1), step)
        return trial.config["x"] / trial.resource

    study = Study.create(
        "mf-rerun",
        SPACE,
        storage=tmp_path / "t.db",
        seed=4,
        scheduler={
            "type": "successive_halving",
            "min_resource": 1,
            "max_resource": 4,
            "reduction_factor": 2,
        },
    )
    study.optimize(objective, n_trials=4)
    top = max(study.trials, key=lambda t: len(t.evaluations))
    stored = study.intermediate_values(top.number)
    seen.clear()

    result = study.rerun(top.number, objective)

    assert result.resource == 4
    assert seen == [(4, False)]
    assert result.value == result.recorded
    assert result.reports == [(s, top.config["x"] / (s + 1)) for s in range(4)]
    assert study.intermediate_values(top.number) == stored
    assert len(study.trials) == 4


def test_rerun_errors_name_the_problem():
    study = Study.create("rerun-errors", SPACE, storage="memory", seed=1)
    trial = study.ask()
    study.tell(trial, 1.0)
    failed = study.ask()
    study.tell(failed, error="broken")

    with pytest.raises(ConfigError, match="`number` must be a trial"):
        study.rerun(7)
    with pytest.raises(ConfigError, match="no recorded result"):
        study.rerun(1, lambda t: 1.0)
    with pytest.raises(ConfigError, match="recorded no importable objective"):
        study.rerun(0)
    with pytest.raises(ConfigError, match="`resource` must be one"):
        study.rerun(0, lambda t: 1.0, resource=3)


def _fake_package(folder: Path, version: str) -> Path:
    info = folder / f"tuneops_fakepkg-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: tuneops-fakepkg\nVersion: {version}\n"
    )
    return folder


def test_rerun_in_another_process_flags_a_changed_package(tmp_path, objective_file):
    db = tmp_path / "t.db"
    run = textwrap.dedent(
        f"""
        import tuneops
        from tuneops.study._objective_import import import_file
        objective = import_file(__import__("pathlib").Path({str(objective_file)!r}))
        study = tuneops.Study.create("pkg", {{"x": {{"type": "float", "low": 0,
            "high": 1}}}}, storage={str(db)!r}, seed=2)
        study.optimize(objective.objective, n_trials=2)
        """
    )
    env = {**os.environ, "PYTHONPATH": str(_fake_package(tmp_path / "v1", "1.0"))}
    subprocess.run([sys.executable, "-c", run], check=True, env=env, cwd=REPO)
    env["PYTHONPATH"] = str(_fake_package(tmp_path / "v2", "2.0"))

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tuneops.cli",
            "rerun",
            "pkg",
            "1",
            "--storage",
            str(db),
        ],
        capture_output=True,
        text=True,
        env={**env, "COLUMNS": "200"},
        cwd=REPO,
    )

    assert done.returncode == 0, done.stderr
    output = done.stdout + done.stderr
    assert "package tuneops-fakepkg: 1.0 -> 2.0" in output
    assert "Reproduced exactly." in output
