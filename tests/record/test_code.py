"""Code snapshots: the objective's file hash and the git state, diff included."""

from __future__ import annotations

import functools
import hashlib
import subprocess
import textwrap
from pathlib import Path

import pytest

from tuneops.record import (
    code_differences,
    code_snapshot,
    decode_diff,
    objective_reference,
)
from tuneops.study._objective_import import import_file


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository holding one committed objective file."""
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "obj.py").write_text(
        textwrap.dedent(
            """
            def objective(trial, scale=1.0):
                return scale * trial.config["x"] ** 2
            """
        )
    )
    _git(folder, "init", "-q", "-b", "main")
    _git(folder, "add", "obj.py")
    _git(folder, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "a")
    return folder


def test_clean_repository(repo):
    objective = import_file(repo / "obj.py").objective
    snap = code_snapshot(objective)

    source = (repo / "obj.py").read_bytes()
    assert snap["source_sha256"] == hashlib.sha256(source).hexdigest()
    assert snap["objective"]["qualname"] == "objective"
    assert snap["objective"]["file"] == str((repo / "obj.py").resolve())
    git = snap["git"]
    assert git["commit"] == _git(repo, "rev-parse", "HEAD")
    assert git["branch"] == "main"
    assert git["dirty"] is False
    assert git["diff"] is None
    assert decode_diff(git) == ""


def test_dirty_tree_keeps_the_diff_and_new_source_files(repo):
    with open(repo / "obj.py", "a") as file:
        file.write("# tuned by hand\n")
    (repo / "helper.py").write_text("VALUE = 'größe'\n")
    (repo / "tuneops.db").write_bytes(b"\0" * 100)  # a database is not code
    (repo / "secrets.yaml").write_text("token: abc\n")  # nor is a config
    objective = import_file(repo / "obj.py").objective
    snap = code_snapshot(objective)

    git = snap["git"]
    assert git["dirty"] is True
    assert git["untracked"] == ["helper.py"]
    diff = decode_diff(git)
    assert diff.startswith("diff --git a/obj.py b/obj.py")
    assert "+# tuned by hand" in diff
    assert "+VALUE = 'größe'" in diff
    assert "tuneops.db" not in diff
    assert "token: abc" not in diff
    # The stored diff is the one git reports for the tracked file.
    assert _git(repo, "diff", "HEAD") in diff


def test_outside_git_only_the_source_hash(tmp_path):
    file = tmp_path / "plain.py"
    file.write_text("def objective(trial):\n    return 1.0\n")
    snap = code_snapshot(import_file(file).objective)

    assert snap["git"] is None
    assert snap["source_sha256"] == hashlib.sha256(file.read_bytes()).hexdigest()


def test_partial_keywords_are_recorded(repo):
    objective = import_file(repo / "obj.py").objective
    bound = functools.partial(objective, scale=2.5)
    reference = objective_reference(bound)

    assert reference["kwargs"] == {"scale": 2.5}
    assert reference["qualname"] == "objective"


def test_differences_after_an_edit_and_a_commit(repo):
    objective = import_file(repo / "obj.py").objective
    before = code_snapshot(objective)
    (repo / "obj.py").write_text("def objective(trial):\n    return 0.0\n")
    edited = code_snapshot(objective)
    _git(repo, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qam", "b")
    committed = code_snapshot(objective)

    assert code_differences(before, before) == []
    edit_lines = code_differences(before, edited)
    sha = f"{before['source_sha256'][:12]}... -> {edited['source_sha256'][:12]}..."
    assert any(f"(its SHA-256 differs: {sha})" in line for line in edit_lines)
    assert "git dirty: False -> True" in edit_lines
    commit_lines = code_differences(before, committed)
    assert any(line.startswith("git commit: ") for line in commit_lines)


def test_untracked_source_alone_is_listed_but_not_dirty(repo):
    (repo / "helper.py").write_text("X = 1\n")
    git = code_snapshot(import_file(repo / "obj.py").objective)["git"]

    assert git["dirty"] is False
    assert git["untracked"] == ["helper.py"]
    assert "+X = 1" in decode_diff(git)


def test_an_objective_file_keeps_its_own_module_name(tmp_path):
    file = tmp_path / "house_model.py"
    file.write_text("import logging\nLOG = logging.getLogger(__name__)\n")
    module = import_file(file)
    assert module.__name__ == "house_model"
    assert module.LOG.name == "house_model"

    # A different file of the same name does not replace the first module.
    other = tmp_path / "elsewhere" / "house_model.py"
    other.parent.mkdir()
    other.write_text("X = 1\n")
    assert import_file(other).__name__.startswith("_tuneops_objective_")


def test_an_objective_file_never_shadows_an_installed_module(tmp_path):
    file = tmp_path / "queue.py"
    file.write_text("X = 1\n")
    assert import_file(file).__name__.startswith("_tuneops_objective_")
