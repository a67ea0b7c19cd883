"""`tuneops export NAME --format ...`: a study to files and tools others read."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from tuneops._internal._errors import ConfigError
from tuneops.cli._app import app, handle_errors
from tuneops.cli._console import console, err_console
from tuneops.cli._show import StorageOption, existing
from tuneops.record import export_csv, export_mlflow, export_tensorboard, export_xlsx
from tuneops.record._export_common import default_file_name
from tuneops.storage import DEFAULT_STORAGE
from tuneops.study import Study

FORMATS = ("csv", "xlsx", "tensorboard", "mlflow")
# What `--output` names when it is not given: a file or folder in the working
# directory named after the study.
_DEFAULT_SUFFIX = {"csv": ".csv", "xlsx": ".xlsx", "tensorboard": "-tensorboard"}
STDOUT = "-"


@app.command()
@handle_errors
def export(
    name: Annotated[str, typer.Argument(help="The study's name.")],
    format: Annotated[
        str,
        typer.Option(
            "--format", "-f", help="Output format: csv, xlsx, tensorboard or mlflow."
        ),
    ] = "csv",
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            help="Output file (csv, xlsx; '-' writes CSV to stdout) or folder "
            "(tensorboard); default <name>.csv, <name>.xlsx, <name>-tensorboard.",
        ),
    ] = None,
    tracking_uri: Annotated[
        str | None,
        typer.Option(
            "--tracking-uri",
            help="MLflow tracking URI (mlflow only); default $MLFLOW_TRACKING_URI, "
            "else sqlite:///mlflow.db here.",
        ),
    ] = None,
    experiment: Annotated[
        str | None,
        typer.Option(
            "--experiment", help="MLflow experiment (mlflow only); default <name>."
        ),
    ] = None,
    storage: StorageOption = DEFAULT_STORAGE,
) -> None:
    """Write a study's trials, metrics, environment and settings for other tools."""
    if format not in FORMATS:
        raise ConfigError(
            f"`--format` must be one of {', '.join(FORMATS)}; got {format!r}."
        )
    _check_options(format, output, tracking_uri, experiment)
    _export(name, format, output, tracking_uri, experiment, storage)


def _export(
    name: str,
    format: str,
    output: str | None,
    tracking_uri: str | None,
    experiment: str | None,
    storage: str,
) -> None:
    study = Study.load(name, existing(storage))
    count = len(study.trials)
    ran = sum(t.started_at is not None for t in study.trials)
    if format == "mlflow":
        done = export_mlflow(study, tracking_uri, experiment)
        _say(
            console,
            f"Wrote study {name!r} as run {done.parent_run_id} with "
            f"{len(done.run_ids)} trial runs to MLflow experiment "
            f"{done.experiment_name!r} (id {done.experiment_id}) at "
            f"{done.tracking_uri}.",
        )
        return
    if format == "csv" and output == STDOUT:
        export_csv(study, sys.stdout)
        # The data goes to stdout, so the note goes to stderr.
        _say(err_console, f"Wrote {count} trials of {name!r} to stdout.")
        return
    target = Path(output or default_file_name(name, _DEFAULT_SUFFIX[format]))
    try:
        if format == "csv":
            export_csv(study, target)
        elif format == "xlsx":
            export_xlsx(study, target)
        else:
            export_tensorboard(study, target)
    except OSError as exc:
        raise ConfigError(
            f"`--output` {str(target)!r} cannot be written ({exc.strerror or exc}); "
            "pass a path in an existing folder that you may write to."
        ) from exc
    where = target.resolve()
    if format == "tensorboard":
        _say(
            console,
            f"Wrote {ran} trials of {name!r} to {where}; view them with "
            f"tensorboard --logdir {where}",
        )
    else:
        _say(console, f"Wrote {count} trials of {name!r} to {where}.")


def _check_options(
    format: str, output: str | None, tracking_uri: str | None, experiment: str | None
) -> None:
    if format == "mlflow" and output is not None:
        raise ConfigError(
            f"`--output` does not apply to --format mlflow (got {output!r}); pass "
            "--tracking-uri and --experiment to say where the runs go."
        )
    if format != "mlflow":
        for option, value in (
            ("--tracking-uri", tracking_uri),
            ("--experiment", experiment),
        ):
            if value is not None:
                raise ConfigError(
                    f"`{option}` applies to --format mlflow only; got {value!r} "
                    f"with --format {format}. Use `--output` for a file."
                )
    if output == STDOUT and format != "csv":
        raise ConfigError(
            f"`--output -` (stdout) works for --format csv only, not {format}; "
            "pass a file or folder name."
        )


def _say(where: Console, text: str) -> None:
    # Paths and names are printed whole and as they are: never wrapped (they
    # are copied into other commands) nor read as rich markup ("[...]").
    where.print(text, soft_wrap=True, markup=False)
