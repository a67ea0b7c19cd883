"""Per-trial log files: what the objective prints and logs, kept with the study."""

from __future__ import annotations

import contextlib
import io
import logging
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Any, TextIO

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def trial_log_path(artifacts_dir: str | Path, number: int) -> Path:
    """Where trial ``number``'s log lives: ``<artifacts_dir>/logs/trial_NNNNN.log``."""
    return Path(artifacts_dir) / "logs" / f"trial_{number:05d}.log"


class _LazyFile(io.TextIOBase):
    """A log file opened on the first write, so silent trials leave no file."""

    def __init__(self, path: Path, header: str) -> None:
        self._path = path
        self._header = header
        self._file: TextIO | None = None

    def write(self, text: str) -> int:
        if self._file is None:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            # Kept open across writes and closed by `close`: a with-block cannot.
            self._file = open(self._path, "a", encoding="utf-8", errors="replace")  # noqa: SIM115
            self._file.write(self._header)
        return self._file.write(text)

    def flush(self) -> None:
        if self._file is not None:
            self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        super().close()


class _Tee(io.TextIOBase):
    """A text stream that writes to the log file and, when asked, to the console."""

    def __init__(self, file: io.TextIOBase, original: TextIO, echo: bool) -> None:
        self._file = file
        self._echo = original if echo else None
        # Rich consoles write to the stream this names instead of sys.stdout, so
        # a progress bar or log line of the program around the trial stays on
        # the terminal instead of landing in the trial's log.
        self.rich_proxied_file = getattr(original, "rich_proxied_file", original)

    def write(self, text: str) -> int:
        self._file.write(text)
        if self._echo is not None:
            self._echo.write(text)
        return len(text)

    def flush(self) -> None:
        self._file.flush()
        if self._echo is not None:
            self._echo.flush()

    def isatty(self) -> bool:
        return False


# TODO: capture file descriptors 1 and 2 too (os.dup2 onto the log file), so
# output of C extensions and subprocesses (os.system, a compiler) lands in the
# trial's log; it needs care with the console's own writes during a trial.
class CaptureOutput:
    """Send ``sys.stdout``, ``sys.stderr`` and logging to a trial's log file.

    Each evaluation that writes anything appends a header line (rung,
    resource, time) and then what the objective wrote; the file is opened on
    the first write, so a silent trial costs nothing and leaves no file. Log
    records reach the file through a handler on the root logger; when the
    program configured no logging at all, the root level is lowered to INFO
    for the evaluation so the objective's INFO lines are kept, which Python
    would otherwise drop.

    Output written by C code or child processes straight to the file
    descriptors is not captured.

    Args:
        path: The log file; its folder is created on the first write.
        header: First line written for this evaluation.
        echo: Also write stdout and stderr to the console as usual.
    """

    def __init__(self, path: Path, header: str, *, echo: bool = False) -> None:
        self._path = path
        self._header = header
        self._echo = echo
        self._file: _LazyFile | None = None
        self._saved: tuple[TextIO, TextIO, int] | None = None
        self._handler: logging.StreamHandler[Any] | None = None

    def __enter__(self) -> CaptureOutput:
        stamp = time.strftime("%Y-%m-%d %H:%M:%S")
        file = _LazyFile(self._path, f"===== {self._header} at {stamp} =====\n")
        root = logging.getLogger()
        self._saved = (sys.stdout, sys.stderr, root.level)
        self._handler = _handler(file)
        if not root.handlers and root.level > logging.INFO:
            root.setLevel(logging.INFO)
        root.addHandler(self._handler)
        sys.stdout = _Tee(file, sys.stdout, self._echo)
        sys.stderr = _Tee(file, sys.stderr, self._echo)
        self._file = file
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._saved is None or self._file is None:
            return
        sys.stdout, sys.stderr, level = self._saved
        root = logging.getLogger()
        if self._handler is not None:
            root.removeHandler(self._handler)
            _FREE_HANDLERS.append(self._handler)
        if root.level != level:
            root.setLevel(level)
        if exc is not None and not isinstance(exc, KeyboardInterrupt):
            self._file.write(f"The objective raised {type(exc).__name__}: {exc}\n")
        self._file.close()


@contextlib.contextmanager
def info_logging_for_capture() -> Iterator[None]:
    """Keep the root logger at INFO for a run of captured evaluations.

    `CaptureOutput` lowers an unconfigured root logger to INFO for each
    evaluation; changing a logger's level clears every logger's cache, which
    costs more than a trivial trial. Holding INFO for the whole loop makes
    those per-evaluation changes no-ops; without handlers on the root nothing
    else sees the difference (Python prints only warnings then).
    """
    root = logging.getLogger()
    lower = not root.handlers and root.level > logging.INFO
    if lower:
        previous = root.level
        root.setLevel(logging.INFO)
    try:
        yield
    finally:
        if lower:
            root.setLevel(previous)


_FREE_HANDLERS: list[logging.StreamHandler[Any]] = []


def _handler(file: io.TextIOBase) -> logging.StreamHandler[Any]:
    # Handlers are reused: making one per evaluation registers a lock with the
    # logging module each time, a third of a trivial trial's cost.
    handler = _FREE_HANDLERS.pop() if _FREE_HANDLERS else _new_handler()
    handler.setStream(file)
    return handler


def _new_handler() -> logging.StreamHandler[Any]:
    handler: logging.StreamHandler[Any] = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    return handler
