"""Properties every searcher must have, checked on real studies.

Each searcher registered in `SEARCHERS` (but grid, which enumerates rather than
draws) runs a study on a space holding every kind of parameter, so a searcher
added to the registry is covered without touching this file.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from tuneops import Categorical, ConfigError, Float, Int, Space, Study
from tuneops.searchers import SEARCHERS

N_TRIALS = 40
KINDS = ["linear", 2, 0.5, True, None]

SPACE = Space(
    {
        "x": Float(-2.0, 3.0),
        "lr": Float(1e-4, 1e-1, log=True),
        "frac": Float(0.0, 1.0, step=0.1),
        "depth": Int(1, 8),
        "width": Int(16, 128, step=16),
        "batch": Int(8, 512, log=True),
        "kind": Categorical(KINDS),
        "gamma": Float(0.1, 10.0, log=True, when={"kind": ["linear", 2]}),
        "degree": Int(2, 5, when={"kind": [True, None]}),
    }
)
CONDITIONAL = ("gamma", "degree")


def _objective(config: dict[str, Any]) -> float:
    # Every parameter moves the value, so model-based searchers have something
    # to learn and their later proposals depend on the earlier ones.
    value = (config["x"] - 0.5) ** 2 + abs(math.log10(config["lr"]) + 2.5)
    value += config["frac"] + config["depth"] / 8 + config["width"] / 128
    value += math.log2(config["batch"]) / 9 + KINDS.index(config["kind"]) / 4
    value += abs(math.log10(config.get("gamma", 1.0)))
    return value + config.get("degree", 0) / 5


def _run(searcher: str | dict[str, Any], seed: int) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []

    def objective(trial: Any) -> float:
        seen.append(dict(trial.config))
        return _objective(trial.config)

    study = Study.create(
        "properties", SPACE, searcher=searcher, seed=seed, storage="memory"
    )
    study.optimize(objective, n_trials=N_TRIALS)
    assert [t.config for t in study.trials] == seen
    return seen


@pytest.fixture(
    scope="module", params=sorted(name for name in SEARCHERS if name != "grid")
)
def runs(request: pytest.FixtureRequest) -> dict[str, list[dict[str, Any]]]:
    """Config sequences of one searcher: twice with study seed 7, once with 8,
    and once with the searcher's own seed 7 under study seed 99."""
    name = request.param
    return {
        "first": _run(name, 7),
        "again": _run(name, 7),
        "other": _run(name, 8),
        "own_seed": _run({"type": name, "seed": 7}, 99),
    }


def test_every_config_is_a_point_of_the_space(runs):
    for config in runs["first"] + runs["other"]:
        assert SPACE.contains(config), config
        assert list(config) == [name for name in SPACE.names if name in config]


def test_values_have_the_parameter_types(runs):
    for config in runs["first"] + runs["other"]:
        for name in ("depth", "width", "batch", "degree"):
            if name in config:
                assert type(config[name]) is int, (name, config[name])
        for name in ("x", "lr", "frac", "gamma"):
            if name in config:
                assert type(config[name]) is float, (name, config[name])
        # 2 and True, or 0.5 and a numpy float, would pass `contains`; the type
        # of the choice itself must come back.
        kind = config["kind"]
        assert any(type(kind) is type(c) and kind == c for c in KINDS), kind


def test_steps_and_bounds_hold_exactly(runs):
    for config in runs["first"]:
        assert round(config["frac"] * 10) / 10 == config["frac"]
        assert (config["width"] - 16) % 16 == 0
        assert 8 <= config["batch"] <= 512
        assert 1e-4 <= config["lr"] <= 1e-1


def test_conditional_params_are_present_exactly_when_active(runs):
    for config in runs["first"] + runs["other"]:
        for name in CONDITIONAL:
            assert (name in config) == SPACE.is_active(name, config), config

    # Both sides of each condition must occur, or the check above proves nothing.
    for name in CONDITIONAL:
        present = {name in config for config in runs["first"]}
        assert present == {True, False}, name


def test_the_same_seed_repeats_the_sequence(runs):
    assert runs["again"] == runs["first"]
    assert runs["own_seed"] == runs["first"]


def test_another_seed_gives_another_sequence(runs):
    assert runs["other"] != runs["first"]
    assert len({str(c) for c in runs["first"]}) > N_TRIALS // 2


@pytest.mark.parametrize("name", sorted(SEARCHERS))
@pytest.mark.parametrize("seed", [-1, 1.5, "3"])
def test_a_bad_seed_is_refused_by_every_searcher(name, seed):
    with pytest.raises(ConfigError, match="`seed` must be"):
        SEARCHERS[name](seed=seed)
