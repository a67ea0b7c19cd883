"""What each evaluation records besides its result: snapshots, times, logs."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tuneops.record import (
    CaptureOutput,
    Meter,
    code_snapshot,
    environment_snapshot,
    snapshot_digest,
    trial_log_path,
)
from tuneops.storage import TrialRecord

if TYPE_CHECKING:
    from tuneops.study._study import Study

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Usage:
    """What one evaluation used and where it ran.

    Attributes:
        cpu_time: Core-seconds of CPU.
        gpu_time: GPU-seconds.
        environment: Digest of the environment snapshot it ran in.
        code: Digest of the code snapshot it ran, ``None`` when unknown.
    """

    cpu_time: float = 0.0
    gpu_time: float = 0.0
    environment: str | None = None
    code: str | None = None

    def add_to(self, record: TrialRecord) -> TrialRecord:
        """The record with this evaluation's times added and its snapshots set."""
        return record.evolve(
            cpu_time=record.cpu_time + self.cpu_time,
            gpu_time=record.gpu_time + self.gpu_time,
            environment=self.environment or record.environment,
            code=self.code or record.code,
        )


class Recorder:
    """Takes a study's snapshots once per process and objective, and stores them.

    The environment is snapshotted when the study is created or first run in
    this process; the code once per objective function. Trials store the
    digests, so a study whose workers differ keeps one snapshot per setup.
    """

    def __init__(self, study: Study) -> None:
        self._study = study
        self._environment: str | None = None
        self._code: dict[int, tuple[Any, str]] = {}

    def environment(self) -> str:
        """The digest of this process's environment, stored on first use."""
        if self._environment is None:
            snapshot = environment_snapshot()
            digest = snapshot_digest(snapshot)
            self._study.storage.add_snapshot(
                self._study.name, "environment", digest, snapshot
            )
            self._environment = digest
        return self._environment

    def code(self, objective: Callable[..., Any] | None) -> str:
        """The digest of ``objective``'s code snapshot, stored on first use."""
        # Keyed by identity, holding the object so its id is not reused.
        known = self._code.get(id(objective))
        if known is not None:
            return known[1]
        snapshot = code_snapshot(objective)
        digest = snapshot_digest(snapshot)
        self._warn_if_mixed(digest, objective is None)
        self._study.storage.add_snapshot(self._study.name, "code", digest, snapshot)
        self._code[id(objective)] = (objective, digest)
        return digest

    def _warn_if_mixed(self, digest: str, ask_and_tell: bool) -> None:
        earlier = {t.code for t in self._study.trials if t.code}
        if ask_and_tell or not earlier or digest in earlier:
            return
        logger.warning(
            "Study %r now runs other code than its earlier trials did (snapshot "
            "%s; before: %s): their results may not be comparable. `tuneops "
            "diff %s --code DIGEST` shows each version.",
            self._study.name,
            digest,
            ", ".join(sorted(earlier)),
            self._study.name,
        )


@contextlib.contextmanager
def recorded_evaluation(
    study: Study, record: TrialRecord, *, capture: bool
) -> Iterator[Meter]:
    """Capture the output of and meter one evaluation of ``record``."""
    header = (
        f"trial {record.number}, rung {record.rung}, resource {record.resource}, "
        f"seed {record.seed}"
    )
    path = trial_log_path(study.artifacts_dir, record.number)
    capturing = CaptureOutput(path, header) if capture else contextlib.nullcontext()
    with capturing, Meter() as meter:
        yield meter
