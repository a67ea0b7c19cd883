"""What code a trial ran: the objective's source and the git state around it."""

from __future__ import annotations

import base64
import functools
import hashlib
import inspect
import subprocess
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

# A diff beyond this many bytes (before compression) is cut: it is then a
# vendored tree or data under version control, not a change worth replaying.
MAX_DIFF_BYTES = 20_000_000
# New files not yet added to git are part of the code that ran; the diff keeps
# up to this many of them, each up to this size (larger ones are data).
MAX_UNTRACKED_FILES = 100
MAX_UNTRACKED_BYTES = 1_000_000
# Untracked files of these kinds are code the objective may import, so their
# text goes into the snapshot; anything else (a database, a log, a checkpoint,
# a config that may hold secrets) is neither listed nor copied.
SOURCE_SUFFIXES = frozenset(
    {".py", ".pyx", ".ipynb", ".sh", ".c", ".cc", ".cpp", ".h", ".hpp", ".cu"}
    | {".r", ".jl", ".sql"}
)


def code_snapshot(objective: Callable[..., Any] | None) -> dict[str, Any]:
    """Describe the code of ``objective``: where it lives and its git state.

    Args:
        objective: The function the trials call; `functools.partial` objects are
            unwrapped. ``None`` snapshots the ``__main__`` script instead.

    Returns:
        A dict with ``objective`` (``module``, ``qualname``, ``file``,
        ``kwargs``: the JSON-ready keyword arguments bound by a partial),
        ``source_sha256`` of the objective's file, and ``git`` (``None``
        outside a repository, else ``commit``, ``branch``, ``dirty``,
        ``untracked`` (source files git does not track yet, by
        `SOURCE_SUFFIXES`), ``diff`` (the zlib-compressed, base64 text of
        ``git diff HEAD`` plus the untracked source files as added; see
        `decode_diff`) and ``diff_truncated``). ``dirty`` means tracked files
        changed; untracked source files are listed and kept apart from it.
    """
    reference = objective_reference(objective)
    file = reference.get("file")
    digest = _file_sha256(Path(file)) if file else None
    repo = _git_state(Path(file).parent) if file else None
    return {"objective": reference, "source_sha256": digest, "git": repo}


def objective_reference(objective: Callable[..., Any] | None) -> dict[str, Any]:
    """Where to import ``objective`` from again: module, name, file, bound kwargs."""
    kwargs: dict[str, Any] = {}
    function: Any = objective
    while isinstance(function, functools.partial):
        kwargs = {**_json_ready(function.keywords), **kwargs}
        function = function.func
    if function is None:
        import __main__

        file = getattr(__main__, "__file__", None)
        return {"module": "__main__", "qualname": None, "file": _resolve(file)}
    module = getattr(function, "__module__", None)
    qualname = getattr(function, "__qualname__", type(function).__qualname__)
    try:
        file = inspect.getsourcefile(function)
    except TypeError:
        file = None
    return {
        "module": module,
        "qualname": qualname,
        "file": _resolve(file),
        "kwargs": kwargs,
    }


def decode_diff(git: dict[str, Any] | None) -> str:
    """The text of a code snapshot's stored diff; empty when there is none."""
    if not git or not git.get("diff"):
        return ""
    return zlib.decompress(base64.b64decode(git["diff"])).decode("utf-8", "replace")


def code_differences(recorded: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """Every difference between two code snapshots, one line each."""
    lines = []
    if recorded.get("source_sha256") != current.get("source_sha256"):
        file = (current.get("objective") or {}).get("file")
        before = str(recorded.get("source_sha256"))[:12]
        after = str(current.get("source_sha256"))[:12]
        lines.append(
            f"the objective's file {file} changed (its SHA-256 differs: "
            f"{before}... -> {after}...)"
        )
    old, new = recorded.get("git") or {}, current.get("git") or {}
    for key in ("commit", "branch", "dirty", "untracked"):
        if old.get(key) != new.get(key):
            lines.append(f"git {key}: {old.get(key)!r} -> {new.get(key)!r}")
    if old.get("diff") != new.get("diff") and old.get("commit") == new.get("commit"):
        lines.append("git diff: the uncommitted changes differ")
    return lines


def _resolve(file: str | None) -> str | None:
    if not file or not Path(file).exists():
        return None
    return str(Path(file).resolve())


def _json_ready(values: dict[str, Any]) -> dict[str, Any]:
    ready = {}
    for key, value in values.items():
        if isinstance(value, str | int | float | bool | type(None) | list | dict):
            ready[key] = value
        else:
            ready[key] = repr(value)
    return ready


def _file_sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _git_state(folder: Path) -> dict[str, Any] | None:
    commit = _git(folder, "rev-parse", "HEAD")
    if commit is None:
        return None
    status = _git(folder, "status", "--porcelain", "--untracked-files=all") or ""
    lines = status.splitlines()
    untracked = [
        line[3:]
        for line in lines
        if line.startswith("??") and Path(line[3:]).suffix.lower() in SOURCE_SUFFIXES
    ]
    changed = any(not line.startswith("??") for line in lines)
    root = _git(folder, "rev-parse", "--show-toplevel")
    diff = _git(folder, "diff", "HEAD", "--binary") or ""
    if root is not None:
        diff += _untracked_patches(Path(root), untracked)
    raw = diff.encode("utf-8", "replace")
    truncated = len(raw) > MAX_DIFF_BYTES
    packed = base64.b64encode(zlib.compress(raw[:MAX_DIFF_BYTES], 9)).decode()
    return {
        "root": root,
        "commit": commit,
        "branch": _git(folder, "rev-parse", "--abbrev-ref", "HEAD"),
        "dirty": changed,
        "untracked": untracked,
        "diff": packed if raw else None,
        "diff_truncated": truncated,
    }


def _untracked_patches(root: Path, paths: list[str]) -> str:
    patches = []
    for path in paths[:MAX_UNTRACKED_FILES]:
        file = root / path
        if not file.is_file() or file.stat().st_size > MAX_UNTRACKED_BYTES:
            continue
        # `--no-index` exits 1 when the files differ, which they always do here.
        patch = _git(root, "diff", "--no-index", "--binary", "/dev/null", path, ok=(1,))
        patches.append(patch or "")
    return "".join(p + "\n" for p in patches if p)


def _git(folder: Path, *args: str, ok: tuple[int, ...] = ()) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(folder), *args],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0 and done.returncode not in ok:
        return None
    return done.stdout.rstrip("\n")
