"""`tuneops space FILE`: describe a search space."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.table import Table

from tuneops.cli._app import app, handle_errors
from tuneops.cli._console import console
from tuneops.space import Space


@app.command()
@handle_errors
def space(
    file: Annotated[Path, typer.Argument(help="A space file (YAML or JSON).")],
    n_points: Annotated[
        int,
        typer.Option("--n-points", min=2, help="Grid values per numeric parameter."),
    ] = 5,
    samples: Annotated[
        int, typer.Option("--samples", min=0, help="Sample configs to show.")
    ] = 5,
    seed: Annotated[
        int, typer.Option("--seed", min=0, help="Seed of the samples.")
    ] = 0,
) -> None:
    """Show a space's parameters, its grid size and a few sample configs."""
    parsed = Space.from_file(file)
    table = Table(title=f"Space {file}")
    table.add_column("parameter")
    table.add_column("definition")
    for name in parsed.names:
        table.add_row(name, json.dumps(parsed[name].to_dict()))
    console.print(table)
    size = parsed.grid_size(n_points)
    console.print(
        f"Grid size: [bold]{size:,}[/] configs at {n_points} values per numeric "
        "parameter."
    )
    rng = np.random.default_rng(seed)
    for index in range(samples):
        console.print(f"sample {index + 1}: {json.dumps(parsed.sample(rng))}")
