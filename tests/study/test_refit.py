"""refit_best: the top configs re-evaluated at the full resource with fresh seeds."""

from __future__ import annotations

import statistics

import numpy as np
import pytest

from tuneops import ConfigError, Float, Hyperband, Space, Study, TrialStatus
from tuneops.study import derive_seed

SPACE = Space({"x": Float(-2.0, 2.0)})


def noisy_curve(trial):
    # Better with resource; each seed adds its own noise, so refits differ.
    noise = np.random.default_rng(trial.seed).normal(0.0, 0.01)
    return (trial.config["x"] - 0.5) ** 2 + 1.0 / trial.resource + noise


def _expected(x: float, seed: int, resource: float) -> float:
    noise = np.random.default_rng(seed).normal(0.0, 0.01)
    return (x - 0.5) ** 2 + 1.0 / resource + noise


def _study(storage="memory"):
    study = Study.create(
        "refit", SPACE, scheduler=Hyperband(1, 27, 3), seed=11, storage=storage
    )
    study.optimize(noisy_curve, n_trials=49)
    return study


def test_refits_the_top_distinct_configs_at_max_resource_with_fresh_seeds():
    study = _study()
    searched = len(study.trials)
    at_top = [
        t for t in study.trials if t.evaluations and t.evaluations[-1].resource == 27
    ]
    top3 = sorted(at_top, key=lambda t: (t.evaluations[-1].value, t.number))[:3]

    refits = study.refit_best(noisy_curve, k=3, repeats=4)

    assert {r.source for r in refits} == {t.number for t in top3}
    assert [r.mean for r in refits] == sorted(r.mean for r in refits)
    seeds_seen = {t.seed for t in study.trials[:searched]}
    for refit in refits:
        assert refit.resource == 27 and refit.searched_resource == 27
        assert len(refit.trials) == 4 and len(refit.values) == 4
        for number, value in zip(refit.trials, refit.values, strict=True):
            trial = study.trials[number]
            assert trial.seed == derive_seed(study.seed, number)
            assert trial.seed not in seeds_seen
            assert trial.config == refit.config
            assert trial.status is TrialStatus.COMPLETED
            assert trial.note.startswith(f"refit of trial {refit.source}")
            assert value == pytest.approx(_expected(refit.config["x"], trial.seed, 27))
        assert refit.mean == pytest.approx(statistics.fmean(refit.values))
        assert refit.std == pytest.approx(statistics.stdev(refit.values))
        assert 0 < refit.std < 0.05


def test_refits_are_stored_outside_the_plan_and_never_refitted(tmp_path):
    url = f"sqlite:///{tmp_path / 'refit.db'}"
    study = _study(url)
    first = study.refit_best(noisy_curve, k=2, repeats=2)

    reopened = Study.load("refit", url)
    refit_trials = [t for t in reopened.trials if t.note and "refit" in t.note]
    assert len(refit_trials) == 4
    assert all(t.bracket is None for t in refit_trials)

    second = reopened.refit_best(noisy_curve, k=2, repeats=1)
    assert {r.source for r in second} == {r.source for r in first}
    assert all(not reopened.trials[r.source].note for r in second)


def test_a_failing_repeat_is_left_out_of_the_mean():
    study = _study()
    calls = []

    def flaky(trial):
        calls.append(trial.number)
        if len(calls) == 2:
            raise RuntimeError("out of memory")
        return noisy_curve(trial)

    (refit,) = study.refit_best(flaky, k=1, repeats=3)
    assert len(refit.trials) == 3 and len(refit.values) == 2
    assert study.trials[refit.trials[1]].status is TrialStatus.FAILED


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"k": 0}, "`k`"), ({"repeats": 0}, "`repeats`"), ({"resource": -1}, "resource")],
)
def test_bad_arguments_are_refused(kwargs, match):
    study = _study()
    with pytest.raises(ConfigError, match=match):
        study.refit_best(noisy_curve, **kwargs)


def test_a_study_without_results_cannot_be_refitted():
    study = Study.create("empty", SPACE, storage="memory")
    with pytest.raises(ConfigError, match="at least one evaluated trial"):
        study.refit_best(noisy_curve)


def test_refits_never_become_best_and_are_read_back_from_storage(tmp_path):
    study = _study(storage=tmp_path / "t.db")
    best_before = study.best_trial.number

    refits = study.refit_best(noisy_curve, k=3, repeats=3)
    again = Study.load("refit", tmp_path / "t.db")

    assert study.best_trial.number == best_before
    assert again.best_trial.number == best_before
    assert again.storage.list_studies()[0].best_value == study.best_value
    stored = again.refits
    assert [(r.source, r.trials, r.values) for r in stored] == [
        (r.source, r.trials, r.values) for r in refits
    ]
    assert [r.mean for r in stored] == [r.mean for r in refits]
    # A second call pools with the first: same source, same resource.
    more = study.refit_best(noisy_curve, k=1, repeats=2)
    pooled = next(r for r in study.refits if r.source == more[0].source)
    assert len(pooled.values) == 5
