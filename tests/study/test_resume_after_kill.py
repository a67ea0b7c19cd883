"""A study whose process is SIGKILLed resumes with nothing lost or run twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path

import pytest

from tuneops import Study, TrialStatus
from tuneops.storage import open_storage

WORKER = textwrap.dedent(
    """
    import sys, time
    from tuneops import Hyperband, Space, Study

    url, log, scheduler = sys.argv[1], sys.argv[2], sys.argv[3]
    space = Space.from_dict({"x": {"type": "float", "low": -2, "high": 2}})
    scheduler = Hyperband(1, 9, 3) if scheduler == "hyperband" else None

    def objective(trial):
        with open(log, "a") as f:
            f.write(f"{trial.number} {trial.resource}\\n")
        time.sleep(0.15)
        return (trial.config["x"] - 0.5) ** 2 + 1.0 / (trial.resource or 1)

    study = Study.create("killme", space, storage=url, scheduler=scheduler, seed=11,
                         resume=True)
    study.optimize(objective, n_trials=17 - len(study.trials))
    """
)


def _start(tmp_path: Path, url: str, log: Path, scheduler: str) -> subprocess.Popen:
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    return subprocess.Popen([sys.executable, str(script), url, str(log), scheduler])


def _wait_for_finished(url: str, count: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "the worker ended before it could be killed"
        try:
            trials = open_storage(url).load_trials("killme")
        except Exception:
            trials = []
        if sum(1 for t in trials if t.evaluations) >= count:
            return
        time.sleep(0.05)
    pytest.fail("the worker made no progress")


@pytest.mark.parametrize("scheduler", ["fifo", "hyperband"])
def test_sigkill_then_resume(tmp_path, scheduler):
    url = f"sqlite:///{tmp_path / 'kill.db'}"
    log = tmp_path / "calls.log"
    process = _start(tmp_path, url, log, scheduler)
    _wait_for_finished(url, 5, process)
    time.sleep(0.05)  # let the next trial start, so one is killed mid-run
    os.kill(process.pid, signal.SIGKILL)
    process.wait()

    before = Study.load("killme", url).trials
    running = [t.number for t in before if t.status is TrialStatus.RUNNING]
    assert len(running) == 1
    done_before = {(t.number, e.rung) for t in before for e in t.evaluations}

    resumed = _start(tmp_path, url, log, scheduler)
    assert resumed.wait(timeout=120) == 0

    study = Study.load("killme", url)
    trials = study.trials
    assert [t.number for t in trials] == list(range(17))
    assert all(t.status.is_finished for t in trials)
    requeued = trials[running[0]]
    assert "requeued" in requeued.note
    calls = Counter(tuple(line.split()) for line in log.read_text().splitlines())
    # Every (trial, resource) evaluation ran once, except the one killed mid-run.
    repeated = [key for key, n in calls.items() if n > 1]
    assert len(repeated) == 1 and int(repeated[0][0]) == running[0]
    evaluations = Counter((t.number, e.rung) for t in trials for e in t.evaluations)
    assert max(evaluations.values()) == 1
    assert done_before <= set(evaluations)
    if scheduler == "hyperband":
        by_resource = Counter(e.resource for t in trials for e in t.evaluations)
        assert by_resource == {1: 9, 3: 3 + 5, 9: 1 + 1 + 3}
