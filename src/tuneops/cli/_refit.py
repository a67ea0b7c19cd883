"""`tuneops refit NAME`: train the best configs again at the full resource."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from tuneops._internal._errors import ConfigError
from tuneops.cli._app import app, handle_errors
from tuneops.cli._console import console
from tuneops.cli._show import StorageOption, existing, refit_table
from tuneops.cli._study_file import load_objective
from tuneops.storage import DEFAULT_STORAGE
from tuneops.study import Study
from tuneops.study._objective_import import import_objective


@app.command()
@handle_errors
def refit(
    name: Annotated[str, typer.Argument(help="The study's name.")],
    k: Annotated[int, typer.Option("--k", min=1, help="Configs to refit.")] = 3,
    repeats: Annotated[
        int, typer.Option("--repeats", min=1, help="Fresh seeds per config.")
    ] = 3,
    resource: Annotated[
        float | None,
        typer.Option("--resource", help="Resource of the refits; default max."),
    ] = None,
    objective: Annotated[
        str | None,
        typer.Option(
            "--objective",
            help="`module:function` or `file.py:function`; default: the one the "
            "best trial recorded.",
        ),
    ] = None,
    storage: StorageOption = DEFAULT_STORAGE,
) -> None:
    """Re-evaluate the top-k configs at the full resource with fresh seeds.

    Each repeat is recorded as a trial of the study (note "refit of trial N"),
    so the ranking that follows is judged on full trainings, not on a cheap
    rung.
    """
    study = Study.load(name, existing(storage))
    function = _objective(study, objective)
    amount: Any = (
        int(resource) if resource is not None and resource.is_integer() else resource
    )
    refits = study.refit_best(function, k, repeats=repeats, resource=amount)
    console.print(refit_table(study, refits))


def _objective(study: Study, reference: str | None) -> Any:
    if reference is not None:
        return load_objective(reference, Path.cwd(), "--objective")
    try:
        best = study.best_trial
    except ValueError as exc:
        raise ConfigError(
            f"Study {study.name!r} has no trial with a result to refit; run it first."
        ) from exc
    snapshots = study.code_snapshots
    # The best trial's code first; else the latest importable one (a study
    # resumed after an upgrade has old trials without a snapshot).
    candidates = [snapshots.get(best.code or ""), *reversed(snapshots.values())]
    for code in candidates:
        recorded = (code or {}).get("objective") or {}
        if recorded.get("qualname") and recorded.get("file"):
            return import_objective(recorded)
    raise ConfigError(
        f"No trial of study {study.name!r} recorded an importable objective (they "
        "ran through ask and tell, or before tuneops recorded code); pass one "
        "with --objective module:function."
    )
