"""Searcher overhead per trial (ask + tell) and peak memory: tuneops vs Optuna.

A 5-D continuous space and an objective that costs nothing, so the time is the
library's own: proposing a config, recording the result and updating the
searcher. Each study runs in memory, trial after trial through ask and tell; the
time of trial k is ask + tell (Optuna: ask, the ``suggest_*`` calls where its
samplers do their work, and tell), never the objective. The overhead "at N
trials" is the mean over the 20 trials around N (numbers N-10 to N+9).

Optuna's TPE gets slower as its history grows, so a real run to 10,000 trials
takes about a quarter of an hour (the full mode does it; --quick stops at
1,010). Beyond ``--optuna-tpe-trials`` its history is instead pre-filled with
random trials (``study.add_trials``) up to N - 10 and only the 20 measured
trials run, marked * in the table. The "pre-filled" row repeats every point
that way, to show how it compares with a real run.

Peak memory is tracemalloc's peak over a whole study (a separate run, since
tracing slows Python down).

Run: python benchmarks/search_overhead.py [--quick]
"""

from __future__ import annotations

import argparse
import gc
import logging
import sys
import tempfile
import time
import tracemalloc
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import machine_line, write_result
from hpo._measures import markdown_table
from hpo._methods import METHODS

import tuneops

SPACE = tuneops.Space({f"x{i}": tuneops.Float(-5.0, 5.0) for i in range(5)})
POINTS = (100, 1_000, 10_000)
HALF_WINDOW = 10
METHOD_KEYS = ("random", "sobol", "tpe", "optuna-random", "optuna-tpe")
TARGET_MS = 3.0


def objective(config: dict[str, Any]) -> float:
    """The sphere function: free, so only the library's time is measured."""
    return float(sum(v * v for v in config.values()))


def tuneops_times(searcher: str, n_trials: int) -> np.ndarray:
    """Seconds of ask + tell for each of ``n_trials`` trials of a tuneops study."""
    times = np.empty(n_trials)
    with tempfile.TemporaryDirectory(prefix="overhead-") as folder:
        study = tuneops.Study.create(
            "overhead",
            SPACE,
            searcher={"type": searcher},
            seed=0,
            storage="memory",
            artifacts_dir=folder,
        )
        for i in range(n_trials):
            start = time.perf_counter()
            trial = study.ask()
            asked = time.perf_counter()
            value = objective(trial.config)
            told = time.perf_counter()
            study.tell(trial, value)
            times[i] = (asked - start) + (time.perf_counter() - told)
    return times


def optuna_times(sampler: str, n_trials: int, prefill: int = 0) -> np.ndarray:
    """Seconds of ask + suggest + tell for ``n_trials`` trials of an Optuna study,
    after ``prefill`` random trials added without sampling."""
    import optuna

    study = optuna.create_study(sampler=_optuna_sampler(sampler))
    if prefill:
        study.add_trials(_random_trials(prefill))
    times = np.empty(n_trials)
    for i in range(n_trials):
        start = time.perf_counter()
        trial = study.ask()
        config = {name: trial.suggest_float(name, -5.0, 5.0) for name in SPACE.names}
        asked = time.perf_counter()
        value = objective(config)
        told = time.perf_counter()
        study.tell(trial, value)
        times[i] = (asked - start) + (time.perf_counter() - told)
    return times


def _optuna_sampler(sampler: str) -> Any:
    import optuna

    if sampler == "random":
        return optuna.samplers.RandomSampler(seed=0)
    return optuna.samplers.TPESampler(seed=0)


def _random_trials(n_trials: int) -> list[Any]:
    import optuna

    rng = np.random.default_rng(0)
    distribution = optuna.distributions.FloatDistribution(-5.0, 5.0)
    trials = []
    for _ in range(n_trials):
        params = {name: float(rng.uniform(-5.0, 5.0)) for name in SPACE.names}
        trials.append(
            optuna.trial.create_trial(
                params=params,
                distributions=dict.fromkeys(SPACE.names, distribution),
                value=objective(params),
            )
        )
    return trials


