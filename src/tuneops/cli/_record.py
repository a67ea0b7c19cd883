"""`tuneops logs` and `tuneops rerun`: what a trial printed, and run it again."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from tuneops._internal._errors import ConfigError
from tuneops.cli._app import EXIT_INTERNAL, app, handle_errors
from tuneops.cli._console import console, fmt
from tuneops.cli._show import StorageOption, existing
from tuneops.cli._study_file import load_objective
from tuneops.record import decode_diff
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
    study = Study.load(name, existing(storage))
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
    strict: Annotated[
        bool,
        typer.Option(
            "--strict", help="Exit 1 unless the value is reproduced exactly (for CI)."
        ),
    ] = False,
) -> None:
    """Run a trial again with its config, resource and seed; compare the values.

    Warns (a log line) about every difference between the environment and code
    the trial recorded and the current ones. Exits 0 whether or not the value
    matches, unless --strict.
    """
    study = Study.load(name, existing(storage))
    _check_number(study, trial)
    function = None
    if objective is not None:
        function = load_objective(objective, _cwd(), "--objective")
    result = study.rerun(trial, function, resource=_resource(study, trial, resource))
    _print_rerun(study, result)
    if strict and not result.reproduced:
        raise typer.Exit(EXIT_INTERNAL)


@app.command()
@handle_errors
def diff(
    name: Annotated[str, typer.Argument(help="The study's name.")],
    trial: Annotated[
        int | None,
        typer.Option("--trial", min=0, help="Show the code this trial ran."),
    ] = None,
    code: Annotated[
        str | None,
        typer.Option("--code", help="A code snapshot's digest (see `show`)."),
    ] = None,
    storage: StorageOption = DEFAULT_STORAGE,
) -> None:
    """Print the git state and uncommitted diff a study's trials ran with.

    Default: the code of the best trial, or of the latest one that ran.
    """
    study = Study.load(name, existing(storage))
    snapshots = study.code_snapshots
    digest = code or _code_of(study, trial)
    if digest not in snapshots:
        known = ", ".join(snapshots) or "none"
        raise ConfigError(
            f"`--code` must be a code snapshot of study {name!r} ({known}); got "
            f"{digest!r}."
        )
    snapshot = snapshots[digest]
    git = snapshot.get("git") or {}
    objective = snapshot.get("objective") or {}
    console.print(
        f"Code {digest}: {objective.get('file')}:{objective.get('qualname')}, "
        f"SHA-256 {snapshot.get('source_sha256')}",
        markup=False,
        soft_wrap=True,
    )
    if not git:
        console.print("Not in a git repository: only the file's hash was recorded.")
        return
    console.print(
        f"git {git.get('commit')} on {git.get('branch')} in {git.get('root')}; "
        f"{'uncommitted changes' if git.get('dirty') else 'clean'}; untracked "
        f"source files: {', '.join(git.get('untracked') or []) or 'none'}",
        markup=False,
        soft_wrap=True,
    )
    text = decode_diff(git)
    console.print(text or "(no diff)", markup=False, soft_wrap=True, end="\n")
    if git.get("diff_truncated"):
        console.print("(the diff was cut at 20 MB when it was recorded)")


def _code_of(study: Study, number: int | None) -> str:
    if number is not None:
        _check_number(study, number)
        digest = study.trials[number].code
    else:
        digest = _default_code(study)
    if digest is None:
        raise ConfigError(
            f"No code snapshot was recorded for that trial of study {study.name!r} "
            "(it ran before tuneops recorded code, or through ask and tell from "
            "an interactive session); pass --code with a digest from `tuneops show`."
        )
    return digest


def _default_code(study: Study) -> str | None:
    try:
        best = study.best_trial.code
    except ValueError:
        best = None
    ran = [t.code for t in study.trials if t.code]
    return best or (ran[-1] if ran else None)


def _print_rerun(study: Study, result: Rerun) -> None:
    table = Table(title=f"Rerun of trial {result.number} of {study.name!r}")
    for column in ("", study.metric, "resource", "seed"):
        table.add_column(column, justify="right" if column else "left")
    new = fmt(result.value) if result.error is None else f"failed: {result.error}"
    table.add_row(
        "recorded", fmt(result.recorded), fmt(result.resource), str(result.seed)
    )
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
