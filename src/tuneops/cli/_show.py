"""`tuneops list` and `tuneops show NAME`: what the storage holds."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Annotated

import typer
from rich.table import Table

from tuneops._internal._errors import ConfigError
from tuneops.cli._app import app, handle_errors
from tuneops.cli._console import console, fmt
from tuneops.cli._tune import print_best
from tuneops.record import (
    CPU_PRICE_VARIABLE,
    DEFAULT_CPU_CORE_HOUR,
    DEFAULT_GPU_HOUR,
    GPU_PRICE_VARIABLE,
    Cost,
    Prices,
)
from tuneops.storage import DEFAULT_STORAGE, TrialRecord, open_storage, sqlite_file
from tuneops.study import Refit, Study
from tuneops.study._ranking import ranking_key

StorageOption = Annotated[str, typer.Option("--storage", help="Database URL.")]


def existing(storage: str) -> str:
    """The storage URL, if it names a database that exists.

    Commands that only read a study must not leave an empty SQLite file behind
    a typo; the message says where tuneops looked.
    """
    file = sqlite_file(storage)
    if file is not None and not file.is_file():
        raise ConfigError(
            f"`--storage` names {storage}, but the file {file} does not exist; "
            "run `tuneops tune` there first, or pass --storage with the database "
            "that holds the study."
        )
    return storage


@app.command("list")
@handle_errors
def list_studies(storage: StorageOption = DEFAULT_STORAGE) -> None:
    """List the studies in a storage with their trial counts and best values."""
    summaries = open_storage(existing(storage)).list_studies()
    if not summaries:
        console.print(f"No studies in {storage}.")
        return
    table = Table(title=f"Studies in {storage}")
    for column in (
        "name",
        "metric",
        "direction",
        "trials",
        "by status",
        "best",
        "created",
    ):
        # Names are what `show` needs: fold them, never cut them.
        table.add_column(column, overflow="fold" if column == "name" else "ellipsis")
    for s in summaries:
        statuses = ", ".join(f"{k} {v}" for k, v in sorted(s.counts.items()))
        created = dt.datetime.fromtimestamp(s.created_at).strftime("%Y-%m-%d %H:%M")
        table.add_row(
            s.name,
            s.metric,
            s.direction,
            str(sum(s.counts.values())),
            statuses,
            fmt(s.best_value),
            created,
        )
    console.print(table)


@app.command()
@handle_errors
def show(
    name: Annotated[str, typer.Argument(help="The study's name.")],
    storage: StorageOption = DEFAULT_STORAGE,
    top: Annotated[
        int, typer.Option("--top", min=1, help="Rows of the leaderboard.")
    ] = 10,
    cpu_price: Annotated[
        float | None,
        typer.Option(
            "--cpu-price",
            help=f"Dollars per CPU core-hour; default ${CPU_PRICE_VARIABLE} or "
            f"{DEFAULT_CPU_CORE_HOUR}.",
        ),
    ] = None,
    gpu_price: Annotated[
        float | None,
        typer.Option(
            "--gpu-price",
            help=f"Dollars per GPU-hour; default ${GPU_PRICE_VARIABLE} or "
            f"{DEFAULT_GPU_HOUR}.",
        ),
    ] = None,
) -> None:
    """Show a study's leaderboard, best config, cost and where its trials stand."""
    prices = Prices.from_env(cpu_price, gpu_price, names=("--cpu-price", "--gpu-price"))
    study = Study.load(name, existing(storage))
    trials = study.trials
    counts = Counter(t.status.value for t in trials)
    console.print(
        f"Study [bold]{study.name}[/]: {study.direction} {study.metric}; "
        f"{len(trials)} trials ("
        + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        + f"); searcher {study.searcher!r}; scheduler {study.scheduler!r}."
    )
    console.print(_leaderboard(study, trials, top))
    print_best(study)
    refits = study.refits
    if refits:
        console.print(refit_table(study, refits))
        console.print(
            f"By the refits, trial {refits[0].source}'s config is best: "
            f"{fmt(refits[0].mean)} ± {fmt(refits[0].std)} at resource "
            f"{fmt(refits[0].resource)}."
        )
    console.print(_cost_line(study.cost(prices)))
    for line in _recorded_lines(study):
        console.print(line, markup=False, soft_wrap=True)


