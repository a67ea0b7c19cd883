"""HPO benchmark suite: tuneops and Optuna side by side on tasks with known optima.

One command runs every method on every task for several seeds (two worker
processes, one BLAS/OpenMP thread each), then measures the searchers' overhead
per trial and peak memory in the main process, and writes one markdown report:

* black-box tasks (Branin, Hartmann6, Rosenbrock 5-D/10-D, a mixed space, a
  conditional space; without and with noise): simple regret after 10, 25, 50
  and 100 evaluations;
* multi-fidelity tasks (BOCA's Branin and Hartmann6, a learning-curve
  Hartmann6) and real tasks (an MLP on digits, HistGradientBoosting on Ames):
  simple regret after 1/9, 1/3 and all of a resource budget;
* median and interquartile range over seeds, one-sided Wilcoxon signed-rank
  tests paired by seed (tuneops TPE vs Optuna TPE and others), mean ranks;
* the targets of issue 3, each marked PASS, FAIL or NOT CHECKED.

Methods whose tuneops searcher is not registered yet are reported as not
available. See ``hpo/`` for the functions, tasks, adapters and measures.

Run (from the repository root):

    TUNEOPS_DATA_DIR=../shared/data python benchmarks/hpo_suite.py --quick

``--quick`` (10 seeds on synthetic tasks, 2 on real ones, smaller resource
budgets, Optuna TPE overhead measured for real only to 1,000 trials) writes
results/hpo_suite_quick.md; it took 4.5 minutes on 2 cores without tuneops TPE
and BOHB and should stay under 10 with them. The full run (20 and 5 seeds,
larger budgets, Optuna TPE timed for real to 10,000 trials) writes
results/hpo_suite.md and takes about an hour.
"""

from __future__ import annotations

import argparse
import concurrent.futures as futures
import multiprocessing
import os
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import machine_line, write_result
from hpo import _measures as ms
from hpo._functions import optimum_checks
from hpo._methods import METHODS, Budget, Method, RunResult, quiet_libraries, run
from hpo._tasks import BLACK_BOX, GROUPS, MULTI_FIDELITY, REAL, Task, all_tasks
from search_overhead import OverheadReport, measure_overhead, target_lines

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


@dataclass(frozen=True)
class Settings:
    """Seeds and budgets of one mode."""

    name: str
    seeds: int
    real_seeds: int
    evaluations: int
    mf_budget: float
    real_budget: dict[str, float] = field(default_factory=dict)

    def budget(self, task: Task) -> Budget:
        """Black-box tasks count evaluations; the others resource, in full
        evaluations (resource / max_resource)."""
        if task.group == BLACK_BOX:
            return Budget(evaluations=self.evaluations)
        if task.group == REAL:
            return Budget(resource=self.real_budget[task.name])
        return Budget(resource=self.mf_budget)

    def seed_count(self, task: Task) -> int:
        """Seeds per method on ``task``."""
        return self.real_seeds if task.group == REAL else self.seeds


QUICK = Settings("quick", 10, 2, 100, 30.0, {"mlp-digits": 8.0, "hgb-ames": 4.0})
FULL = Settings("full", 20, 5, 100, 100.0, {"mlp-digits": 30.0, "hgb-ames": 20.0})

# Real tasks, then multi-fidelity ones, go first: the pool ends sooner when the
# longest jobs start early.
_GROUP_ORDER = {REAL: 0, MULTI_FIDELITY: 1, BLACK_BOX: 2}


@dataclass(frozen=True)
class Job:
    """One run to do."""

    method: str
    task: str
    seed: int
    budget: Budget


@dataclass
class Results:
    """Every run, by task, method and seed."""

    tasks: list[Task]
    methods: list[Method]
    settings: Settings
    runs: dict[tuple[str, str, int], RunResult] = field(default_factory=dict)

    def of(self, task: str, method: str) -> list[RunResult]:
        """The successful runs of a method on a task, by seed."""
        found = [r for (t, m, _), r in self.runs.items() if t == task and m == method]
        return sorted((r for r in found if r.error is None), key=lambda r: r.seed)

    def ran(self, task: Task) -> list[Method]:
        """Methods with at least one successful run on ``task``."""
        return [m for m in self.methods if self.of(task.name, m.key)]

    def final(self, task: Task, run: RunResult) -> float:
        """Regret at the end of the budget."""
        budget = self.settings.budget(task)
        if budget.evaluations is not None:
            return ms.at_evaluations(run, task.f_star, budget.evaluations)
        return ms.at_resource(run, task.f_star, float(budget.resource or 0.0))

    def finals(self, task: Task, method: str) -> dict[int, float]:
        """Final regret by seed."""
        return {r.seed: self.final(task, r) for r in self.of(task.name, method)}


