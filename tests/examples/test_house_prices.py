"""Tests for the house-prices example (`examples/house_prices/model.py`).

They run the real objectives on the real Ames file with small models (a few
tenths of a second per fit, one thread). The data must be present: CI always
has it, so a missing file is a failure, not a skip.
"""

from __future__ import annotations

import math
import os
import pathlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
from sklearn.ensemble import HistGradientBoostingRegressor

# `examples` is a folder at the repo root, not an installed package. pytest
# puts the repo root on sys.path (tests/ is a package, so its rootdir-based
# insertion picks the folder above it), so no sys.path edit is needed here.
from examples.house_prices import model
from tuneops.datasets import load_ames

SMALL = {"max_leaf_nodes": 8, "max_features": 0.5}
"""A fast config; max_features < 1 makes the seed matter, so equalities below
are not trivially true."""


@dataclass
class FakeTrial:
    """The parts of a tuneops trial that the objectives use."""

    config: dict[str, Any]
    resource: int | float | None
    checkpoint_dir: pathlib.Path
    seed: int = 0
    reports: list[tuple[float, int]] = field(default_factory=list)

    def report(self, value: float, step: int) -> None:
        self.reports.append((value, step))


@pytest.fixture(scope="module")
def data_dir() -> pathlib.Path:
    data_dir = os.environ.get("TUNEOPS_DATA_DIR")
    if not data_dir or not (pathlib.Path(data_dir) / "ames_train.csv").is_file():
        pytest.fail(
            f"TUNEOPS_DATA_DIR={data_dir!r} does not hold ames_train.csv; point it "
            "at the data folder (e.g. /work/shared/data). These tests train on "
            "the real file and do not skip without it."
        )
    return pathlib.Path(data_dir)


@pytest.fixture(scope="module")
def splits(data_dir: pathlib.Path) -> model.Splits:
    return model.load_splits(data_dir)


def _trial(
    tmp: pathlib.Path, name: str, resource: Any, config: dict[str, Any] | None = None
) -> FakeTrial:
    folder = tmp / name
    folder.mkdir(exist_ok=True)
    return FakeTrial(dict(SMALL if config is None else config), resource, folder)


# --- Data split ------------------------------------------------------------


def test_split_sizes_disjoint_and_complete(splits: model.Splits) -> None:
    parts = {
        "train": (splits.X_train, splits.y_train, 876),
        "val": (splits.X_val, splits.y_val, 292),
        "test": (splits.X_test, splits.y_test, 292),
    }
    seen: set[int] = set()
    for name, (X, y, size) in parts.items():
        assert len(X) == len(y) == size, name
        assert list(X.index) == list(y.index), name
        assert X.index.is_monotonic_increasing, name
        assert seen.isdisjoint(X.index), name
        seen.update(X.index)
    assert seen == set(range(1460))


def test_split_targets_are_log_prices(
    splits: model.Splits, data_dir: pathlib.Path
) -> None:
    _, price = load_ames(data_dir)
    for y in (splits.y_train, splits.y_val, splits.y_test):
        np.testing.assert_array_equal(y.to_numpy(), np.log(price[y.index].to_numpy()))


def test_split_is_deterministic(splits: model.Splits, data_dir: pathlib.Path) -> None:
    # A different cache key (the file rather than its folder) recomputes it.
    again = model.load_splits(data_dir / "ames_train.csv")
    assert again is not splits
    for name in ("X_train", "X_val", "X_test"):
        assert list(getattr(again, name).index) == list(getattr(splits, name).index)
    assert model.load_splits(data_dir) is splits


# --- Metric and defaults ---------------------------------------------------