def _recorded_lines(study: Study) -> list[str]:
    lines = []
    by_env = Counter(t.environment for t in study.trials if t.environment)
    by_code = Counter(t.code for t in study.trials if t.code)
    for digest, env in study.environments.items():
        cpu = env.get("cpu") or {}
        gpus = ", ".join(g["name"] for g in env.get("gpus") or []) or "no GPU"
        memory = env.get("memory_bytes") or 0
        lines.append(
            f"Environment {digest}: {env.get('hostname')}, Python "
            f"{(env.get('python') or {}).get('version')}, {cpu.get('model')} "
            f"({cpu.get('usable_cores')} cores), {memory / 2**30:.1f} GiB, {gpus}; "
            f"{len(env.get('packages') or {})} packages; {by_env[digest]} trials."
        )
    for digest, code in study.code_snapshots.items():
        objective = code.get("objective") or {}
        git = code.get("git")
        where = "not in git"
        if git:
            dirty = ", uncommitted changes" if git.get("dirty") else ""
            new = len(git.get("untracked") or [])
            dirty += f", {new} untracked source files" if new else ""
            where = f"git {str(git.get('commit'))[:10]} on {git.get('branch')}{dirty}"
        sha = str(code.get("source_sha256") or "-")[:12]
        lines.append(
            f"Code {digest}: {objective.get('file')}:{objective.get('qualname')} "
            f"(SHA-256 {sha}), {where}; {by_code[digest]} trials. "
            f"`tuneops diff {study.name} --code {digest}` shows it."
        )
    return lines


def _cost_line(cost: Cost) -> str:
    prices = cost.prices
    missing = ""
    if cost.unmeasured:
        missing = (
            f" CPU time was not measured for {cost.unmeasured} of them (run by an "
            "older tuneops, or told without cpu_time), so it counts 0 there."
        )
    return (
        f"Cost of {cost.trials} trials: wall {_duration(cost.wall_time)}, CPU "
        f"{_duration(cost.cpu_time)} core-time, GPU {_duration(cost.gpu_time)}; "
        f"estimated {_dollars(cost.dollars)} at ${prices.cpu_core_hour:g} per "
        f"core-hour and ${prices.gpu_hour:g} per GPU-hour.{missing}"
    )


def _dollars(amount: float) -> str:
    return "less than $0.01" if 0 < amount < 0.01 else f"${amount:,.2f}"


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.3g} s"
    if seconds < 7200:
        return f"{seconds / 60:.3g} min"
    return f"{seconds / 3600:.3g} h"


def _leaderboard(study: Study, trials: list[TrialRecord], top: int) -> Table:
    # Refit repeats have their own table; the leaderboard ranks searched configs.
    valued = [
        t for t in trials if t.evaluations and t.status.has_value and t.refit_of is None
    ]
    ranked = sorted(
        valued,
        key=lambda t: ranking_key(t.evaluations[-1], t.number, study.direction),
    )
    names = list(study.space.names)
    table = Table(
        title=f"Top {min(top, len(ranked))} of {len(valued)} searched trials with a "
        "value"
    )
    for column in ("rank", "trial", study.metric, "resource", "status"):
        table.add_column(column, justify="right" if column != "status" else "left")
    for name in names:
        table.add_column(name, justify="right")
    for rank, trial in enumerate(ranked[:top], start=1):
        table.add_row(
            str(rank),
            str(trial.number),
            fmt(trial.value),
            fmt(trial.resource),
            trial.status.value,
            *(fmt(trial.config.get(n)) for n in names),
        )
    return table


def refit_table(study: Study, refits: list[Refit]) -> Table:
    """The refits of a study, best mean first, with their configs."""
    table = Table(title=f"Refits of study {study.name!r}, best mean first")
    columns = ("trial", "searched", "at", "mean", "std", "n", "resource")
    names = list(study.space.names)
    for column in (*columns, *names):
        table.add_column(column, justify="right")
    for result in refits:
        table.add_row(
            str(result.source),
            fmt(result.searched_value),
            fmt(result.searched_resource),
            fmt(result.mean),
            fmt(result.std),
            str(len(result.values)),
            fmt(result.resource),
            *(fmt(result.config.get(n)) for n in names),
        )
    return table
