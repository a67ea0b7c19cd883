"""`tuneops logs` and `tuneops rerun`: what a trial printed, and run it again."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from tuneops._internal._errors import ConfigError
from tuneops.cli._app import app, handle_errors
from tuneops.cli._console import console, fmt
from tuneops.cli._show import StorageOption
from tuneops.cli._study_file import load_objective
from tuneops.storage import DEFAULT_STORAGE
from tuneops.study import Rerun, Study

TrialArgument = Annotated[int, typer.Argument(help="The trial's number.", min=0)]


@app.command()
@handle_errors
def logs(
    name: Annotated[str, typer.Argument(help="The study's name.")],
    trial: TrialArgument,
    storage: StorageOption = DEFAULT_STORAGE,
) -> None:
    """Print what a trial's objective printed and logged, rung by rung."""
    study = Study.load(name, storage)
    _check_number(study, trial)
    path = study.log_path(trial)
    if not path.is_file():
        record = study.trials[trial]
        if record.evaluations or record.status.is_finished:
            console.print(
                f"Trial {trial} of study {name!r} printed and logged nothing (no "
                f"file at {path}), or ran with capture_output=False or through "
                "ask and tell."
            )
            return
        raise ConfigError(
            f"Trial {trial} of study {name!r} has not run yet (status "
            f"{record.status.value}), so it has no log; pick a trial that ran."
        )
    # Printed as it is: the objective's output is not rich markup.
    console.print(path.read_text(encoding="utf-8"), markup=False, end="")


@app.command()
@handle_errors
def rerun(
    name: Annotated[str, typer.Argument(help="The study's name.")],
    trial: TrialArgument,
    storage: StorageOption = DEFAULT_STORAGE,
    objective: Annotated[
        str | None,
        typer.Option(
            "--objective",
            help="`module:function` or `file.py:function`; default: the one the "
            "trial recorded.",
        ),
    ] = None,
    resource: Annotated[
        float | None,
        typer.Option("--resource", help="Resource to rerun at; default the last."),
    ] = None,
) -> None:
    """Run a trial again with its config, resource and seed; compare the values.

    Warns (a log line) about every difference between the environment and code
    the trial recorded and the current ones. Exits 0 whether or not the value
    matches.
    """
    study = Study.load(name, storage)
    _check_number(study, trial)
    function = None
    if objective is not None:
        function = load_objective(objective, _cwd(), "--objective")
    result = study.rerun(trial, function, resource=_resource(study, trial, resource))
    _print_rerun(study, result)


def _print_rerun(study: Study, result: Rerun) -> None:
    table = Table(title=f"Rerun of trial {result.number} of {study.name!r}")
    for column in ("", study.metric, "resource", "seed"):
        table.add_column(column, justify="right" if column else "left")
    new = fmt(result.value) if result.error is None else f"failed: {result.error}"
    table.add_row("recorded", fmt(result.recorded), fmt(result.resource), "")
    table.add_row("rerun", new, fmt(result.resource), str(result.seed))
    console.print(table)
    if result.reproduced:
        console.print("Reproduced exactly.")
    elif result.value is not None and result.recorded is not None:
        change = result.value - result.recorded
        console.print(f"Differs from the recorded value by {fmt(change)}.")


def _check_number(study: Study, number: int) -> None:
    if number >= len(study.trials):
        raise ConfigError(
            f"TRIAL must be a trial number of study {study.name!r} (0 to "
            f"{len(study.trials) - 1}); got {number}."
        )


def _resource(study: Study, number: int, resource: float | None) -> Any:
    if resource is None:
        return None
    # Resources are stored in the user's units, often integers (epochs).
    for evaluation in study.trials[number].evaluations:
        if evaluation.resource is not None and evaluation.resource == resource:
            return evaluation.resource
    return resource


def _cwd() -> Path:
    return Path.cwd()