def select_tasks(spec: str | None) -> list[Task]:
    """Tasks named by a comma list of names and groups ("black-box", "real"...)."""
    tasks = all_tasks()
    if not spec or spec == "all":
        return list(tasks.values())
    chosen: list[Task] = []
    for item in spec.split(","):
        item = item.strip()
        if item in GROUPS:
            chosen += [t for t in tasks.values() if t.group == item]
        elif item in tasks:
            chosen.append(tasks[item])
        else:
            known = ", ".join([*GROUPS, *tasks])
            raise SystemExit(f"--tasks: unknown task or group {item!r}; use {known}.")
    return list({t.name: t for t in chosen}.values())


def select_methods(spec: str | None) -> list[Method]:
    """Methods named by a comma list of keys (all by default)."""
    if not spec or spec == "all":
        return list(METHODS.values())
    chosen = []
    for key in spec.split(","):
        key = key.strip()
        if key not in METHODS:
            raise SystemExit(f"--methods: unknown {key!r}; use {', '.join(METHODS)}.")
        chosen.append(METHODS[key])
    return chosen


def plan(
    tasks: Sequence[Task], methods: Sequence[Method], settings: Settings
) -> list[Job]:
    """Every (method, task, seed) to run, longest first."""
    jobs = [
        Job(m.key, t.name, seed, settings.budget(t))
        for t in tasks
        for m in methods
        if m.unavailable() is None and m.applies_to(t)
        for seed in range(settings.seed_count(t))
    ]
    groups = {t.name: t.group for t in tasks}
    return sorted(
        jobs,
        key=lambda j: (_GROUP_ORDER[groups[j.task]], j.task, "tpe" not in j.method),
    )


def _init_worker() -> None:
    from threadpoolctl import threadpool_limits

    # Kept for the life of the worker: every fit uses one thread.
    globals()["_limits"] = threadpool_limits(limits=1)
    quiet_libraries()


def _run_job(job: Job) -> RunResult:
    return run(job.method, job.task, job.seed, job.budget)


def run_all(
    jobs: Sequence[Job], workers: int, log: Callable[[str], None]
) -> list[RunResult]:
    """Run the jobs in ``workers`` processes, logging progress."""
    for variable in THREAD_VARIABLES:
        os.environ.setdefault(variable, "1")
    if workers <= 1:
        _init_worker()
        return _with_progress(map(_run_job, jobs), len(jobs), log)
    context = multiprocessing.get_context("spawn")
    with futures.ProcessPoolExecutor(workers, context, _init_worker) as pool:
        pending = [pool.submit(_run_job, job) for job in jobs]
        done = (f.result() for f in futures.as_completed(pending))
        return _with_progress(done, len(jobs), log)


def _with_progress(
    results: Iterable[RunResult], total: int, log: Callable[[str], None]
) -> list[RunResult]:
    collected: list[RunResult] = []
    start = last = time.perf_counter()
    for result in results:
        collected.append(result)
        if result.error:
            first = result.error.splitlines()[0]
            where = f"{result.method} on {result.task}, seed {result.seed}"
            log(f"  {where} failed: {first}")
        now = time.perf_counter()
        if now - last >= 15 or len(collected) == total:
            last = now
            log(f"  {len(collected)}/{total} runs, {now - start:.0f} s")
    return collected


# -- the report -------------------------------------------------------------------


def report(results: Results, overhead: OverheadReport | None, header: str) -> str:
    """The whole markdown report."""
    parts = [
        header,
        "## Targets\n\n" + "\n".join(target_section(results, overhead)),
        "## Function checks\n\nEach function at its published (or constructed) "
        "minimiser; the suite's regrets rely on these.\n\n" + function_checks(),
        "## Methods\n\n" + methods_table(results.methods),
        "## Tasks\n\n" + tasks_table(results),
    ]
    parts += [group_section(results, group) for group in GROUPS]
    parts.append(paired_section(results))
    parts.append(rank_section(results))
    parts.append(resource_section(results))
    if overhead is not None:
        parts.append("## Search overhead and memory\n\n" + overhead.text)
    failures = failure_lines(results)
    if failures:
        parts.append("## Failed runs\n\n" + "\n".join(failures))
    return "\n\n".join(parts) + "\n"


