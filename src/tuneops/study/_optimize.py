"""The optimize loop: run the objective on trial after trial."""

from __future__ import annotations

import contextlib
import logging
import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from tuneops._internal._errors import ConfigError, TrialsFailingError
from tuneops._internal._validation import check_int, check_real
from tuneops.record import seed_everything
from tuneops.record._logs import info_logging_for_capture
from tuneops.storage import TrialRecord, TrialStatus
from tuneops.study._outcome import parse_outcome
from tuneops.study._recording import Usage, recorded_evaluation
from tuneops.study._trial import Trial

if TYPE_CHECKING:
    from tuneops.study._study import Callback, Objective, Study

logger = logging.getLogger(__name__)


def run_optimize(
    study: Study,
    objective: Objective,
    n_trials: int | None,
    timeout: float | None,
    callbacks: list[Callback],
    options: RunOptions,
) -> None:
    """Run trials of ``study`` until the budget, the time or the plan runs out."""
    check_int("n_trials", n_trials, low=0, allow_none=True)
    check_real("timeout", timeout, low=0, low_open=True, allow_none=True)
    for warning in study.budget_warnings(n_trials):
        logger.warning(warning)
    study._retry_given_up()
    deadline = None if timeout is None else time.monotonic() + timeout
    logging_level = (
        info_logging_for_capture()
        if options.capture_output
        else contextlib.nullcontext()
    )
    with logging_level:
        _loop(study, objective, n_trials, deadline, callbacks, options)


def _loop(
    study: Study,
    objective: Objective,
    n_trials: int | None,
    deadline: float | None,
    callbacks: list[Callback],
    options: RunOptions,
) -> None:
    started_new = 0
    while deadline is None or time.monotonic() < deadline:
        budget_left = None if n_trials is None else n_trials - started_new
        before = len(study._trials)
        record = study._next_record(budget_left)
        if record is None:
            break
        started_new += len(study._trials) - before
        finished = run_record(study, objective, record, options)
        for callback in callbacks:
            callback(study, finished)
        _give_up_if_all_failing(study)


@dataclass(frozen=True)
class RunOptions:
    """How `run_record` runs the objective.

    Attributes:
        seed_everything: Call `tuneops.seed_everything` with the trial's seed
            before the objective.
        capture_output: Send the objective's stdout, stderr and log records to
            the trial's log file.
    """

    seed_everything: bool = True
    capture_output: bool = True


def run_record(
    study: Study,
    objective: Objective,
    record: TrialRecord,
    options: RunOptions | None = None,
) -> TrialRecord:
    """Call the objective on a running trial's record and store what it gave."""
    options = options or RunOptions()
    trial = Trial(study, record)
    usage = Usage(
        environment=study._recorder.environment(),
        code=study._recorder.code(objective),
    )
    if options.seed_everything:
        # Before the clock starts: the first call in a process imports PyTorch
        # (a second or so), which is not the trial's cost.
        seed_everything(record.seed)
    started = time.time()
    study._running[record.number] = (trial, started)
    evaluation = recorded_evaluation(study, record, capture=options.capture_output)
    try:
        with evaluation as meter:
            result = objective(trial)
    except KeyboardInterrupt:
        study._requeue(trial, "Interrupted by Ctrl-C")
        raise
    except ConfigError:
        # Bad input to the run (a missing data file, a wrong setting) is not
        # this config's fault: every trial would fail the same way. Keep the
        # trial for the next run and let the caller report the mistake.
        study._requeue(trial, "Stopped by a configuration error")
        raise
    except Exception as exc:
        used = replace(usage, cpu_time=meter.cpu_time, gpu_time=meter.gpu_time)
        return study._tell(trial, None, exc, used)
    return study._finish(
        study._running.pop(record.number)[0],
        started,
        parse_outcome(result, study.metric),
        None,
        replace(usage, cpu_time=meter.cpu_time, gpu_time=meter.gpu_time),
    )


def _give_up_if_all_failing(study: Study) -> None:
    if not study._given_up:
        return
    first = next(t for t in study._trials if t.status is TrialStatus.FAILED)
    trace = first.traceback or "(no traceback: the objective returned a bad value)"
    raise TrialsFailingError(
        f"The first {study._n_failed} trials of study {study.name!r} all failed, so "
        "the study stopped instead of spending its budget. Fix the objective and "
        f"resume. The first failure (trial {first.number}): {first.error}\n{trace}"
    )
