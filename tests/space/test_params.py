"""Distributions, domains, unit maps and grid values of the single parameter kinds."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import numpy as np
import pytest
from scipy import stats

from tuneops.space import Categorical, Float, Int, Param

N_SAMPLES = 4000
P_MIN = 0.01


def draw(param: Param, n: int = N_SAMPLES, seed: int = 0) -> list[Any]:
    rng = np.random.default_rng(seed)
    return [param.sample(rng) for _ in range(n)]


def from_uniform_units(param: Param, n: int = N_SAMPLES, seed: int = 1) -> list[Any]:
    units = np.random.default_rng(seed).random(n)
    return [param.from_unit(float(u)) for u in units]


def log_uniform_pvalue(samples: list[float], low: float, high: float) -> float:
    logs = np.log(samples)
    span = math.log(high) - math.log(low)
    return float(stats.kstest(logs, "uniform", args=(math.log(low), span)).pvalue)


def equal_frequency_pvalue(samples: list[Any], values: list[Any]) -> float:
    counts = Counter(samples)
    assert set(counts) == set(values)
    return float(stats.chisquare([counts[v] for v in values]).pvalue)


def int_log_probabilities(low: int, high: int) -> np.ndarray:
    # Each integer owns the log-width of [v - 0.5, v + 0.5].
    values = np.arange(low, high + 1)
    widths = np.log(values + 0.5) - np.log(values - 0.5)
    return widths / widths.sum()


# --- bounds, steps and types over many samples ---------------------------------


@pytest.mark.parametrize(
    "param",
    [
        Float(-2.0, 3.0),
        Float(1e-5, 1e-1, log=True),
        Float(0.1, 0.3, log=True),
    ],
)
def test_continuous_float_samples_stay_in_bounds(param: Float) -> None:
    samples = draw(param)

    assert all(type(x) is float for x in samples)
    assert all(param.low <= x <= param.high for x in samples)
    assert all(param.contains(x) for x in samples)
    assert len(set(samples)) > N_SAMPLES * 0.99


def test_stepped_float_gives_clean_decimals_including_both_ends() -> None:
    param = Float(0.1, 1.0, step=0.1)
    expected = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]

    samples = draw(param)

    assert set(samples) == set(expected)
    assert all(type(x) is float for x in samples)


def test_stepped_float_with_inexact_step_stays_inside_the_range() -> None:
    param = Float(0.0, 1.0, step=1 / 3)

    samples = draw(param, n=1000)

    assert max(samples) == 1.0
    assert min(samples) == 0.0
    assert len(set(samples)) == 4


@pytest.mark.parametrize(
    ("param", "values"),
    [
        (Int(1, 8), list(range(1, 9))),
        (Int(0, 20, step=5), [0, 5, 10, 15, 20]),
        (Int(-3, 3), list(range(-3, 4))),
        (Int(1, 8, log=True), list(range(1, 9))),
    ],
)
def test_int_samples_are_python_ints_on_the_step_reaching_both_ends(
    param: Int, values: list[int]
) -> None:
    samples = draw(param)

    assert all(type(x) is int for x in samples)
    assert set(samples) == set(values)


def test_categorical_returns_the_choice_objects_with_their_types() -> None:
    choices: list[Any] = ["a", 1, 2.5, True, None, [1, 2], {"k": [None]}]
    param = Categorical(choices)

    samples = draw(param, n=2000)

    assert all(any(s is c for c in choices) for s in samples)
    assert {repr(s) for s in samples} == {repr(c) for c in choices}
    assert not any(isinstance(s, np.generic) for s in samples)


def test_categorical_stores_numpy_scalars_as_python_scalars() -> None:
    param = Categorical(np.array([8, 16, 32]))

    samples = draw(param, n=200)

    assert {type(s) for s in samples} == {int}
    assert param.choices == (8, 16, 32)


def test_same_seed_gives_the_same_samples() -> None:
    for param in (Float(0.0, 1.0), Int(1, 100, log=True), Categorical(list("abcd"))):
        assert draw(param, n=50, seed=7) == draw(param, n=50, seed=7)
        assert draw(param, n=50, seed=7) != draw(param, n=50, seed=8)


# --- distributions -------------------------------------------------------------


def test_log_float_is_uniform_in_log_space() -> None:
    low, high = 1e-5, 1e-1
    samples = draw(Float(low, high, log=True), seed=12345)

    assert log_uniform_pvalue(samples, low, high) > P_MIN


def test_the_log_uniform_check_rejects_a_plain_uniform_sampler() -> None:
    low, high = 1e-5, 1e-1
    plain = np.random.default_rng(12345).uniform(low, high, N_SAMPLES).tolist()

    assert log_uniform_pvalue(plain, low, high) < P_MIN


def test_plain_float_is_uniform() -> None:
    samples = draw(Float(-2.0, 3.0), seed=3)

    assert stats.kstest(samples, "uniform", args=(-2.0, 5.0)).pvalue > P_MIN


@pytest.mark.parametrize(
    ("param", "values"),
    [
        (Float(0.1, 1.0, step=0.1), [round(0.1 * k, 1) for k in range(1, 11)]),
        (Int(1, 8), list(range(1, 9))),
        (Int(0, 20, step=5), [0, 5, 10, 15, 20]),
        (Categorical(["sgd", "adam", "rmsprop"]), ["sgd", "adam", "rmsprop"]),
    ],
)
def test_discrete_values_are_equally_likely(param: Param, values: list[Any]) -> None:
    assert equal_frequency_pvalue(draw(param, seed=5), values) > P_MIN


def test_log_int_follows_the_log_widths() -> None:
    n = 20000
    expected = int_log_probabilities(1, 8) * n
    samples = draw(Int(1, 8, log=True), n=n, seed=11)
    counts = Counter(samples)

    observed = [counts[v] for v in range(1, 9)]

    assert stats.chisquare(observed, expected).pvalue > P_MIN


def test_the_log_int_check_rejects_a_plain_uniform_int_sampler() -> None:
    n = 20000
    expected = int_log_probabilities(1, 8) * n
    counts = Counter(np.random.default_rng(11).integers(1, 9, n).tolist())

    observed = [counts[v] for v in range(1, 9)]

    assert stats.chisquare(observed, expected).pvalue < P_MIN


# --- unit maps -----------------------------------------------------------------


def test_from_unit_of_uniform_u_matches_the_log_float_distribution() -> None:
    low, high = 1e-6, 1e-2
    samples = from_uniform_units(Float(low, high, log=True))

    assert log_uniform_pvalue(samples, low, high) > P_MIN


def test_from_unit_of_uniform_u_matches_the_plain_float_distribution() -> None:
    samples = from_uniform_units(Float(0.85, 0.95))

    assert stats.kstest(samples, "uniform", args=(0.85, 0.1)).pvalue > P_MIN


@pytest.mark.parametrize(
    ("param", "values"),
    [
        (Float(0.0, 1.0, step=0.25), [0.0, 0.25, 0.5, 0.75, 1.0]),
        (Int(2, 12, step=2), [2, 4, 6, 8, 10, 12]),
        (Categorical([True, False, None]), [True, False, None]),
    ],
)
def test_from_unit_of_uniform_u_gives_equally_likely_discrete_values(
    param: Param, values: list[Any]
) -> None:
    assert equal_frequency_pvalue(from_uniform_units(param), values) > P_MIN


def test_from_unit_of_uniform_u_matches_the_log_int_distribution() -> None:
    n = 20000
    counts = Counter(from_uniform_units(Int(1, 8, log=True), n=n))

    observed = [counts[v] for v in range(1, 9)]

    assert stats.chisquare(observed, int_log_probabilities(1, 8) * n).pvalue > P_MIN


def test_categorical_from_unit_uses_equal_bins() -> None:
    param = Categorical(["a", "b", "c", "d"])

    picks = [param.from_unit(u) for u in (0.0, 0.2499, 0.25, 0.5, 0.74, 0.75, 1.0)]

    assert picks == ["a", "a", "b", "c", "c", "d", "d"]


@pytest.mark.parametrize(
    "param",
    [
        Float(0.1, 1.0, step=0.1),
        Int(1, 8),
        Int(16, 256, log=True),
        Int(0, 30, step=3),
        Categorical(["x", 1, None, [1, 2]]),
    ],
)
def test_from_unit_inverts_to_unit_on_discrete_domains(param: Param) -> None:
    for value in param.grid_values(1000):
        u = param.to_unit(value)

        assert 0.0 <= u <= 1.0
        assert param.from_unit(u) == value


@pytest.mark.parametrize("param", [Float(-1.0, 1.0), Float(1e-4, 10.0, log=True)])
def test_from_unit_inverts_to_unit_on_continuous_ranges(param: Float) -> None:
    assert param.from_unit(0.0) == param.low
    assert param.from_unit(1.0) == param.high

    for value in draw(param, n=200):
        assert param.from_unit(param.to_unit(value)) == pytest.approx(value, rel=1e-12)


def test_log_float_unit_map_is_linear_in_log_space() -> None:
    param = Float(1e-4, 1.0, log=True)

    assert param.to_unit(1e-2) == pytest.approx(0.5)
    assert param.from_unit(0.25) == pytest.approx(1e-3)


# --- grid values ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("param", "n_points", "expected"),
    [
        (Float(0.0, 1.0), 5, [0.0, 0.25, 0.5, 0.75, 1.0]),
        (Float(0.85, 0.95), 3, [0.85, 0.9, 0.95]),
        (Float(1e-4, 1.0, log=True), 5, [1e-4, 1e-3, 1e-2, 1e-1, 1.0]),
        (Float(0.0, 1.0, step=0.1), 4, [0.0, 0.3, 0.7, 1.0]),
        (Float(0.0, 1.0, step=0.5), 5, [0.0, 0.5, 1.0]),
        (Int(1, 3), 5, [1, 2, 3]),
        (Int(1, 8), 5, [1, 3, 5, 6, 8]),
        (Int(16, 256, log=True), 5, [16, 32, 64, 128, 256]),
        (Int(0, 100, step=10), 3, [0, 50, 100]),
        (Int(0, 10), 1, [5]),
        (Categorical(["a", "b", "c"]), 2, ["a", "b", "c"]),
        (Float(0.0, 1.0, grid=[0.1, 0.5]), 5, [0.1, 0.5]),
        (Int(1, 100, grid=[1, 10, 100]), 7, [1, 10, 100]),
    ],
)
def test_grid_values(param: Param, n_points: int, expected: list[Any]) -> None:
    values = param.grid_values(n_points)

    if isinstance(param, Float) and param.log:
        assert values == pytest.approx(expected, rel=1e-12)
    else:
        assert values == expected
    assert all(param.contains(v) for v in values)


def test_int_grid_values_are_python_ints() -> None:
    assert {type(v) for v in Int(1, 1000, log=True).grid_values(9)} == {int}


# --- contains, equality, repr --------------------------------------------------


def test_contains_checks_bounds_steps_and_types() -> None:
    stepped = Float(0.0, 1.0, step=0.1)
    ints = Int(0, 10, step=2)
    flags = Categorical([True, "1"])

    assert stepped.contains(0.3) and stepped.contains(0.1 + 0.2)
    assert not stepped.contains(0.35) and not stepped.contains(1.1)
    assert not Float(0.0, 1.0).contains(math.nan)
    assert not Float(0.0, 1.0).contains(True)
    assert ints.contains(4) and ints.contains(np.int64(4))
    assert not ints.contains(3) and not ints.contains(4.0) and not ints.contains(True)
    assert flags.contains(True) and flags.contains("1")
    assert not flags.contains(1) and not flags.contains((1,))


def test_when_is_normalized_to_tuples() -> None:
    param = Float(0.0, 1.0, when={"optimizer": "sgd", "layers": [2, 3]})

    assert param.when == {"optimizer": ("sgd",), "layers": (2, 3)}
    assert Float(0.0, 1.0).when is None


def test_equality_is_by_kind_and_spec() -> None:
    assert Float(0, 1) == Float(0.0, 1.0)
    assert Float(0, 1) != Float(0, 1, log=False, step=0.5)
    assert Float(1, 2) != Int(1, 2)
    assert Categorical([1, 2]) != Categorical([True, 2])
    assert Categorical([1]) == Categorical([1])
    assert Int(1, 4, when={"a": "x"}) == Int(1, 4, when={"a": ["x"]})
    assert Int(1, 4, when={"a": "x"}) != Int(1, 4, when={"a": "y"})
    assert hash(Float(0, 1)) == hash(Float(0.0, 1.0))


@pytest.mark.parametrize(
    "param",
    [
        Float(1e-5, 1e-1, log=True),
        Float(0.1, 1.0, step=0.1, grid=[0.1, 0.5]),
        Int(0, 10, step=2, when={"opt": ["sgd", "adam"]}),
        Categorical([None, [1, 2], {"a": 1}], when={"n": 3}),
    ],
)
def test_repr_evaluates_back_to_an_equal_param(param: Param) -> None:
    namespace = {"Float": Float, "Int": Int, "Categorical": Categorical}

    assert eval(repr(param), namespace) == param


def test_param_base_is_abstract() -> None:
    with pytest.raises(TypeError):
        Param(None)  # type: ignore[abstract]