def test_rmse_log_by_hand() -> None:
    true = [100.0, 200.0, 400.0]
    pred = [110.0, 180.0, 400.0]
    expected = math.sqrt((math.log(1.1) ** 2 + math.log(0.9) ** 2 + 0.0) / 3)
    assert model.rmse_log(true, pred) == pytest.approx(expected, rel=1e-12)
    assert model.rmse_log(np.array(pred), np.array(true)) == pytest.approx(
        expected, rel=1e-12
    )
    assert model.rmse_log(true, true) == 0.0
    # Natural log, not log1p: a factor e off everywhere is an error of exactly 1.
    assert model.rmse_log([1.0, 2.0], [math.e, 2 * math.e]) == pytest.approx(1.0)


def test_default_config_is_sklearns() -> None:
    defaults = HistGradientBoostingRegressor().get_params()
    assert {key: defaults[key] for key in model.DEFAULT_CONFIG} == model.DEFAULT_CONFIG
    assert defaults["max_iter"] == model.DEFAULT_MAX_ITER


# --- train_boosting --------------------------------------------------------


def test_warm_start_equals_training_from_scratch(
    tmp_path: pathlib.Path, data_dir: pathlib.Path
) -> None:
    resumed_trial = _trial(tmp_path, "resumed", 20)
    first = model.train_boosting(resumed_trial, data_dir)
    assert first["resumed"] is False
    assert first["n_iter"] == first["n_iter_trained"] == 20
    assert (resumed_trial.checkpoint_dir / model.CHECKPOINT_NAME).is_file()

    resumed_trial.resource = 60
    second = model.train_boosting(resumed_trial, data_dir)
    assert second["resumed"] is True
    assert second["n_iter"] == 60
    assert second["n_iter_trained"] == 40

    scratch_trial = _trial(tmp_path, "scratch", 60)
    scratch = model.train_boosting(scratch_trial, data_dir)
    assert scratch["resumed"] is False
    assert scratch["n_iter_trained"] == 60
    assert second["rmse_log"] == pytest.approx(scratch["rmse_log"], abs=1e-12)
    assert second["rmse_log"] < first["rmse_log"]

    # One report per call, at step = iterations of the model.
    assert resumed_trial.reports == [
        (first["rmse_log"], 20),
        (second["rmse_log"], 60),
    ]
    assert scratch_trial.reports == [(scratch["rmse_log"], 60)]

    # Asking again for the same budget fits nothing and changes nothing.
    third = model.train_boosting(resumed_trial, data_dir)
    assert third["resumed"] is True
    assert third["n_iter_trained"] == 0
    assert third["rmse_log"] == second["rmse_log"]


@pytest.mark.parametrize(
    ("change", "value"),
    [("learning_rate", 0.2), ("seed", 1)],
    ids=["other-config", "other-seed"],
)
def test_checkpoint_of_another_config_or_seed_is_not_reused(
    tmp_path: pathlib.Path, data_dir: pathlib.Path, change: str, value: Any
) -> None:
    trial = _trial(tmp_path, "shared", 10)
    assert model.train_boosting(trial, data_dir)["resumed"] is False

    other = _trial(tmp_path, "shared", 20)
    if change == "seed":
        other.seed = value
    else:
        other.config[change] = value
    result = model.train_boosting(other, data_dir)
    assert result["resumed"] is False
    assert result["n_iter_trained"] == 20


def test_smaller_budget_than_checkpoint_retrains(
    tmp_path: pathlib.Path, data_dir: pathlib.Path
) -> None:
    trial = _trial(tmp_path, "t", 20)
    model.train_boosting(trial, data_dir)
    trial.resource = 10
    result = model.train_boosting(trial, data_dir)
    assert result["resumed"] is False
    assert result["n_iter_trained"] == 10


def test_evaluate_val_equals_train_boosting(
    tmp_path: pathlib.Path, data_dir: pathlib.Path
) -> None:
    # Both fit make_model(config, n_iter, seed) on the train split and score
    # the validation split, so with the same seed they agree exactly.
    trial = _trial(tmp_path, "t", 30)
    trained = model.train_boosting(trial, data_dir)["rmse_log"]
    evaluated = model.evaluate(SMALL, 30, "val", data_dir, seed=0)
    assert evaluated == pytest.approx(trained, abs=1e-12)
    # With max_features < 1 the seed matters, so the match is not a given.
    assert model.evaluate(SMALL, 30, "val", data_dir, seed=1) != evaluated


