"""Sobol' searcher: determinism per trial number, balance, discrepancy, specs."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import qmc

from tuneops import ConfigError, Float, SobolSearcher, Space, Study
from tuneops.searchers import SEARCHERS, searcher_from_spec

SPACE = Space.from_dict(
    {
        "opt": {"type": "categorical", "choices": ["sgd", "adam"]},
        "lr": {"type": "float", "low": 1e-3, "high": 1e-1, "log": True},
        "momentum": {"type": "float", "low": 0.8, "high": 0.9, "when": {"opt": "sgd"}},
        "depth": {"type": "int", "low": 1, "high": 8},
    }
)
SQUARE = Space({"a": Float(0.0, 1.0), "b": Float(0.0, 1.0)})


def _bound(space=SPACE, study_seed=0, **kwargs):
    searcher = SobolSearcher(**kwargs)
    searcher.bind(space, "minimize", study_seed)
    return searcher


def test_same_seed_gives_the_same_configs_and_another_seed_others():
    first = [_bound(seed=3).suggest(n) for n in range(32)]
    searcher = _bound(seed=3)
    again = [searcher.suggest(n) for n in range(32)]
    other = [_bound(seed=4).suggest(n) for n in range(32)]
    assert first == again
    assert first != other
    assert all(SPACE.contains(config) for config in first + other)


def test_the_study_seed_is_used_when_the_searcher_has_none():
    assert _bound(study_seed=1).suggest(0) == _bound(seed=1, study_seed=2).suggest(0)
    assert _bound(study_seed=1).suggest(0) != _bound(study_seed=2).suggest(0)


def test_each_number_gets_its_point_whatever_the_call_order():
    in_order = _bound(seed=5)
    expected = {n: in_order.suggest(n) for n in range(64)}

    shuffled = _bound(seed=5)
    order = np.random.default_rng(0).permutation(64)
    assert {int(n): shuffled.suggest(int(n)) for n in order} == expected

    # A resumed study starts asking far into the sequence, then steps back.
    resumed = _bound(seed=5)
    for n in (40, 41, 63, 7, 7, 0, 50):
        assert resumed.suggest(n) == expected[n]


def test_unit_points_are_the_same_in_any_order():
    order = [3, 1, 2, 0, 7, 4, 6, 5]
    searcher = _bound(SQUARE, seed=9)
    points = np.array([searcher.unit_point(n) for n in order])
    in_order = _bound(SQUARE, seed=9)
    walk = np.array([in_order.unit_point(n) for n in range(8)])
    assert np.array_equal(points[np.argsort(order)], walk)
    assert points.shape == (8, 2)
    assert np.all((points >= 0.0) & (points < 1.0))


def test_unscrambled_points_are_the_textbook_sequence():
    # Sobol' (1967) in two dimensions: direction numbers 1/2, then 1/2, 3/4, ...
    searcher = _bound(SQUARE, scramble=False)
    points = [searcher.unit_point(n).tolist() for n in range(4)]
    assert points == [[0.0, 0.0], [0.5, 0.5], [0.75, 0.25], [0.25, 0.75]]
    assert searcher.suggest(0) == {"a": 0.0, "b": 0.0}
    # Without scrambling the seed has nothing to act on.
    unseeded = _bound(SQUARE, scramble=False, seed=1)
    assert unseeded.unit_point(3).tolist() == [0.25, 0.75]


@pytest.mark.parametrize("scramble", [True, False])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_first_power_of_two_points_are_balanced(seed, scramble):
    searcher = _bound(SQUARE, seed=seed, scramble=scramble)
    points = np.array([searcher.unit_point(n) for n in range(256)])
    for m in range(9):
        head = points[: 2**m]
        strata = np.floor(head * 2**m).astype(int)
        for axis in range(2):
            # Exactly one point in each of the 2**m equal intervals of the axis.
            assert sorted(strata[:, axis]) == list(range(2**m)), (m, axis)


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_256_points_have_lower_discrepancy_than_random_ones(seed):
    space = Space({name: Float(0.0, 1.0) for name in "abcd"})
    searcher = _bound(space, seed=seed)
    sobol = np.array([searcher.unit_point(n) for n in range(256)])
    uniform = np.random.default_rng(seed).random((256, 4))
    assert qmc.discrepancy(sobol) < qmc.discrepancy(uniform)


def test_a_resumed_study_repeats_the_uninterrupted_one(tmp_path):
    url = f"sqlite:///{tmp_path / 's.db'}"
    study = Study.create("s", SPACE, storage=url, searcher="sobol", seed=11)
    study.optimize(lambda t: t.config["lr"], n_trials=5)
    resumed = Study.load("s", url)
    resumed.optimize(lambda t: t.config["lr"], n_trials=7)

    straight = Study.create("t", SPACE, storage="memory", searcher="sobol", seed=11)
    straight.optimize(lambda t: t.config["lr"], n_trials=12)
    assert [t.config for t in resumed.trials] == [t.config for t in straight.trials]

    unit = _bound(study_seed=11)
    assert straight.trials[9].config == SPACE.from_unit(unit.unit_point(9))


def test_specs_round_trip():
    assert SEARCHERS["sobol"] is SobolSearcher
    for searcher in (SobolSearcher(), SobolSearcher(seed=3, scramble=False)):
        rebuilt = searcher_from_spec(searcher.to_dict())
        assert isinstance(rebuilt, SobolSearcher)
        assert rebuilt.to_dict() == searcher.to_dict()
        assert rebuilt.scramble == searcher.scramble
    assert SobolSearcher().to_dict() == {"type": "sobol"}
    assert SobolSearcher(seed=3, scramble=False).to_dict() == {
        "type": "sobol",
        "seed": 3,
        "scramble": False,
    }
    assert repr(SobolSearcher(scramble=False)) == "SobolSearcher(scramble=False)"


def test_bad_settings_are_refused():
    with pytest.raises(ConfigError, match="`scramble` must be true or false"):
        searcher_from_spec({"type": "sobol", "scramble": "no"})
    with pytest.raises(ConfigError, match="`number` must be >= 0"):
        _bound().unit_point(-1)
    with pytest.raises(RuntimeError, match="not bound"):
        SobolSearcher().suggest(0)