@dataclass
class MethodOverhead:
    """One method's ms per trial by point, and how each was measured."""

    key: str
    ms: dict[int, float] = field(default_factory=dict)
    prefilled: set[int] = field(default_factory=set)
    run_seconds: float = 0.0
    peak_mib: float | None = None
    peak_trials: int = 0
    peak_note: str = ""
    note: str = ""


def _window_ms(times: np.ndarray, point: int) -> float:
    return float(times[point - HALF_WINDOW : point + HALF_WINDOW].mean() * 1e3)


def measure_times(
    key: str, real_max: int, prefilled: dict[int, float] | None = None
) -> MethodOverhead:
    """ms per trial at every point, from one real run (and pre-filled beyond it,
    reusing ``prefilled`` measurements where given)."""
    method = METHODS[key]
    result = MethodOverhead(key)
    reason = method.unavailable()
    if reason is not None:
        result.note = f"not available: {reason}"
        return result
    real_points = [p for p in POINTS if p + HALF_WINDOW <= real_max]
    n_real = max(real_points, default=0) + HALF_WINDOW
    gc.collect()
    start = time.perf_counter()
    try:
        if method.library == "tuneops":
            times = tuneops_times(method.sampler, n_real)
        else:
            times = optuna_times(method.sampler, n_real)
    except Exception as exc:
        result.note = f"failed: {type(exc).__name__}: {exc}"
        return result
    result.run_seconds = time.perf_counter() - start
    for point in real_points:
        result.ms[point] = _window_ms(times, point)
    for point in POINTS:
        if point not in result.ms:
            known = (prefilled or {}).get(point)
            result.ms[point] = known or prefilled_ms(method.sampler, point)
            result.prefilled.add(point)
    return result


def prefilled_ms(sampler: str, point: int) -> float:
    """Optuna's ms per trial at ``point`` with a pre-filled random history."""
    gc.collect()
    times = optuna_times(sampler, 2 * HALF_WINDOW, prefill=point - HALF_WINDOW)
    return float(times.mean() * 1e3)


def peak_memory(key: str, n_trials: int, prefill: bool = False) -> float:
    """tracemalloc's peak in MiB over a study of ``n_trials`` trials."""
    method = METHODS[key]
    gc.collect()
    tracemalloc.start()
    try:
        if method.library == "tuneops":
            tuneops_times(method.sampler, n_trials)
        elif prefill:
            optuna_times(method.sampler, 2 * HALF_WINDOW, n_trials - 2 * HALF_WINDOW)
        else:
            optuna_times(method.sampler, n_trials)
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


@dataclass
class OverheadReport:
    """The markdown of the measurement and the numbers the targets need."""

    text: str
    results: dict[str, MethodOverhead]

    def tpe_ms(self, point: int) -> float | None:
        """tuneops TPE's ms per trial at ``point``, if it ran."""
        tpe = self.results.get("tpe")
        return None if tpe is None else tpe.ms.get(point)


def measure_overhead(
    quick: bool,
    keys: tuple[str, ...] = METHOD_KEYS,
    optuna_tpe_trials: int | None = None,
    log: Callable[[str], None] = print,
) -> OverheadReport:
    """Measure every method and format the tables."""
    _quiet_optuna()
    tpe_real = optuna_tpe_trials or (1_000 if quick else 10_000) + HALF_WINDOW
    memory_trials = 1_000 if quick else 10_000
    prefilled = None
    if "optuna-tpe" in keys:
        log("overhead: optuna-tpe with pre-filled histories")
        prefilled = {p: prefilled_ms("tpe", p) for p in POINTS}
    results: dict[str, MethodOverhead] = {}
    for key in keys:
        real_max = tpe_real if key == "optuna-tpe" else POINTS[-1] + HALF_WINDOW
        log(f"overhead: {key} (real trials up to {real_max:,})")
        results[key] = measure_times(key, real_max, prefilled)
    for key in keys:
        result = results[key]
        if result.note:
            continue
        big_tpe = key == "optuna-tpe" and memory_trials > tpe_real
        log(f"overhead: {key} peak memory at {memory_trials:,} trials")
        result.peak_mib = peak_memory(key, memory_trials, prefill=big_tpe)
        result.peak_trials = memory_trials
        result.peak_note = "pre-filled history" if big_tpe else ""
    return OverheadReport(_format(results, prefilled, tpe_real), results)


