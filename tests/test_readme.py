"""The README's quick start runs as written, twice (the second run resumes)."""

from __future__ import annotations

import contextlib
import io
import re

from tests.conftest import REPO
from tuneops import Study


def test_quick_start_runs_and_resumes(tmp_path, monkeypatch):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    code = re.search(r"```python\n(.*?)```", readme, re.S).group(1)
    assert len([line for line in code.splitlines() if line.strip()]) <= 10
    monkeypatch.chdir(tmp_path)

    for _ in range(2):
        with contextlib.redirect_stdout(io.StringIO()) as out:
            exec(compile(code, "README.md", "exec"), {})
        # The last line is the quick start's print; log lines may come before
        # it when an earlier test left the CLI's log handler at INFO.
        best_value = float(out.getvalue().splitlines()[-1].split(" ", 1)[0])
        assert best_value < 0.1

    study = Study.load("demo", "sqlite:///demo.db")
    assert len(study.trials) == 98
    assert study.best_resource == 27
    # depth / resource dominates: the best config has the smallest depth.
    assert study.best_trial.config["depth"] == 2
