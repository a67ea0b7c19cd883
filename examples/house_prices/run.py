"""The main job: tune a house-price model on Ames and check it on held-out rows.

Two studies, both stored in one SQLite file (``tuneops.db`` by default):

* ``house-prices-iterations``: Hyperband over the number of boosting iterations
  (15 to 405, η = 3). Promoted trials resume from their checkpoint, so a rung
  only trains the extra iterations.
* ``house-prices-fraction``: Hyperband over the share of training rows (1/9 to
  all of them, η = 3) with a fixed 300 iterations.

Both tune on the validation split; the test split is touched only at the end,
to compare each study's best config with scikit-learn's defaults.

Run from the repository root::

    TUNEOPS_DATA_DIR=../shared/data python examples/house_prices/run.py

Running it again continues the stored studies up to their budgets instead of
starting over (``--fresh`` uses new study names instead).
"""

from __future__ import annotations

import functools
import logging
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

# Running the file directly puts examples/house_prices first on sys.path; the
# repository root is needed for `examples.house_prices.model`.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from examples.house_prices import model
from tuneops import Hyperband, RandomSearcher, Space, Study
from tuneops._internal._logging import configure_cli_logging
from tuneops.cli._console import console


@dataclass(frozen=True)
class Plan:
    """One study of the main job."""

    name: str
    scheduler: Hyperband
    n_trials: int
    objective: Any
    iterations_at_best: Any


PLANS = (
    Plan(
        name="house-prices-iterations",
        scheduler=Hyperband(min_resource=15, max_resource=405, reduction_factor=3),
        # Two passes over the four brackets of 27, 12, 6 and 4 configs.
        n_trials=98,
        objective=model.train_boosting,
        iterations_at_best=lambda study: round(study.best_resource),
    ),
    Plan(
        name="house-prices-fraction",
        scheduler=Hyperband(min_resource=1 / 9, max_resource=1.0, reduction_factor=3),
        # Two passes over the three brackets of 9, 5 and 3 configs.
        n_trials=34,
        objective=model.train_on_fraction,
        iterations_at_best=lambda study: model.FRACTION_MAX_ITER,
    ),
)


def main(
    data_dir: Annotated[
        Path | None,
        typer.Option(
            help="Folder or file with ames_train.csv (default: "
            "$TUNEOPS_DATA_DIR, the cache, or a download)."
        ),
    ] = None,
    storage: Annotated[
        str, typer.Option(help="Database URL.")
    ] = "sqlite:///tuneops.db",
    seed: Annotated[int, typer.Option(help="Seed of both studies.")] = 0,
    fresh: Annotated[
        bool, typer.Option(help="Start new studies (names get a time suffix).")
    ] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Log every trial.")
    ] = False,
) -> None:
    """Tune HistGradientBoostingRegressor on Ames and compare with its defaults."""
    configure_cli_logging(logging.INFO if verbose else logging.WARNING, console)
    started = time.perf_counter()
    splits = model.load_splits(data_dir)
    console.print(
        f"Ames: {len(splits.X_train)} train, {len(splits.X_val)} validation, "
        f"{len(splits.X_test)} test houses; metric: RMSE of log(SalePrice)."
    )
    suffix = time.strftime("-%Y%m%d-%H%M%S") if fresh else ""
    rows = [_defaults_row(data_dir)]
    for plan in PLANS:
        rows.append(_run_study(plan, suffix, storage, seed, data_dir))
    _print_results(rows, storage, time.perf_counter() - started)


def _defaults_row(data_dir: Path | None) -> dict[str, Any]:
    config, n_iter = model.DEFAULT_CONFIG, model.DEFAULT_MAX_ITER
    return {
        "study": "untuned defaults",
        "config": {**config, "max_iter": n_iter},
        "val": model.evaluate(config, n_iter, "val", data_dir),
        "test": model.evaluate(config, n_iter, "test", data_dir),
        "trials": "-",
        "resource": "-",
        "seconds": None,
    }


def _run_study(
    plan: Plan, suffix: str, storage: str, seed: int, data_dir: Path | None
) -> dict[str, Any]:
    start = time.perf_counter()
    study = Study.create(
        plan.name + suffix,
        Space.from_file(model.SPACE_FILE),
        metric="rmse_log",
        direction="minimize",
        searcher=RandomSearcher(seed=seed),
        scheduler=plan.scheduler,
        seed=seed,
        storage=storage,
        resume=True,
    )
    remaining = max(0, plan.n_trials - len(study.trials))
    objective = functools.partial(plan.objective, data_dir=data_dir)
    with console.status(f"{study.name}: {remaining} new trials ..."):
        study.optimize(objective, n_trials=remaining)
    n_iter = plan.iterations_at_best(study)
    config = dict(study.best_trial.config)
    return {
        "study": study.name,
        "config": {**config, "max_iter": n_iter},
        "val": study.best_value,
        "test": model.evaluate_on_test(config, n_iter, data_dir),
        "trials": str(len(study.trials)),
        "resource": f"{study.best_resource:g}",
        "seconds": time.perf_counter() - start,
    }


def _print_results(rows: list[dict[str, Any]], storage: str, seconds: float) -> None:
    scores = Table(title="log-RMSE of SalePrice (lower is better)")
    for column in ("", "validation", "test", "trials", "best at resource", "time"):
        scores.add_column(
            column, justify="left" if not column else "right", overflow="fold"
        )
    for row in rows:
        scores.add_row(
            row["study"],
            f"{row['val']:.4f}",
            f"{row['test']:.4f}",
            row["trials"],
            row["resource"],
            "-" if row["seconds"] is None else f"{row['seconds']:.0f} s",
        )
    console.print(scores)

    configs = Table(title="Configurations")
    configs.add_column("hyperparameter")
    for row in rows:
        configs.add_column(row["study"], justify="right", overflow="fold")
    for key in rows[0]["config"]:
        configs.add_row(key, *(_fmt(row["config"].get(key)) for row in rows))
    console.print(configs)

    default = rows[0]["test"]
    best = min(rows[1:], key=lambda r: r["test"])
    verdict = "better" if best["test"] < default else "NOT better"
    console.print(
        f"Best tuned test log-RMSE {best['test']:.4f} ({best['study']}) vs "
        f"defaults {default:.4f}: {verdict} by "
        f"{100 * (default - best['test']) / default:.1f} %."
    )
    console.print(
        f"Total {seconds:.0f} s. The studies are in {storage}; see them with "
        f"`tuneops show {best['study']} --storage {storage}`."
    )


def _fmt(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


if __name__ == "__main__":
    typer.run(main)
