"""Successive halving and Hyperband inside a study: promotions, budgets, bests."""

from __future__ import annotations

import json
import logging
from collections import defaultdict

import pytest

from tuneops import (
    ConfigError,
    GridSearcher,
    Hyperband,
    Space,
    Study,
    SuccessiveHalving,
    TrialStatus,
)

SPACE = Space.from_dict({"x": {"type": "float", "low": -2, "high": 2}})


def curve(trial):
    # Improves with resource; configs near x = 0.5 are best at every resource.
    return (trial.config["x"] - 0.5) ** 2 + 1.0 / trial.resource


def _rungs(study):
    """(bracket, rung) -> {trial number: value} from the stored evaluations."""
    table = defaultdict(dict)
    for trial in study.trials:
        for evaluation in trial.evaluations:
            table[(trial.bracket, evaluation.rung)][trial.number] = evaluation.value
    return table


def test_hyperband_runs_the_plan_and_promotes_exactly_the_best():
    scheduler = Hyperband(1, 27, 3)
    study = Study.create("hb", SPACE, storage="memory", scheduler=scheduler, seed=0)
    study.optimize(curve, n_trials=49)
    plan = scheduler.brackets()
    table = _rungs(study)
    for bracket_id, bracket in enumerate(plan):
        for rung, planned in enumerate(bracket.rungs):
            ran = table[(bracket_id, rung)]
            assert len(ran) == planned.n_configs
            for number in ran:
                assert (
                    study.trials[number].evaluations[rung].resource == planned.resource
                )
            if rung + 1 < len(bracket.rungs):
                k = bracket.rungs[rung + 1].n_configs
                best = sorted(ran, key=lambda n: (ran[n], n))[:k]
                assert set(table[(bracket_id, rung + 1)]) == set(best)
    statuses = [t.status for t in study.trials]
    assert statuses.count(TrialStatus.COMPLETED) == sum(
        b.rungs[-1].n_configs for b in plan
    )
    assert statuses.count(TrialStatus.STOPPED) == 49 - statuses.count(
        TrialStatus.COMPLETED
    )


def test_best_is_judged_at_the_highest_resource():
    def cheap_looks_good(trial):
        # At resource 1 the far-off config looks best; the truth shows at 9.
        bias = -10.0 if trial.resource == 1 and trial.config["x"] < -1.5 else 0.0
        return curve(trial) + bias

    study = Study.create(
        "best", SPACE, storage="memory", scheduler=Hyperband(1, 9, 3), seed=1
    )
    study.optimize(cheap_looks_good, n_trials=17)
    assert study.best_resource == 9
    at_top = [e.value for t in study.trials for e in t.evaluations if e.resource == 9]
    assert study.best_value == min(at_top)
    assert study.best_trial.resource == 9


def test_ties_are_broken_by_trial_number():
    study = Study.create(
        "ties", SPACE, storage="memory", scheduler=SuccessiveHalving(1, 9, 3), seed=2
    )
    study.optimize(lambda t: 1.0, n_trials=9)
    table = _rungs(study)
    assert sorted(table[(0, 1)]) == [0, 1, 2]
    assert sorted(table[(0, 2)]) == [0]


def test_failed_trials_are_never_promoted():
    def fragile(trial):
        if trial.config["x"] < 0.4:
            raise RuntimeError("diverged")
        return curve(trial)

    study = Study.create(
        "fail", SPACE, storage="memory", scheduler=SuccessiveHalving(1, 9, 3), seed=3
    )
    study.optimize(fragile, n_trials=9)
    failed = {t.number for t in study.trials if t.status is TrialStatus.FAILED}
    assert failed
    promoted = {t.number for t in study.trials if t.rung > 0}
    assert not promoted & failed
    survivors = 9 - len(failed)
    assert len(_rungs(study)[(0, 1)]) == min(3, survivors)


def test_resuming_from_checkpoints_never_redoes_work():
    work = []

    def resumable(trial):
        state = trial.checkpoint_dir / "state.json"
        done = json.loads(state.read_text())["done"] if state.exists() else 0
        work.append((trial.number, done, trial.resource))
        state.write_text(json.dumps({"done": trial.resource}))
        return curve(trial)

    study = Study.create(
        "ckpt", SPACE, storage="memory", scheduler=Hyperband(1, 9, 3), seed=4
    )
    study.optimize(resumable, n_trials=17)
    by_trial = defaultdict(list)
    for number, done, resource in work:
        by_trial[number].append((done, resource))
    for number, steps in by_trial.items():
        trial = study.trials[number]
        expected = [0] + [e.resource for e in trial.evaluations[:-1]]
        assert [d for d, _ in steps] == expected
        assert steps[-1][1] == trial.resource


def test_a_budget_too_small_for_the_first_bracket_is_refused_up_front():
    study = Study.create(
        "small", SPACE, storage="memory", scheduler=Hyperband(1, 81, 3), seed=5
    )
    with pytest.raises(ConfigError, match="`n_trials` must be at least 81"):
        study.optimize(curve, n_trials=50)
    assert study.trials == []


def test_unused_budget_is_announced_and_only_whole_brackets_run(caplog):
    study = Study.create(
        "partial", SPACE, storage="memory", scheduler=Hyperband(1, 27, 3), seed=6
    )
    with caplog.at_level(logging.WARNING, logger="tuneops"):
        study.optimize(curve, n_trials=44)
    assert "leaves 5 trials unused" in caplog.text
    assert len(study.trials) == 27 + 12
    assert all(t.status.is_finished for t in study.trials)


def test_the_plan_repeats_while_the_budget_lasts():
    study = Study.create(
        "repeat", SPACE, storage="memory", scheduler=SuccessiveHalving(1, 9, 3), seed=7
    )
    study.optimize(curve, n_trials=27)
    assert sorted({t.bracket for t in study.trials}) == [0, 1, 2]
    completed = [t for t in study.trials if t.status is TrialStatus.COMPLETED]
    assert len(completed) == 3


def test_an_exhausted_grid_still_reaches_max_resource():
    space = Space.from_dict({"c": {"type": "categorical", "choices": [1, 2, 3, 4, 5]}})
    study = Study.create(
        "grid-sh",
        space,
        storage="memory",
        searcher=GridSearcher(),
        scheduler=SuccessiveHalving(1, 9, 3),
    )
    study.optimize(lambda t: t.config["c"] + 1 / t.resource, n_trials=9)
    assert len(study.trials) == 5
    assert study.best_resource == 9
    assert study.best_trial.config == {"c": 1}
    assert all(t.status.is_finished for t in study.trials)


def test_fractional_resources_reach_the_objective_as_floats():
    seen = []

    def objective(trial):
        seen.append(trial.resource)
        return curve(trial)

    study = Study.create(
        "frac", SPACE, storage="memory", scheduler=Hyperband(1 / 9, 1.0, 3), seed=8
    )
    study.optimize(objective, n_trials=17)
    assert sorted(set(seen)) == [1 / 9, 1 / 3, 1.0]
    assert study.best_resource == 1.0


def test_ask_tell_with_hyperband_promotes_after_the_rung_ends():
    study = Study.create(
        "hb-ask", SPACE, storage="memory", scheduler=SuccessiveHalving(1, 9, 3), seed=9
    )
    first_rung = [study.ask() for _ in range(9)]
    assert {t.resource for t in first_rung} == {1}
    for trial in first_rung:
        study.tell(trial, curve(trial))
    promoted = study.ask()
    assert promoted.resource == 3
    assert promoted.number in {t.number for t in first_rung}
