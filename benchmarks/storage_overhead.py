"""Per-trial overhead of a study's bookkeeping: tuneops vs Optuna.

The same trivial random-search study (a 5-parameter mixed space, an objective that
costs nothing) runs in each library, in memory and on a SQLite file on disk, so the
time measured is the library's own: proposing, recording and reading back trials.

Run: python benchmarks/storage_overhead.py [--trials N] [--optuna-sqlite-trials M]
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import machine_line, write_result

import tuneops

SPACE = tuneops.Space(
    {
        "x": tuneops.Float(-5.0, 5.0),
        "lr": tuneops.Float(1e-5, 1e-1, log=True),
        "depth": tuneops.Int(1, 12),
        "width": tuneops.Int(16, 512, log=True),
        "act": tuneops.Categorical(["relu", "gelu", "tanh"]),
    }
)


def tuneops_run(storage: str, n_trials: int) -> float:
    """Seconds per trial for tuneops random search on ``storage``."""
    study = tuneops.Study.create("bench", SPACE, storage=storage, seed=0)
    start = time.perf_counter()
    study.optimize(lambda t: t.config["x"] ** 2 + t.config["depth"], n_trials=n_trials)
    return (time.perf_counter() - start) / n_trials


def optuna_run(storage: str | None, n_trials: int) -> float:
    """Seconds per trial for Optuna's RandomSampler on ``storage``."""
    import optuna

    def objective(trial: optuna.Trial) -> float:
        x = trial.suggest_float("x", -5.0, 5.0)
        trial.suggest_float("lr", 1e-5, 1e-1, log=True)
        depth = trial.suggest_int("depth", 1, 12)
        trial.suggest_int("width", 16, 512, log=True)
        trial.suggest_categorical("act", ["relu", "gelu", "tanh"])
        return x**2 + depth

    study = optuna.create_study(
        storage=storage, sampler=optuna.samplers.RandomSampler(seed=0)
    )
    start = time.perf_counter()
    study.optimize(objective, n_trials=n_trials)
    return (time.perf_counter() - start) / n_trials


def measure(repeats: int, n_trials: int, n_optuna_sqlite: int) -> list[tuple]:
    """Median seconds per trial over ``repeats`` runs of each case."""
    rows = []
    for label, n_tuneops, n_optuna in (
        ("in memory", n_trials, n_trials),
        ("SQLite on disk", n_trials, n_optuna_sqlite),
    ):
        ours, theirs = [], []
        for _ in range(repeats):
            with tempfile.TemporaryDirectory() as folder:
                db = Path(folder) / "bench.db"
                url = None if label == "in memory" else f"sqlite:///{db}"
                ours.append(tuneops_run(url or "memory", n_tuneops))
            with tempfile.TemporaryDirectory() as folder:
                db = Path(folder) / "bench.db"
                url = None if label == "in memory" else f"sqlite:///{db}"
                theirs.append(optuna_run(url, n_optuna))
        rows.append(
            (
                label,
                n_tuneops,
                statistics.median(ours),
                n_optuna,
                statistics.median(theirs),
            )
        )
    return rows


def table(rows: list[tuple]) -> str:
    """The markdown table of the results."""
    lines = [
        "| storage | tuneops trials | tuneops ms/trial | tuneops trials/s "
        "| Optuna trials | Optuna ms/trial | Optuna trials/s | Optuna / tuneops time |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, n_ours, ours, n_theirs, theirs in rows:
        lines.append(
            f"| {label} | {n_ours} | {ours * 1e3:.3f} | {1 / ours:,.0f} | {n_theirs} "
            f"| {theirs * 1e3:.3f} | {1 / theirs:,.0f} | {theirs / ours:.1f}× |"
        )
    return "\n".join(lines)


def main() -> None:
    """Run the benchmark, print the table and write results/storage_overhead.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=2000)
    parser.add_argument("--optuna-sqlite-trials", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    logging.getLogger("optuna").setLevel(logging.WARNING)
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    rows = measure(args.repeats, args.trials, args.optuna_sqlite_trials)
    text = (
        "# Storage overhead: tuneops vs Optuna\n\n"
        "Trivial objective, random search over a 5-parameter mixed space; median of "
        f"{args.repeats} runs each. Optuna on SQLite runs fewer trials because it is "
        "slow; its time per trial grows with the study, so its ratio is, if anything, "
        "flattered.\n\n"
        f"{machine_line('tuneops', 'optuna', 'SQLAlchemy')}\n\n{table(rows)}\n\n"
        "Target (issue 2): tuneops >= 300 trials/s on SQLite on disk.\n"
    )
    print(text)
    path = write_result("storage_overhead", text)
    print(f"Wrote {path}")


if __name__ == "__main__":
    main()
