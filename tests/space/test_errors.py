"""Every invalid parameter or space is a ConfigError that says what to do."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from tuneops._internal._errors import ConfigError, TuneopsError
from tuneops.space import Categorical, Float, Int, Param, Space


@pytest.mark.parametrize(
    ("build", "match"),
    [
        # bounds
        (lambda: Float(1.0, 1.0), r"`low` must be less than `high` \(1\.0\); got 1\.0"),
        (lambda: Int(5, 2), r"`low` must be less than `high` \(2\); got 5\. Swap"),
        (lambda: Float(0.0, math.inf), r"`high` must be a finite number; got inf"),
        (lambda: Float(math.nan, 1.0), r"`low` must be a finite number; got nan"),
        (lambda: Float("0", 1.0), r"`low` must be a finite number; got '0'"),
        (lambda: Float(True, 2.0), r"`low` must be a finite number; got True"),
        (lambda: Int(1.5, 4), r"`low` must be an integer; got 1\.5"),
        (lambda: Int(1, 4.0), r"`high` must be an integer; got 4\.0"),
        # log
        (
            lambda: Float(0.0, 1.0, log=True),
            r"`low` must be greater than 0 when `log` is true; got 0\.0\. Use a "
            r"positive lower bound",
        ),
        (lambda: Int(-2, 8, log=True), r"`low` must be greater than 0 when `log`"),
        (lambda: Float(0.1, 1.0, log="yes"), r"`log` must be true or false; got 'yes'"),
        (
            lambda: Float(0.1, 1.0, log=True, step=0.1),
            r"`step` must be unset when `log` is true; got 0\.1",
        ),
        (
            lambda: Int(1, 9, log=True, step=2),
            r"`step` must be 1 when `log` is true; got 2",
        ),
        # steps
        (lambda: Float(0.0, 1.0, step=0.0), r"`step` must be > 0\.0; got 0\.0"),
        (lambda: Float(0.0, 1.0, step=-0.1), r"`step` must be > 0\.0; got -0\.1"),
        (lambda: Int(0, 10, step=0), r"`step` must be >= 1; got 0"),
        (lambda: Int(0, 10, step=2.0), r"`step` must be an integer; got 2\.0"),
        (
            lambda: Float(0, 1, step=0.3),
            r"`step` must be a divisor of `high - low` = 1\.0; got 0\.3\. The values "
            r"on step 0\.3 from 0\.0 stop at 0\.9, so the effective range would be "
            r"\[0\.0, 0\.9\]; set `high` to 0\.9 or choose a step that divides 1\.0\.",
        ),
        (
            lambda: Int(0, 10, step=3),
            r"the effective range would be \[0, 9\]; set `high` to 9 or choose a "
            r"step that divides 10\.",
        ),
        (
            lambda: Float(0.0, 1.0, step=1.5),
            r"`step` must be at most `high - low` = 1\.0; got 1\.5",
        ),
        (lambda: Int(0, 4, step=5), r"`step` must be at most `high - low` = 4; got 5"),
        # grids
        (
            lambda: Float(0.0, 1.0, grid=[0.5, 1.5]),
            r"`grid\[1\]` must be a number in \[0\.0, 1\.0\]; got 1\.5\. Every grid",
        ),
        (
            lambda: Float(0.0, 1.0, step=0.25, grid=[0.3]),
            r"`grid\[0\]` must be a number in \[0\.0, 1\.0\] on step 0\.25",
        ),
        (
            lambda: Int(1, 8, grid=[2, 2.5]),
            r"`grid\[1\]` must be an integer in \[1, 8\]",
        ),
        (lambda: Int(1, 8, grid=[]), r"`grid` must be a non-empty list of values"),
        (lambda: Int(1, 8, grid=[2, 2]), r"`grid` must be a list of distinct values"),
        # choices
        (lambda: Categorical([]), r"`choices` must be a non-empty list; got \[\]"),
        (lambda: Categorical("abc"), r"`choices` must be a non-empty list; got 'abc'"),
        (lambda: Categorical({"a", "b"}), r"`choices` must be a non-empty list"),
        (
            lambda: Categorical(["a", "b", "a"]),
            r"`choices` must be a list of distinct values; got \['a', 'b', 'a'\]\. "
            r"The value 'a' appears more than once",
        ),
        (
            lambda: Categorical([{"a": 1, "b": 2}, {"b": 2, "a": 1}]),
            r"`choices` must be a list of distinct values",
        ),
        (
            lambda: Categorical(["a", (1, 2)]),
            r"`choices\[1\]` must be a JSON value .*; got \(1, 2\)\. Tuples, sets",
        ),
        (lambda: Categorical([{1, 2}]), r"`choices\[0\]` must be a JSON value"),
        (lambda: Categorical([object()]), r"`choices\[0\]` must be a JSON value"),
        (lambda: Categorical([math.nan]), r"`choices\[0\]` must be a JSON value"),
        (lambda: Categorical([{1: "a"}]), r"`choices\[0\]` must be a JSON value"),
        (lambda: Categorical([[1, (2,)]]), r"`choices\[0\]` must be a JSON value"),
        # conditions on a single parameter
        (lambda: Float(0, 1, when="sgd"), r"`when` must be a mapping from parent"),
        (lambda: Float(0, 1, when={"opt": []}), r"`when\.opt` must be a value or a"),
        (
            lambda: Float(0, 1, when={3: "x"}),
            r"`when` must be keyed by parameter names",
        ),
        (
            lambda: Float(0, 1, when={"opt": {1, 2}}),
            r"`when\.opt` must be a JSON value",
        ),
    ],
)
def test_invalid_parameters(build: Callable[[], Param], match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        build()


@pytest.mark.parametrize(
    ("params", "match"),
    [
        (
            {"m": Float(0.8, 0.9, when={"optim": "sgd"})},
            r"`m\.when` must be keyed by parameters of this space \(m\); got 'optim'\. "
            r"Fix the parameter name",
        ),
        (
            {
                "opt": Categorical(["sgd", "adam"]),
                "m": Float(0.8, 0.9, when={"opt": ["sgd", "rmsprop"]}),
            },
            r"`m\.when\.opt` must be values that `opt` can take, one of 'sgd', "
            r"'adam'; got 'rmsprop'",
        ),
        (
            {"n": Int(1, 3), "w": Int(8, 64, when={"n": [2, 4]})},
            r"`w\.when\.n` must be values that `n` can take, an integer in \[1, 3\]; "
            r"got 4",
        ),
        (
            {"flag": Categorical([True, False]), "x": Int(1, 2, when={"flag": 1})},
            r"`x\.when\.flag` must be values that `flag` can take, one of True, "
            r"False; got 1",
        ),
        (
            {
                "a": Int(1, 3, when={"c": 1}),
                "b": Int(1, 3, when={"a": 1}),
                "c": Int(1, 3, when={"b": 1}),
            },
            r"`a\.when` must be free of cycles; got 'a -> c -> b -> a'",
        ),
        (
            {"root": Int(1, 3), "a": Int(1, 3, when={"a": 2})},
            r"`a\.when` must be free of cycles; got 'a -> a'",
        ),
        (
            {"a": [1, 2]},
            r"`a` must be a Float, Int or Categorical; got \[1, 2\]\. Wrap the value",
        ),
        ({"": Int(1, 2)}, r"`params` must be keyed by non-empty strings; got ''"),
        ({1: Int(1, 2)}, r"`params` must be keyed by non-empty strings; got 1"),
    ],
)
def test_invalid_spaces(params: Any, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        Space(params)


def test_space_needs_a_mapping() -> None:
    with pytest.raises(ConfigError, match=r"`params` must be a mapping"):
        Space([Int(1, 2)])  # type: ignore[arg-type]


def test_unit_maps_reject_values_outside_their_domain() -> None:
    named = Space({"lr": Float(0.1, 1.0)})["lr"]

    with pytest.raises(ConfigError, match=r"`u` must be in \[0\.0, 1\.0\]; got 1\.5"):
        named.from_unit(1.5)
    with pytest.raises(ConfigError, match=r"`lr` must be a number in \[0\.1, 1\.0\]"):
        named.to_unit(2.0)
    with pytest.raises(ConfigError, match=r"`value` must be one of 'a'; got 'b'"):
        Categorical(["a"]).to_unit("b")


def test_param_sample_rejects_a_seed_in_place_of_a_generator() -> None:
    with pytest.raises(ConfigError, match=r"`rng` must be a numpy\.random\.Generator"):
        Int(1, 3).sample(np.random.RandomState(0))  # type: ignore[arg-type]


def test_config_errors_are_value_errors_under_the_root() -> None:
    with pytest.raises(ConfigError) as info:
        Float(1.0, 0.0)

    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, TuneopsError)
