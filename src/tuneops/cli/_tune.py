"""`tuneops tune STUDY.yaml`: run a study described in a file."""

from __future__ import annotations

import functools
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from tuneops._internal._errors import ConfigError
from tuneops.cli._app import EXIT_INTERRUPTED, app, handle_errors
from tuneops.cli._console import console, fmt
from tuneops.cli._study_file import StudyFile, read_study_file
from tuneops.schedulers import BracketScheduler
from tuneops.storage import TrialRecord, TrialStatus
from tuneops.study import Study


@app.command()
@handle_errors
def tune(
    study_file: Annotated[Path, typer.Argument(help="The study YAML file.")],
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue the stored study of that name.")
    ] = False,
    storage: Annotated[
        str | None,
        typer.Option("--storage", help="Database URL; overrides the file's `storage`."),
    ] = None,
    n_trials: Annotated[
        int | None,
        typer.Option("--n-trials", help="Trials the study should hold in all."),
    ] = None,
    timeout: Annotated[
        float | None,
        typer.Option("--timeout", help="Seconds of tuning; overrides the file."),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="Check the file and show the plan; run nothing."
        ),
    ] = False,
) -> None:
    """Run the study a YAML file describes and print the best config."""
    spec = read_study_file(study_file)
    spec.storage = storage or spec.storage
    spec.n_trials = n_trials if n_trials is not None else spec.n_trials
    spec.timeout = timeout if timeout is not None else spec.timeout
    if spec.n_trials is None and spec.timeout is None and not _finite(spec):
        raise ConfigError(
            f"{study_file}: set `n_trials` or `timeout` (or pass --n-trials/--timeout) "
            "so the study knows when to stop."
        )
    if dry_run:
        _show_plan(spec)
        return
    study = _open(spec, resume)
    remaining = _remaining(study, spec.n_trials)
    study.budget_warnings(remaining)
    _run(study, spec, remaining)
    print_best(study)


def _open(spec: StudyFile, resume: bool) -> Study:
    return Study.create(
        spec.name,
        spec.space,
        metric=spec.metric,
        direction=spec.direction,  # type: ignore[arg-type]
        searcher=spec.searcher,
        scheduler=spec.scheduler,
        seed=spec.seed,
        storage=spec.storage,
        resume=resume,
    )


def _remaining(study: Study, n_trials: int | None) -> int | None:
    # In a file, n_trials is the study's total, so a resumed run does the rest.
    # Refit repeats are not search trials and do not use up the budget.
    if n_trials is None:
        return None
    done = sum(1 for t in study.trials if t.refit_of is None)
    if done and done >= n_trials:
        console.print(
            f"Study {study.name!r} already holds {done} search trials "
            f"(n_trials={n_trials}); running only what is queued."
        )
    return max(n_trials - done, 0)


def _run(study: Study, spec: StudyFile, remaining: int | None) -> None:
    objective: Any = spec.objective
    if spec.objective_args:
        objective = functools.partial(spec.objective, **spec.objective_args)
    with _progress(study, remaining) as (progress, callback):
        try:
            study.optimize(
                objective,
                n_trials=remaining,
                timeout=spec.timeout,
                callbacks=[callback],
                seed_everything=spec.seed_everything,
                capture_output=spec.capture_output,
            )
        except ConfigError as exc:
            if not _stopped_by_config_error(study):
                raise
            raise ConfigError(
                f"{exc} After fixing it, run the same command with --resume: the "
                "trial that stopped is queued and runs first."
            ) from exc
        except KeyboardInterrupt:
            progress.stop()
            finished = sum(1 for t in study.trials if t.status.is_finished)
            console.print(
                f"\nInterrupted. {len(study.trials)} trials are recorded in "
                f"{study.storage.url} ({finished} finished, the others paused at a "
                "rung or queued); the one that was running is queued again. Run "
                "the same command with --resume to continue."
            )
            raise typer.Exit(EXIT_INTERRUPTED) from None


def _stopped_by_config_error(study: Study) -> bool:
    return any(
        t.status is TrialStatus.QUEUED
        and (t.note or "").startswith("Stopped by a configuration error")
        for t in study.trials
    )


class _progress:
    """A rich progress bar of finished trials, best value, elapsed time and ETA."""

    def __init__(self, study: Study, remaining: int | None) -> None:
        self._study = study
        self._start_count = len(study.trials)
        total = remaining if remaining else None
        self.progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("best {task.fields[best]}"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console,
            transient=False,
        )
        self._task = self.progress.add_task(study.name, total=total, best="-")
        self._started = time.monotonic()

    def __enter__(self) -> tuple[Progress, Any]:
        self.progress.start()
        return self.progress, self._update

    def __exit__(self, *exc: Any) -> None:
        self.progress.stop()

    def _update(self, study: Study, record: TrialRecord) -> None:
        done = sum(1 for t in study.trials[self._start_count :] if t.status.is_finished)
        try:
            best = fmt(study.best_value)
        except ValueError:
            best = "-"
        self.progress.update(self._task, completed=done, best=best)


def print_best(study: Study) -> None:
    """Print the best trial's value, resource and config."""
    try:
        best = study.best_trial
    except ValueError:
        console.print(f"Study {study.name!r} has no successful trial.")
        return
    table = Table(title=f"Best of study {study.name!r}", show_header=False)
    table.add_row(study.metric, fmt(study.best_value))
    table.add_row("trial", str(best.number))
    table.add_row("resource", fmt(study.best_resource))
    for key, value in best.config.items():
        table.add_row(key, fmt(value))
    console.print(table)


def _show_plan(spec: StudyFile) -> None:
    console.print(f"Study file {spec.path} is valid: study {spec.name!r}.")
    scheduler = spec.scheduler
    if isinstance(scheduler, BracketScheduler):
        console.print(f"Plan of {scheduler!r}:")
        for bracket in scheduler.brackets():
            console.print(f"  {bracket}")
        for warning in scheduler.check_budget(spec.n_trials, []):
            console.print(f"[yellow]Warning:[/] {warning}")


def _finite(spec: StudyFile) -> bool:
    return spec.searcher is not None and spec.searcher.type_name == "grid"