def function_checks() -> str:
    """One row per function: value at the argmin against f*."""
    rows = [
        [
            c.function,
            c.argmin,
            f"{c.value:.9g}",
            f"{c.f_star:g}",
            "yes" if c.ok else "NO",
        ]
        for c in optimum_checks()
    ]
    return ms.markdown_table(["function", "argmin", "f(argmin)", "f*", "equal"], rows)


def methods_table(methods: Sequence[Method]) -> str:
    """What each method is and whether it ran."""
    rows = []
    for m in methods:
        scheduler = "Hyperband" if m.multi_fidelity else "none (largest resource)"
        if m.library == "optuna":
            scheduler = (
                "HyperbandPruner" if m.multi_fidelity else "none (largest resource)"
            )
        reason = m.unavailable()
        status = "ran" if reason is None else f"not available: {reason}"
        rows.append([m.label, f"`{m.key}`", m.sampler, scheduler, status])
    return ms.markdown_table(["method", "id", "searcher", "scheduler", "status"], rows)


def tasks_table(results: Results) -> str:
    """The tasks, their budgets and seeds."""
    rows = []
    for t in results.tasks:
        budget = results.settings.budget(t)
        spend = (
            f"{budget.evaluations} evaluations"
            if budget.evaluations is not None
            else f"{budget.resource:g} × max resource"
        )
        resource = "—" if not t.has_resource else f"{t.min_resource}..{t.max_resource}"
        rows.append(
            [
                f"`{t.name}`",
                t.about,
                resource,
                spend,
                str(results.settings.seed_count(t)),
            ]
        )
    return ms.markdown_table(["task", "what", "resource", "budget", "seeds"], rows)


def checkpoints(
    results: Results, task: Task
) -> list[tuple[str, Callable[[RunResult], float]]]:
    """The columns of a task's table: where its curves are read."""
    budget = results.settings.budget(task)
    if budget.evaluations is not None:
        points = sorted({10, 25, 50, budget.evaluations})
        return [
            (f"after {n}", lambda r, n=n: ms.at_evaluations(r, task.f_star, n))
            for n in points
        ]
    total = float(budget.resource or 0.0)
    return [
        (
            f"after {label} ({spent:.3g})",
            lambda r, s=spent: ms.at_resource(r, task.f_star, s),
        )
        for label, spent in (("B/9", total / 9), ("B/3", total / 3), ("B", total))
    ]


def task_table(results: Results, task: Task) -> str:
    """Regret by checkpoint for every method on one task."""
    columns = checkpoints(results, task)
    finals = {m.key: results.finals(task, m.key) for m in results.ran(task)}
    ranks = ms.mean_ranks(finals) if len(finals) > 1 else {}
    budget = results.settings.budget(task)
    headers = ["method", *[c[0] for c in columns]]
    if budget.resource is not None:
        headers.append("evaluations in B")
    headers += ["mean rank", "s/run"]
    rows = []
    for m in results.ran(task):
        runs = results.of(task.name, m.key)
        row = [
            m.label,
            *[ms.median_iqr([read(r) for r in runs]) for _, read in columns],
        ]
        if budget.resource is not None:
            counts = [ms.evaluations_within(r, budget.resource) for r in runs]
            row.append(ms.fmt(ms.quantile(counts, 0.5)))
        row.append(f"{ranks[m.key]:.2f}" if m.key in ranks else "—")
        row.append(f"{sum(r.seconds for r in runs) / len(runs):.2f}")
        rows.append(row)
    return ms.markdown_table(headers, rows)