def _quiet_optuna() -> None:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    logging.getLogger("tuneops").setLevel(logging.WARNING)


def _format(
    results: dict[str, MethodOverhead],
    prefilled: dict[int, float] | None,
    tpe_real: int,
) -> str:
    headers = [
        "method",
        *[f"ms/trial at {p:,}" for p in POINTS],
        "real run (s)",
        "note",
    ]
    rows = []
    for key, result in results.items():
        label = METHODS[key].label
        if result.note:
            rows.append([label, *["—"] * (len(POINTS) + 1), result.note])
            continue
        cells = [
            f"{result.ms[p]:.2f}{'*' if p in result.prefilled else ''}" for p in POINTS
        ]
        rows.append([label, *cells, f"{result.run_seconds:.1f}", ""])
    if prefilled is not None:
        cells = [f"{prefilled[p]:.2f}*" for p in POINTS]
        rows.append(["Optuna TPE, pre-filled history", *cells, "—", "for comparison"])
    memory_rows = [
        [
            METHODS[key].label,
            f"{r.peak_trials:,}",
            f"{r.peak_mib:.1f}",
            r.peak_note or "real run",
        ]
        for key, r in results.items()
        if r.peak_mib is not None
    ]
    return (
        "ask + tell time per trial, mean over the 20 trials around each point "
        f"(numbers N-10 to N+9), 5-D continuous space, in memory. Optuna TPE ran "
        f"for real up to {tpe_real:,} trials; * marks a point measured after "
        "pre-filling the history with random trials up to N - 10.\n\n"
        f"{markdown_table(headers, rows)}\n\n"
        "Peak memory (tracemalloc) over a whole study:\n\n"
        f"{markdown_table(['method', 'trials', 'peak MiB', 'how'], memory_rows)}"
    )


def target_lines(report: OverheadReport) -> list[str]:
    """The overhead target, checked."""
    at_1k, at_10k = report.tpe_ms(1_000), report.tpe_ms(10_000)
    if at_1k is None or at_10k is None:
        note = report.results.get("tpe", MethodOverhead("tpe")).note or "not measured"
        return [
            f"- TPE overhead <= {TARGET_MS:g} ms/trial at 1,000 and 10,000 trials: "
            f"NOT CHECKED ({note})"
        ]
    ok = at_1k <= TARGET_MS and at_10k <= TARGET_MS
    optuna = report.results.get("optuna-tpe")
    theirs = (
        ""
        if optuna is None or 1_000 not in optuna.ms
        else (f"; Optuna TPE {optuna.ms[1_000]:.1f} ms at 1,000")
    )
    return [
        f"- TPE overhead <= {TARGET_MS:g} ms/trial at 1,000 and 10,000 trials: "
        f"{'PASS' if ok else 'FAIL'} ({at_1k:.2f} ms at 1,000, {at_10k:.2f} ms at "
        f"10,000{theirs})"
    ]


def main() -> None:
    """Run the measurement, print it and write results/search_overhead*.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="Optuna TPE real only to 1,010 trials, memory at 1,000 trials",
    )
    parser.add_argument(
        "--optuna-tpe-trials",
        type=int,
        default=None,
        help="real Optuna TPE trials before pre-filling (default 1,010 quick, "
        "10,010 full)",
    )
    args = parser.parse_args()
    from threadpoolctl import threadpool_limits

    start = time.perf_counter()
    with threadpool_limits(limits=1):
        report = measure_overhead(
            args.quick,
            optuna_tpe_trials=args.optuna_tpe_trials,
            log=lambda line: print(line, file=sys.stderr, flush=True),
        )
    mode = "quick" if args.quick else "full"
    text = (
        f"# Search overhead: tuneops vs Optuna ({mode} mode)\n\n"
        f"{machine_line('tuneops', 'optuna', 'numpy')}\n\n{report.text}\n\n"
        "Target (issue 3):\n\n" + "\n".join(target_lines(report)) + "\n\n"
        f"Run time {time.perf_counter() - start:.0f} s.\n"
    )
    print(text)
    name = "search_overhead_quick" if args.quick else "search_overhead"
    print(f"Wrote {write_result(name, text)}")


if __name__ == "__main__":
    main()
