"""Grid and random searchers: completeness, determinism, specs."""

from __future__ import annotations

import pytest

from tuneops import ConfigError, GridSearcher, RandomSearcher, Space, Study
from tuneops.searchers import searcher_from_spec

SPACE = Space.from_dict(
    {
        "opt": {"type": "categorical", "choices": ["sgd", "adam"]},
        "lr": {"type": "float", "low": 1e-3, "high": 1e-1, "log": True},
        "momentum": {"type": "float", "low": 0.8, "high": 0.9, "when": {"opt": "sgd"}},
    }
)


def _drain(searcher, count=100):
    searcher.bind(SPACE, "minimize", 0)
    configs = []
    for number in range(count):
        config = searcher.suggest(number)
        if config is None:
            break
        configs.append(config)
    return configs


def test_grid_enumerates_every_point_once_with_conditions():
    configs = _drain(GridSearcher(n_points=3))
    # sgd: 3 lr × 3 momentum; adam: 3 lr, no momentum.
    assert len(configs) == 12
    keys = {tuple(sorted(c.items())) for c in configs}
    assert len(keys) == 12
    assert sorted({c["lr"] for c in configs}) == pytest.approx([1e-3, 1e-2, 1e-1])
    assert all(("momentum" in c) == (c["opt"] == "sgd") for c in configs)


def test_grid_shuffle_is_a_seeded_permutation():
    plain = _drain(GridSearcher(n_points=3))
    shuffled = _drain(GridSearcher(n_points=3, shuffle=True, seed=1))
    again = _drain(GridSearcher(n_points=3, shuffle=True, seed=1))
    assert shuffled == again
    assert shuffled != plain
    assert sorted(map(str, shuffled)) == sorted(map(str, plain))


def test_grid_skips_configs_the_study_already_holds(tmp_path):
    url = f"sqlite:///{tmp_path / 'g.db'}"
    study = Study.create(
        "grid", SPACE, storage=url, searcher={"type": "grid", "n_points": 3}
    )
    study.optimize(lambda t: t.config["lr"], n_trials=5)
    resumed = Study.load("grid", url)
    resumed.optimize(lambda t: t.config["lr"], n_trials=100)
    keys = [tuple(sorted(t.config.items())) for t in resumed.trials]
    assert len(keys) == 12 == len(set(keys))


def test_random_is_deterministic_per_trial_number():
    first = RandomSearcher(seed=5)
    first.bind(SPACE, "minimize", 0)
    second = RandomSearcher(seed=5)
    second.bind(SPACE, "minimize", 99)
    # The same number gets the same config whatever was asked before.
    assert first.suggest(7) == second.suggest(7)
    assert first.suggest(3) != first.suggest(4)


def test_random_uses_the_study_seed_when_it_has_none():
    a, b = RandomSearcher(), RandomSearcher()
    a.bind(SPACE, "minimize", 1)
    b.bind(SPACE, "minimize", 2)
    assert a.suggest(0) != b.suggest(0)


def test_specs_round_trip_and_bad_specs_are_refused():
    for searcher in (RandomSearcher(seed=3), GridSearcher(n_points=4, shuffle=True)):
        rebuilt = searcher_from_spec(searcher.to_dict())
        assert rebuilt.to_dict() == searcher.to_dict()
    with pytest.raises(
        ConfigError, match=r"`searcher.type` must be one of grid, random"
    ):
        searcher_from_spec("bayes")
    with pytest.raises(ConfigError, match="does not take 'points'"):
        searcher_from_spec({"type": "grid", "points": 3})
    with pytest.raises(ConfigError, match="`n_points` must be >= 2"):
        GridSearcher(n_points=1)
