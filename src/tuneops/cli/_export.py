"""`tuneops export NAME --format csv`: trials to a file other tools read."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tuneops._internal._errors import ConfigError
from tuneops.cli._app import app, handle_errors
from tuneops.cli._console import console
from tuneops.cli._show import StorageOption
from tuneops.storage import DEFAULT_STORAGE
from tuneops.study import Study

FORMATS = ("csv",)


@app.command()
@handle_errors
def export(
    name: Annotated[str, typer.Argument(help="The study's name.")],
    format: Annotated[
        str, typer.Option("--format", "-f", help="Output format: csv.")
    ] = "csv",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Output file; default <name>.<format>."),
    ] = None,
    storage: StorageOption = DEFAULT_STORAGE,
) -> None:
    """Write a study's trials (configs, metrics, timings) to a file."""
    if format not in FORMATS:
        raise ConfigError(
            f"`--format` must be one of {', '.join(FORMATS)}; got {format!r}."
        )
    study = Study.load(name, storage)
    target = output or Path(f"{name}.{format}")
    study.dataframe().to_csv(target, index=False)
    console.print(f"Wrote {len(study.trials)} trials of {name!r} to {target}.")