def group_section(results: Results, group: str) -> str:
    """The per-task tables of one group."""
    title = {
        BLACK_BOX: "Black-box tasks: simple regret vs evaluations",
        MULTI_FIDELITY: "Multi-fidelity tasks: simple regret vs resource spent",
        REAL: "Real tasks: validation error of the incumbent vs resource spent",
    }[group]
    unit = {
        BLACK_BOX: "Regret f(x̂) - f*, median [25th, 75th percentile] over seeds.",
        MULTI_FIDELITY: "Regret f(x̂) - f* at the largest resource, median [IQR] "
        "over seeds, after spending B/9, B/3 and B full-evaluation equivalents "
        "(resource / max resource, promotions paying only the increment); "
        "— means no evaluation had finished.",
        REAL: "Validation error of the incumbent (best at the largest resource "
        "reached), median [IQR] over seeds, after B/9, B/3 and B full-evaluation "
        "equivalents.",
    }[group]
    tables = [
        f"### `{t.name}`\n\n{task_table(results, t)}"
        for t in results.tasks
        if t.group == group and results.ran(t)
    ]
    if not tables:
        return f"## {title}\n\nNot run."
    return f"## {title}\n\n{unit}\n\n" + "\n\n".join(tables)


PAIRS = (
    ("tpe", "optuna-tpe"),
    ("random", "optuna-random"),
    ("bohb", "optuna-tpe-hb"),
    ("bohb-level", "optuna-tpe-hb"),
)


def paired_rows(results: Results, task: Task) -> list[tuple[str, str, list[str]]]:
    """(ours, theirs, row) for every pair that ran on ``task``."""
    out = []
    for ours, theirs in PAIRS:
        if not (METHODS[ours].applies_to(task) and METHODS[theirs].applies_to(task)):
            continue
        a, b = results.finals(task, ours), results.finals(task, theirs)
        label = f"{METHODS[ours].label} vs {METHODS[theirs].label}"
        missing = METHODS[ours].unavailable() or METHODS[theirs].unavailable()
        if missing or not a or not b:
            why = f"not available: {missing}" if missing else "not run"
            out.append(
                (ours, theirs, [f"`{task.name}`", label, "—", "—", "—", "—", why])
            )
            continue
        seeds = sorted(set(a) & set(b))
        p_better, p_worse = ms.paired_test([a[s] for s in seeds], [b[s] for s in seeds])
        out.append(
            (
                ours,
                theirs,
                [
                    f"`{task.name}`",
                    label,
                    ms.fmt(ms.quantile([a[s] for s in seeds], 0.5)),
                    ms.fmt(ms.quantile([b[s] for s in seeds], 0.5)),
                    f"{p_better:.3g}",
                    f"{p_worse:.3g}",
                    ms.verdict(p_better, p_worse),
                ],
            )
        )
    return out


def paired_section(results: Results) -> str:
    """Wilcoxon signed-rank tests at the end of the budget, paired by seed."""
    headers = [
        "task",
        "pair (tuneops vs Optuna)",
        "tuneops median",
        "Optuna median",
        "p (tuneops better)",
        "p (tuneops worse)",
        f"verdict (α = {ms.ALPHA})",
    ]
    rows = [row for t in results.tasks for _, _, row in paired_rows(results, t)]
    return (
        "## Paired tests\n\nOne-sided Wilcoxon signed-rank tests "
        "(`scipy.stats.wilcoxon`) on the final regret (validation error for real "
        "tasks), paired by seed: same seed, same noise stream and model seeds. "
        "tuneops random vs Optuna random checks the harness: both are uniform "
        "sampling, so they should not differ; with 10 or 20 seeds and many rows, a few "
        "p-values below α are expected by chance, and rows are not independent: "
        "methods that evaluate only the largest resource see the same function on "
        "`hartmann6`, `mf-hartmann6` and `lc-hartmann6` (and on `branin` and "
        "`mf-branin`), so they repeat the same runs. No correction for multiple "
        "tests.\n\n" + ms.markdown_table(headers, rows)
    )