def test_evaluate_rejects_unknown_split(data_dir: pathlib.Path) -> None:
    with pytest.raises(ValueError, match=r"`split` must be 'val' or 'test'"):
        model.evaluate(SMALL, 10, "train", data_dir)


@pytest.mark.parametrize("objective", ["train_boosting", "train_on_fraction"])
def test_unknown_config_key_is_named(
    tmp_path: pathlib.Path, data_dir: pathlib.Path, objective: str
) -> None:
    config = {**SMALL, "n_estimators": 10}
    resource = 10 if objective == "train_boosting" else 0.5
    trial = _trial(tmp_path, "t", resource, config)
    with pytest.raises(ValueError, match=r"unknown key\(s\) n_estimators\."):
        getattr(model, objective)(trial, data_dir)
    assert trial.reports == []


@pytest.mark.parametrize("resource", [0, -5, 0.4, float("nan"), True, "20"])
def test_train_boosting_rejects_bad_iterations(
    tmp_path: pathlib.Path, data_dir: pathlib.Path, resource: Any
) -> None:
    trial = _trial(tmp_path, "t", resource)
    with pytest.raises(ValueError, match=r"`trial.resource` must be a number of"):
        model.train_boosting(trial, data_dir)


# --- train_on_fraction -----------------------------------------------------


def test_fraction_rows_are_nested_prefixes() -> None:
    n = 876
    full = model.fraction_rows(n, 1.0)
    third = model.fraction_rows(n, 1 / 3)
    ninth = model.fraction_rows(n, 1 / 9)
    assert sorted(full.tolist()) == list(range(n))
    assert len(third) == round(n / 3) == 292
    assert len(ninth) == round(n / 9) == 97
    assert set(ninth) <= set(third) <= set(full)
    np.testing.assert_array_equal(third, full[: len(third)])
    np.testing.assert_array_equal(model.fraction_rows(n, 1 / 3), third)
    for fraction in (0.05, 0.25, 0.5, 0.77):
        assert len(model.fraction_rows(n, fraction)) == round(fraction * n)


def test_fraction_rows_too_few_rows() -> None:
    n = 876
    smallest = model.MIN_ROWS / n
    assert len(model.fraction_rows(n, smallest)) == model.MIN_ROWS
    with pytest.raises(
        ValueError,
        match=r"must keep at least 20 of the 876 training rows.*"
        r"Raise the study's min_resource to at least 0\.023",
    ):
        model.fraction_rows(n, 0.01)


@pytest.mark.parametrize("resource", [0, 0.0, -0.1, 1.5, True, "0.5", float("nan")])
def test_train_on_fraction_rejects_resource_outside_unit_interval(
    tmp_path: pathlib.Path, data_dir: pathlib.Path, resource: Any
) -> None:
    trial = _trial(tmp_path, "t", resource)
    with pytest.raises(
        ValueError,
        match=r"must be a fraction of the training rows in \(0, 1\].*"
        r"min_resource and max_resource within \(0, 1\]",
    ):
        model.train_on_fraction(trial, data_dir)


def test_train_on_fraction_uses_the_rows_it_says(
    tmp_path: pathlib.Path, data_dir: pathlib.Path
) -> None:
    trial = _trial(tmp_path, "t", 1 / 9, {**SMALL, "max_iter": 10})
    result = model.train_on_fraction(trial, data_dir)
    assert result["n_rows"] == 97
    assert result["n_iter"] == 10
    assert result["fraction"] == pytest.approx(1 / 9)
    assert trial.reports == [(result["rmse_log"], 97)]
    assert 0.0 < result["rmse_log"] < 1.0
