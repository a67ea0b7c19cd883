"""From runs to numbers: regret curves, medians, paired tests, ranks and tables.

Simple regret after k evaluations (or c resource) is f(x̂) - f*, where x̂ is the
incumbent: among the evaluations so far, the best observed value at the
largest resource reached (the rule tuneops' ``best_trial`` uses, applied to
both libraries' evaluations alike). f(x̂) is the noiseless value at the largest
resource, so noise and low fidelities can mislead the choice of x̂ but not its
score. Real tasks have no f*: their "regret" is the incumbent's validation
error itself.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy import stats

from ._methods import RunResult

ALPHA = 0.05
"""Significance level of the one-sided Wilcoxon signed-rank tests."""


def regret_curve(run: RunResult, f_star: float | None) -> np.ndarray:
    """Simple regret of the incumbent after each evaluation of ``run``."""
    out = np.empty(len(run.value))
    best_resource, best_value, best_true = -math.inf, math.inf, math.nan
    for i, (resource, value, true) in enumerate(
        zip(run.resource, run.value, run.true, strict=True)
    ):
        higher = resource > best_resource + 1e-12
        if higher or (abs(resource - best_resource) <= 1e-12 and value < best_value):
            best_resource, best_value, best_true = resource, value, true
        out[i] = best_true - (f_star or 0.0)
    return out


def at_evaluations(run: RunResult, f_star: float | None, n: int) -> float:
    """Regret after ``n`` evaluations (inf before the first)."""
    curve = regret_curve(run, f_star)
    if len(curve) == 0:
        return math.inf
    return float(curve[min(n, len(curve)) - 1])


def at_resource(run: RunResult, f_star: float | None, spent: float) -> float:
    """Regret once ``spent`` full-evaluation equivalents were paid (inf before)."""
    curve = regret_curve(run, f_star)
    index = int(np.searchsorted(np.cumsum(run.cost), spent + 1e-9, side="right")) - 1
    return math.inf if index < 0 else float(curve[index])


def evaluations_within(run: RunResult, spent: float) -> int:
    """How many evaluations finished within ``spent`` resource."""
    return int(np.searchsorted(np.cumsum(run.cost), spent + 1e-9, side="right"))


def quantile(values: Sequence[float], q: float) -> float:
    """Linear-interpolation quantile that keeps inf (no incumbent yet) as inf."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    position = q * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    if math.isinf(ordered[low]) or math.isinf(ordered[high]):
        return ordered[high]
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def median_iqr(values: Sequence[float]) -> str:
    """``median [q25, q75]`` with three significant digits."""
    if not values:
        return "—"
    q25, q50, q75 = (quantile(values, q) for q in (0.25, 0.5, 0.75))
    return f"{fmt(q50)} [{fmt(q25)}, {fmt(q75)}]"


def fmt(value: float) -> str:
    """Three significant digits; "—" for no value yet."""
    if math.isinf(value) or math.isnan(value):
        return "—"
    return f"{value:.3g}"


def paired_test(ours: Sequence[float], theirs: Sequence[float]) -> tuple[float, float]:
    """One-sided Wilcoxon signed-rank p-values, paired by seed.

    Returns:
        ``(p_better, p_worse)``: p-values for "ours has lower regret" and for
        "ours has higher regret". Zero differences are dropped (scipy's
        default); when every difference is zero both are 1.
    """
    a, b = np.asarray(ours, float), np.asarray(theirs, float)
    if len(a) == 0 or np.all(a == b):
        return 1.0, 1.0
    better = stats.wilcoxon(a, b, alternative="less").pvalue
    worse = stats.wilcoxon(a, b, alternative="greater").pvalue
    return float(better), float(worse)


def verdict(p_better: float, p_worse: float) -> str:
    """Words for a pair of one-sided p-values at level `ALPHA`."""
    if p_better < ALPHA:
        return "better"
    if p_worse < ALPHA:
        return "worse"
    return "no significant difference"


def mean_ranks(finals: dict[str, dict[int, float]]) -> dict[str, float]:
    """Mean rank of each method over the seeds every method completed.

    Args:
        finals: ``method -> seed -> final regret`` for one task.

    Returns:
        ``method -> mean rank`` (1 is best; ties share the average rank).
    """
    methods = sorted(finals)
    seeds = sorted(set.intersection(*(set(finals[m]) for m in methods)))
    if not seeds:
        return {}
    table = np.array([[finals[m][s] for m in methods] for s in seeds])
    ranks = np.vstack([stats.rankdata(row) for row in table])
    return dict(zip(methods, ranks.mean(axis=0).tolist(), strict=True))


def resource_to_reach(
    runs: Sequence[RunResult], f_star: float | None, target: float, budget: float
) -> float:
    """Smallest resource at which the median regret over seeds is <= ``target``.

    The median curve is read on a grid of 300 points up to ``budget``; returns
    inf if it never gets there.
    """
    curves = [(np.cumsum(r.cost), regret_curve(r, f_star)) for r in runs]
    for spent in np.linspace(budget / 300, budget, 300):
        regrets = []
        for cost, curve in curves:
            index = int(np.searchsorted(cost, spent + 1e-9, side="right")) - 1
            regrets.append(math.inf if index < 0 else float(curve[index]))
        if quantile(regrets, 0.5) <= target:
            return float(spent)
    return math.inf


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A markdown table; columns whose cells are all numbers are right-aligned."""
    align = []
    for i in range(len(headers)):
        cells = [row[i] for row in rows if i < len(row) and row[i]]
        numeric = bool(cells) and all(_looks_numeric(c) for c in cells)
        align.append("---:" if numeric and i > 0 else "---")
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _looks_numeric(cell: str) -> bool:
    return cell[0].isdigit() or cell[0] in "-—." or cell.startswith("inf")
