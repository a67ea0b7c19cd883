"""Spaces: naming, conditional sampling, validation and grid enumeration."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tuneops._internal._errors import ConfigError
from tuneops.space import Categorical, Float, Int, Space

DETECTION_YAML = Path(__file__).parents[2] / "examples" / "spaces" / "detection.yaml"


def conditional_space() -> Space:
    """Two condition trees, one of them chained, given children-first on purpose."""
    return Space(
        {
            "nesterov": Categorical(
                [True, False], when={"momentum": 0.95, "optimizer": "sgd"}
            ),
            "width3": Categorical([64, 128], when={"n_layers": 3}),
            "width2": Int(8, 32, log=True, when={"n_layers": [2, 3]}),
            "n_layers": Int(1, 3),
            "momentum": Float(0.85, 0.95, step=0.05, when={"optimizer": "sgd"}),
            "optimizer": Categorical(["sgd", "adam"]),
            "lr": Float(1e-3, 1e-1, log=True),
        }
    )


def expected_keys(config: dict[str, Any]) -> set[str]:
    """The parameters that must be present, worked out from the conditions by hand."""
    keys = {"n_layers", "optimizer", "lr"}
    if config["n_layers"] in (2, 3):
        keys.add("width2")
    if config["n_layers"] == 3:
        keys.add("width3")
    if config["optimizer"] == "sgd":
        keys.add("momentum")
        if config["momentum"] == 0.95:
            keys.add("nesterov")
    return keys


def hand_made_grid() -> list[dict[str, Any]]:
    """The grid of `conditional_space()` at 3 points, by plain nested loops."""
    layer_parts: list[dict[str, Any]] = [{"n_layers": 1}]
    for width2 in (8, 16, 32):
        layer_parts.append({"n_layers": 2, "width2": width2})
        for width3 in (64, 128):
            layer_parts.append({"n_layers": 3, "width2": width2, "width3": width3})

    optimizer_parts: list[dict[str, Any]] = [
        {"optimizer": "adam"},
        {"optimizer": "sgd", "momentum": 0.85},
        {"optimizer": "sgd", "momentum": 0.9},
        {"optimizer": "sgd", "momentum": 0.95, "nesterov": True},
        {"optimizer": "sgd", "momentum": 0.95, "nesterov": False},
    ]

    grid = []
    for layers in layer_parts:
        for optimizer in optimizer_parts:
            for lr in (1e-3, 1e-2, 1e-1):
                grid.append({**layers, **optimizer, "lr": lr})
    return grid


def as_keys(configs: list[dict[str, Any]]) -> list[str]:
    return [json.dumps(c, sort_keys=True) for c in configs]


# --- the mapping side ----------------------------------------------------------


def test_space_keeps_the_given_order_and_names_its_own_copies() -> None:
    lr = Float(1e-5, 1e-1, log=True)
    space = Space({"lr": lr, "depth": Int(1, 8)})

    assert space.names == ("lr", "depth")
    assert list(space) == ["lr", "depth"]
    assert len(space) == 2
    assert "lr" in space and "momentum" not in space
    assert space["lr"] == lr and space["lr"].name == "lr"
    assert lr.name is None
    with pytest.raises(KeyError):
        space["momentum"]


def test_one_param_object_can_serve_under_two_names() -> None:
    shared = Int(1, 4)
    space = Space({"a": shared, "b": shared})

    assert space["a"].name == "a" and space["b"].name == "b"


def test_space_equality_and_repr() -> None:
    space = Space({"a": Int(1, 4), "b": Categorical(["x"], when={"a": 2})})

    assert space == Space({"a": Int(1, 4), "b": Categorical(["x"], when={"a": 2})})
    assert space != Space({"a": Int(1, 4)})
    assert space != Space({"a": Int(1, 5), "b": Categorical(["x"], when={"a": 2})})
    namespace = {"Space": Space, "Int": Int, "Categorical": Categorical}
    assert eval(repr(space), namespace) == space


# --- sampling ------------------------------------------------------------------


def test_sampled_configs_hold_exactly_the_active_params() -> None:
    space = conditional_space()
    rng = np.random.default_rng(2024)

    configs = [space.sample(rng) for _ in range(3000)]

    for config in configs:
        assert set(config) == expected_keys(config)
        space.validate(config)
    seen = {name for config in configs for name in config}
    assert seen == set(space.names)
    assert any("nesterov" not in c for c in configs if c["optimizer"] == "sgd")


def test_sampled_configs_keep_the_given_key_order() -> None:
    space = conditional_space()

    config = space.sample(np.random.default_rng(3))

    assert list(config) == [name for name in space.names if name in config]


def test_same_seed_gives_the_same_configs() -> None:
    space = conditional_space()

    first = [space.sample(np.random.default_rng(9)) for _ in range(3)]
    again = [space.sample(np.random.default_rng(9)) for _ in range(3)]

    assert first == again


def test_sample_rejects_something_other_than_a_generator() -> None:
    with pytest.raises(ConfigError, match=r"`rng` must be a numpy.random.Generator"):
        Space({"a": Int(1, 3)}).sample(42)  # type: ignore[arg-type]


# --- activity and validation ---------------------------------------------------


def test_is_active_follows_chained_conditions() -> None:
    space = conditional_space()

    assert space.is_active("nesterov", {"optimizer": "sgd", "momentum": 0.95})
    assert not space.is_active("nesterov", {"optimizer": "sgd", "momentum": 0.9})
    # A parent value is ignored when the parent itself is inactive.
    assert not space.is_active("nesterov", {"optimizer": "adam", "momentum": 0.95})
    assert not space.is_active("momentum", {})
    assert space.is_active("lr", {})
    with pytest.raises(ConfigError, match=r"`name` must be a parameter of this space"):
        space.is_active("beta", {})


def test_validate_accepts_a_complete_config() -> None:
    config = {"n_layers": 1, "optimizer": "adam", "lr": 0.01}

    conditional_space().validate(config)

    assert conditional_space().contains(config)


@pytest.mark.parametrize(
    ("config", "match"),
    [
        (
            {"n_layers": 1, "optimizer": "adam", "lr": 0.01, "beta": 1},
            r"`config` must be keyed by parameters of this space .*; got 'beta'",
        ),
        (
            {"n_layers": 2, "optimizer": "adam", "lr": 0.01},
            r"`width2` must be in the config because it is active; got no value",
        ),
        (
            {"n_layers": 1, "optimizer": "adam", "lr": 0.01, "momentum": 0.9},
            r"`momentum` must be absent because `optimizer` is 'adam', not one of "
            r"'sgd'; got 0.9\. Remove it",
        ),
        (
            {"n_layers": 1, "optimizer": "adam", "lr": 0.01, "nesterov": True},
            r"`nesterov` must be absent because its parent `momentum` is inactive",
        ),
        (
            {"n_layers": 1, "optimizer": "adam", "lr": 0.5},
            r"`lr` must be a number in \[0.001, 0.1\] \(log scale\); got 0.5",
        ),
        (
            {"n_layers": 1.0, "optimizer": "adam", "lr": 0.01},
            r"`n_layers` must be an integer in \[1, 3\]; got 1.0",
        ),
        (
            {"n_layers": 1, "optimizer": "sgd", "momentum": 0.87, "lr": 0.01},
            r"`momentum` must be a number in \[0.85, 0.95\] on step 0.05",
        ),
        (["n_layers"], r"`config` must be a mapping"),
    ],
)
def test_validate_names_the_offending_parameter(config: Any, match: str) -> None:
    space = conditional_space()

    with pytest.raises(ConfigError, match=match):
        space.validate(config)
    assert not space.contains(config)


# --- grids ---------------------------------------------------------------------


def test_grid_of_unconditional_space_is_the_full_product_each_once() -> None:
    space = Space(
        {
            "lr": Float(1e-4, 1e-1, log=True),
            "depth": Int(1, 3),
            "frac": Float(0.0, 1.0, step=0.5),
            "optimizer": Categorical(["sgd", "adam"]),
        }
    )

    grid = space.grid(5)

    assert len(grid) == 5 * 3 * 3 * 2
    assert len(set(as_keys(grid))) == len(grid)
    assert space.grid_size(5) == len(grid)
    assert all(list(point) == list(space.names) for point in grid)
    assert all(space.contains(point) for point in grid)


def test_conditional_grid_is_the_tree_expansion_worked_out_by_hand() -> None:
    space = conditional_space()
    expected = hand_made_grid()

    grid = space.grid(3)

    assert len(expected) == 10 * 5 * 3
    assert len(grid) == len(expected)
    assert sorted(as_keys(grid)) == sorted(as_keys(expected))
    assert space.grid_size(3) == len(expected)
    assert all(space.contains(point) for point in grid)


@pytest.mark.parametrize("n_points", [1, 2, 4, 7])
def test_grid_size_equals_the_grid_length(n_points: int) -> None:
    space = conditional_space()

    assert space.grid_size(n_points) == len(space.grid(n_points))


def test_grid_uses_the_user_grid_and_rejects_bad_n_points() -> None:
    space = Space({"lr": Float(1e-5, 1e-1, log=True, grid=[1e-4, 1e-2])})

    assert space.grid(9) == [{"lr": 1e-4}, {"lr": 1e-2}]
    with pytest.raises(ConfigError, match=r"`n_points` must be >= 1; got 0"):
        space.grid(0)
    with pytest.raises(ConfigError, match=r"`n_points` must be an integer; got 2.5"):
        space.grid_size(2.5)  # type: ignore[arg-type]


def test_empty_space_has_one_empty_config() -> None:
    space = Space({})

    assert space.grid() == [{}]
    assert space.grid_size() == 1
    assert space.sample(np.random.default_rng(0)) == {}


def test_detection_example_grid_size() -> None:
    space = Space.from_file(DETECTION_YAML)

    assert space.names == (
        "backbone",
        "learning_rate",
        "batch_size",
        "momentum",
        "weight_decay",
        "detector",
    )
    assert space.grid_size(5) == 11 * 5 * 7 * 5 * 5 * 4 == 38500
    assert len(space.grid(5)) == 38500


def test_detection_example_domains() -> None:
    space = Space.from_file(DETECTION_YAML)

    assert space["learning_rate"] == Float(1e-6, 1e-1, log=True)
    assert space["weight_decay"] == Float(1e-6, 1e-2, log=True)
    assert space["momentum"] == Float(0.85, 0.95)
    assert space["batch_size"] == Categorical([8, 16, 32, 64, 128, 256, 512])
    assert space["detector"] == Categorical(
        ["faster-rcnn", "ssd", "yolo-v3", "center-net"]
    )
    assert math.prod(len(space[n].grid_values(5)) for n in space) == 38500