def rank_section(results: Results) -> str:
    """Mean rank of each method per group (1 = best), over tasks and seeds."""
    per_group: dict[str, dict[str, list[float]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for t in results.tasks:
        finals = {m.key: results.finals(t, m.key) for m in results.ran(t)}
        if len(finals) < 2:
            continue
        for key, rank in ms.mean_ranks(finals).items():
            per_group[t.group][key].append(rank)
            per_group["all"][key].append(rank)
    columns = [g for g in (*GROUPS, "all") if g in per_group]
    rows = []
    for m in results.methods:
        cells = []
        for g in columns:
            ranks = per_group[g].get(m.key)
            cells.append(
                f"{sum(ranks) / len(ranks):.2f} ({len(ranks)})" if ranks else "—"
            )
        if any(c != "—" for c in cells):
            rows.append([m.label, *cells])
    return (
        "## Mean rank\n\nPer task, methods are ranked on each seed by final regret "
        "(1 = best, ties share), the ranks averaged over seeds, then over the tasks "
        "of a group (task count in brackets). Black-box tasks rank only the methods "
        "that do not use a resource; methods not available are not ranked, so ranks "
        "are comparable only within one report.\n\n"
        + ms.markdown_table(["method", *columns], rows)
    )


def resource_rows(results: Results) -> list[tuple[Task, float | None, list[str]]]:
    """Per resource task: how much BOHB and Hyperband need to match Optuna TPE+HB."""
    out = []
    for t in results.tasks:
        if not t.has_resource:
            continue
        reference = results.of(t.name, "optuna-tpe-hb")
        budget = float(results.settings.budget(t).resource or 0.0)
        if not reference:
            continue
        target = ms.quantile([results.final(t, r) for r in reference], 0.5)
        cells: list[str] = [f"`{t.name}`", ms.fmt(target)]
        ratio_bohb: float | None = None
        for key in ("bohb", "bohb-level", "hyperband"):
            runs = results.of(t.name, key)
            if not runs:
                reason = METHODS[key].unavailable() or "not run"
                cells.append(
                    f"not available: {reason}" if METHODS[key].unavailable() else reason
                )
                continue
            ratio = ms.resource_to_reach(runs, t.f_star, target, budget) / budget
            cells.append("never within B" if ratio == float("inf") else f"{ratio:.2f}")
            if key == "bohb":
                ratio_bohb = ratio
        out.append((t, ratio_bohb, cells))
    return out


def resource_section(results: Results) -> str:
    """The resource needed to reach Optuna TPE+Hyperband's final regret."""
    rows = [cells for _, _, cells in resource_rows(results)]
    if not rows:
        return "## Resource to match Optuna TPE+Hyperband\n\nNot run."
    headers = [
        "task",
        "Optuna TPE+HB final (median)",
        "BOHB: share of B to reach it",
        "BOHB, one level: share of B",
        "tuneops Hyperband: share of B",
    ]
    return (
        "## Resource to match Optuna TPE+Hyperband\n\nThe median regret curve over "
        "seeds (read on 300 points up to the budget B) of each tuneops "
        "multi-fidelity method, against Optuna TPE+Hyperband's median final regret: "
        "the share of B spent when the curve first reaches it.\n\n"
        + ms.markdown_table(headers, rows)
    )


def target_section(results: Results, overhead: OverheadReport | None) -> list[str]:
    """The three targets of issue 3, checked."""
    lines = [tpe_target(results)]
    if overhead is None:
        lines.append("- TPE overhead: NOT CHECKED (run without --skip-overhead)")
    else:
        lines += target_lines(overhead)
    lines.append(bohb_target(results))
    lines.append(
        f"\nMode: {results.settings.name}. A target is checked on the tasks and "
        "seeds of this run; quick mode uses fewer seeds and smaller budgets than "
        "the full run."
    )
    return lines


def _not_available(target: str, *keys: str) -> str | None:
    """The NOT CHECKED line of ``target`` if one of its methods cannot run."""
    for key in keys:
        reason = METHODS[key].unavailable()
        if reason:
            return f"{target}: NOT CHECKED (not available: {reason})"
    return None


def tpe_target(results: Results) -> str:
    """TPE never significantly worse than Optuna TPE on a black-box task, better on
    at least half."""
    name = (
        "- TPE vs Optuna TPE on black-box tasks at 100 evaluations (never "
        "significantly worse, better on at least half)"
    )
    missing = _not_available(name, "tpe", "optuna-tpe")
    if missing:
        return missing
    verdicts = {}
    for t in results.tasks:
        if t.group != BLACK_BOX:
            continue
        for ours, theirs, row in paired_rows(results, t):
            if (ours, theirs) == ("tpe", "optuna-tpe") and row[4] != "—":
                verdicts[t.name] = row[6]
    if not verdicts:
        return f"{name}: NOT CHECKED (no black-box task ran)"
    worse = sorted(k for k, v in verdicts.items() if v == "worse")
    better = sum(v == "better" for v in verdicts.values())
    ok = not worse and 2 * better >= len(verdicts)
    detail = f"better on {better} of {len(verdicts)} tasks"
    if worse:
        detail += f"; worse on {', '.join(worse)}"
    if results.settings.evaluations != 100:
        detail += f"; read at {results.settings.evaluations} evaluations"
    return f"{name}: {'PASS' if ok else 'FAIL'} ({detail})"


def bohb_target(results: Results) -> str:
    """BOHB reaches Optuna TPE+HB's final regret with at most 1/3 of the resource."""
    name = (
        "- BOHB reaches Optuna TPE+Hyperband's final regret with <= 1/3 of the "
        "resource (synthetic multi-fidelity tasks)"
    )
    missing = _not_available(name, "bohb", "optuna-tpe-hb")
    if missing:
        return missing
    ratios = {
        t.name: ratio
        for t, ratio, _ in resource_rows(results)
        if t.group == MULTI_FIDELITY and ratio is not None
    }
    if not ratios:
        return f"{name}: NOT CHECKED (no multi-fidelity task ran)"
    ok = all(r <= 1 / 3 for r in ratios.values())
    detail = ", ".join(f"{k} {v:.2f}" for k, v in ratios.items())
    return f"{name}: {'PASS' if ok else 'FAIL'} (share of B: {detail})"


def failure_lines(results: Results) -> list[str]:
    """One line per method and task with failed runs: the seeds and first error."""
    failed: dict[tuple[str, str], list[RunResult]] = defaultdict(list)
    for r in results.runs.values():
        if r.error:
            failed[(r.method, r.task)].append(r)
    lines = []
    for (method, task), runs in failed.items():
        seeds = ", ".join(str(r.seed) for r in sorted(runs, key=lambda r: r.seed))
        first = (runs[0].error or "").splitlines()[0]
        lines.append(f"- {method} on {task}, seeds {seeds}: {first}")
    return lines


def main() -> None:
    """Parse the options, run everything, print and write the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="fewer seeds, smaller budgets"
    )
    parser.add_argument("--seeds", type=int, help="seeds on synthetic tasks")
    parser.add_argument("--real-seeds", type=int, help="seeds on real tasks")
    parser.add_argument(
        "--tasks",
        help="comma list of task names or groups (black-box, "
        "multi-fidelity, real); default all",
    )
    parser.add_argument("--methods", help=f"comma list of {', '.join(METHODS)}")
    parser.add_argument("--workers", type=int, default=2, help="processes (default 2)")
    parser.add_argument("--skip-overhead", action="store_true")
    parser.add_argument("--output", help="results file name without .md")
    args = parser.parse_args()

    settings = QUICK if args.quick else FULL
    if args.seeds or args.real_seeds:
        settings = Settings(
            settings.name,
            args.seeds or settings.seeds,
            args.real_seeds or settings.real_seeds,
            settings.evaluations,
            settings.mf_budget,
            settings.real_budget,
        )
    tasks, methods = select_tasks(args.tasks), select_methods(args.methods)
    log = lambda line: print(line, file=sys.stderr, flush=True)  # noqa: E731
    start = time.perf_counter()

    jobs = plan(tasks, methods, settings)
    log(f"{len(jobs)} runs on {args.workers} workers ({settings.name} mode)")
    results = Results(tasks, methods, settings)
    for result in run_all(jobs, args.workers, log):
        results.runs[(result.task, result.method, result.seed)] = result
    runs_seconds = time.perf_counter() - start

    overhead = None
    if not args.skip_overhead:
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1):
            overhead = measure_overhead(args.quick, log=log)
    total = time.perf_counter() - start

    header = (
        f"# HPO benchmark suite: tuneops vs Optuna ({settings.name} mode)\n\n"
        f"{machine_line('tuneops', 'optuna', 'scikit-learn', 'scipy', 'numpy')}\n\n"
        f"Command: `python benchmarks/hpo_suite.py {' '.join(sys.argv[1:])}`. "
        f"{len(jobs)} runs on {args.workers} worker processes (one BLAS/OpenMP "
        f"thread each) took {runs_seconds:.0f} s; with the overhead measurement "
        f"{total:.0f} s in all."
    )
    text = report(results, overhead, header)
    print(text)
    name = args.output or ("hpo_suite_quick" if args.quick else "hpo_suite")
    log(f"Wrote {write_result(name, text)}")


if __name__ == "__main__":
    main()
