"""Objectives and data preparation for the house-prices example.

The data is the Ames, Iowa training file of Kaggle's "House Prices" competition
(1460 houses, 79 features), loaded with `tuneops.datasets.load_ames` and split
once, with a fixed seed, into train (60 %), validation (20 %) and test (20 %)
rows. The model is scikit-learn's `HistGradientBoostingRegressor` fitted on
log(SalePrice) with native categorical support.

Two objectives are provided; both take a tuneops trial and return a metrics
dict whose key `"rmse_log"` is the validation error to minimise:

* `train_boosting`: the resource is the number of boosting iterations. A trial
  promoted to a larger resource resumes from its checkpoint (warm start)
  instead of starting again.
* `train_on_fraction`: the resource is the fraction of training rows used, in
  (0, 1]; the number of iterations is fixed.

The metric is Kaggle's: the root-mean-squared error between the natural
logarithms (`numpy.log`, not `log1p`) of predicted and observed prices. Prices
are at least $34,900, so the two logs differ by less than 3e-5.
"""

from __future__ import annotations

import functools
import logging
import math
import numbers
import os
import pathlib
import pickle
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd
import yaml
from sklearn.ensemble import HistGradientBoostingRegressor
from threadpoolctl import threadpool_limits

from tuneops.datasets import load_ames

logger = logging.getLogger(__name__)

SPLIT_SEED = 20110901
"""Seed of the one permutation that splits the rows into train/val/test."""

SPLIT_FRACTIONS = (0.6, 0.2, 0.2)
"""Shares of train, validation and test rows (876, 292 and 292 houses)."""

SUBSAMPLE_SEED = 7
"""Seed of the permutation of training rows that `train_on_fraction` takes
prefixes of. It is fixed, not the trial's seed, so that every trial at the
same fraction sees the same rows and smaller fractions are nested in larger
ones."""

DEFAULT_CONFIG: dict[str, float | int] = {
    "learning_rate": 0.1,
    "max_leaf_nodes": 31,
    "min_samples_leaf": 20,
    "l2_regularization": 0.0,
    "max_features": 1.0,
}
"""scikit-learn's defaults for the tuned hyperparameters."""

DEFAULT_MAX_ITER = 100
"""scikit-learn's default number of boosting iterations."""

FRACTION_MAX_ITER = 300
"""Iterations per fit in `train_on_fraction` unless the config sets `max_iter`."""

MIN_ROWS = 20
"""Fewest training rows `train_on_fraction` accepts (fraction ~0.023)."""

DEFAULT_THREADS = 1
"""OpenMP threads per fit. Measured on a 2-core machine: 2 threads are no
faster than 1 for these small fits (growing the trees is mostly serial work),
and up to 10 times slower whenever another process busies the second core."""

SPACE_FILE = pathlib.Path(__file__).with_name("space.yaml")
"""The search space in tuneops' YAML form."""

CHECKPOINT_NAME = "hist_gradient_boosting.pkl"
"""File name of `train_boosting`'s checkpoint inside `trial.checkpoint_dir`."""

# Keys a config may set besides the tuned ones. Everything else the regressor
# accepts is pinned on purpose: early stopping in particular must stay off so
# that the resource (`max_iter`) means exactly the iterations trained.
_EXTRA_KEYS = frozenset({"max_iter", "max_depth", "max_bins"})
_CHECKPOINT_FORMAT = 1


class Trial(Protocol):
    """What the objectives need from a tuneops trial."""

    @property
    def config(self) -> Mapping[str, Any]:
        """The hyperparameters of this trial."""
        ...

    @property
    def resource(self) -> int | float | None:
        """The budget for this call, or None for the objective's default."""
        ...

    @property
    def seed(self) -> int:
        """The trial's random seed."""
        ...

    @property
    def checkpoint_dir(self) -> pathlib.Path:
        """An existing folder private to the trial, kept across calls."""
        ...

    def report(self, value: float, step: int) -> None:
        """Record an intermediate value of the metric."""
        ...


@dataclass(frozen=True)
class Splits:
    """The fixed train/validation/test split; targets are log(SalePrice).

    The frames are shared by every caller in the process: do not modify them.
    """

    X_train: pd.DataFrame
    y_train: pd.Series
    X_val: pd.DataFrame
    y_val: pd.Series
    X_test: pd.DataFrame
    y_test: pd.Series


def load_splits(data_dir: str | os.PathLike[str] | None = None) -> Splits:
    """Return the seeded 60/20/20 split of the Ames training file.

    The split is computed once per process and data location.

    Args:
        data_dir: File or folder holding `ames_train.csv`; None means
            `$TUNEOPS_DATA_DIR`, the cache, or a download (see
            `tuneops.datasets.data_path`).

    Returns:
        The six frames; targets are natural logs of the price in dollars.
    """
    key = None if data_dir is None else os.fspath(data_dir)
    return _load_splits_cached(key)


@functools.lru_cache(maxsize=4)
def _load_splits_cached(data_dir: str | None) -> Splits:
    X, price = load_ames(data_dir)
    y = np.log(price).rename("log_SalePrice")
    order = np.random.default_rng(SPLIT_SEED).permutation(len(X))
    n_train = round(SPLIT_FRACTIONS[0] * len(X))
    n_val = round(SPLIT_FRACTIONS[1] * len(X))
    parts = np.split(order, [n_train, n_train + n_val])
    train, val, test = (np.sort(p) for p in parts)
    return Splits(
        X_train=X.iloc[train],
        y_train=y.iloc[train],
        X_val=X.iloc[val],
        y_val=y.iloc[val],
        X_test=X.iloc[test],
        y_test=y.iloc[test],
    )


def rmse_log(price_true: Any, price_pred: Any) -> float:
    """Kaggle's metric: RMSE between the natural logs of two price arrays.

    Args:
        price_true: Observed prices in dollars (all > 0).
        price_pred: Predicted prices in dollars (all > 0), same length.

    Returns:
        The error in log-dollars; 0.13 means typical errors of about 13 %.
    """
    diff = np.log(np.asarray(price_pred, float)) - np.log(np.asarray(price_true, float))
    return float(np.sqrt(np.mean(diff**2)))


def load_space() -> dict[str, dict[str, Any]]:
    """Read the search space for `train_boosting` from `space.yaml`."""
    with SPACE_FILE.open(encoding="utf-8") as handle:
        space: dict[str, dict[str, Any]] = yaml.safe_load(handle)
    return space


def make_model(
    config: Mapping[str, Any], n_iter: int, seed: int
) -> HistGradientBoostingRegressor:
    """Build the (unfitted) regressor for a config.

    Args:
        config: Hyperparameters; missing tuned keys take `DEFAULT_CONFIG`.
            `max_iter` in the config is ignored in favour of `n_iter`.
        n_iter: Number of boosting iterations (>= 1).
        seed: `random_state` of the regressor (feature subsampling).

    Returns:
        A regressor with early stopping off and warm start on.

    Raises:
        ValueError: `config` has a key the example does not tune.
    """
    return HistGradientBoostingRegressor(
        **_model_params(config),
        max_iter=n_iter,
        early_stopping=False,
        warm_start=True,
        categorical_features="from_dtype",
        random_state=seed,
    )


def train_boosting(
    trial: Trial,
    data_dir: str | os.PathLike[str] | None = None,
    *,
    n_threads: int = DEFAULT_THREADS,
) -> dict[str, Any]:
    """Objective whose resource is the number of boosting iterations.

    Trains up to `trial.resource` iterations (default: the config's
    `max_iter`, else 100). If `trial.checkpoint_dir` holds a model of the
    same config and seed with fewer iterations, training continues from it
    (warm start) and only the missing iterations are fitted; the result is
    identical to training from scratch. The model is saved back afterwards.
    The validation error is reported once per call at `step=n_iter`.

    Args:
        trial: The tuneops trial (config, resource, seed, checkpoint_dir,
            report).
        data_dir: Where `ames_train.csv` is; see `load_splits`.
        n_threads: OpenMP threads for fitting and predicting.

    Returns:
        `rmse_log` (validation, log-dollars), `n_iter` (iterations of the
        model), `n_iter_trained` (iterations fitted in this call),
        `fit_seconds` (wall time of the fit) and `resumed` (True when a
        checkpoint was used).

    Raises:
        ValueError: The resource is not a positive number of iterations, or
            the config has an unknown key.
    """
    config = dict(trial.config)
    if trial.resource is None:
        n_iter = _iterations(config.get("max_iter", DEFAULT_MAX_ITER), "max_iter")
    else:
        n_iter = _iterations(trial.resource, "trial.resource")
    params = _model_params(config)
    splits = load_splits(data_dir)
    checkpoint = pathlib.Path(trial.checkpoint_dir) / CHECKPOINT_NAME

    model = _load_checkpoint(checkpoint, params, trial.seed, n_iter)
    resumed = model is not None
    if model is None:
        model = make_model(params, n_iter, trial.seed)
        done = 0
    else:
        done = model.n_iter_
        model.set_params(max_iter=n_iter, warm_start=True)

    with threadpool_limits(limits=n_threads, user_api="openmp"):
        start = time.perf_counter()
        if done < n_iter:
            model.fit(splits.X_train, splits.y_train)
        fit_seconds = time.perf_counter() - start
        pred = model.predict(splits.X_val)
    rmse = _rmse(splits.y_val, pred)

    if done < n_iter:
        _save_checkpoint(checkpoint, params, trial.seed, model)
    trial.report(rmse, step=n_iter)
    # INFO: the line each trial's log file (`tuneops logs`) shows per rung.
    logger.info(
        "n_iter=%d (resumed from %d) rmse_log=%.4f in %.2fs",
        n_iter,
        done,
        rmse,
        fit_seconds,
    )
    return {
        "rmse_log": rmse,
        "n_iter": n_iter,
        "n_iter_trained": n_iter - done,
        "fit_seconds": fit_seconds,
        "resumed": resumed,
    }


def train_on_fraction(
    trial: Trial,
    data_dir: str | os.PathLike[str] | None = None,
    *,
    n_threads: int = DEFAULT_THREADS,
) -> dict[str, Any]:
    """Objective whose resource is the fraction of training rows, in (0, 1].

    The rows are a prefix of one permutation seeded with `SUBSAMPLE_SEED`:
    the same fraction always gives the same rows, and the rows of a smaller
    fraction are a subset of those of a larger one. Each call trains from
    scratch for the config's `max_iter` iterations (default
    `FRACTION_MAX_ITER` = 300) and reports the validation error at
    `step=n_rows`.

    Args:
        trial: The tuneops trial; `resource` None means the full training set.
        data_dir: Where `ames_train.csv` is; see `load_splits`.
        n_threads: OpenMP threads for fitting and predicting.

    Returns:
        `rmse_log` (validation, log-dollars), `fraction`, `n_rows` (training
        rows used), `n_iter` and `fit_seconds`.

    Raises:
        ValueError: The resource is outside (0, 1] or leaves fewer than
            `MIN_ROWS` rows, or the config has an unknown key.
    """
    config = dict(trial.config)
    fraction = 1.0 if trial.resource is None else trial.resource
    is_number = isinstance(fraction, numbers.Real) and not isinstance(fraction, bool)
    if not is_number or not 0.0 < fraction <= 1.0:
        raise ValueError(
            f"`trial.resource` must be a fraction of the training rows in (0, 1] "
            f"for train_on_fraction; got {trial.resource!r}. Set the study's "
            "min_resource and max_resource within (0, 1]."
        )
    n_iter = _iterations(config.get("max_iter", FRACTION_MAX_ITER), "max_iter")
    params = _model_params(config)
    splits = load_splits(data_dir)
    rows = fraction_rows(len(splits.X_train), float(fraction))

    model = make_model(params, n_iter, trial.seed)
    with threadpool_limits(limits=n_threads, user_api="openmp"):
        start = time.perf_counter()
        model.fit(splits.X_train.iloc[rows], splits.y_train.iloc[rows])
        fit_seconds = time.perf_counter() - start
        pred = model.predict(splits.X_val)
    rmse = _rmse(splits.y_val, pred)
    trial.report(rmse, step=len(rows))
    logger.info(
        "%d of %d training rows (fraction %.3g), %d iterations: rmse_log=%.4f in %.2fs",
        len(rows),
        len(splits.X_train),
        fraction,
        n_iter,
        rmse,
        fit_seconds,
    )
    return {
        "rmse_log": rmse,
        "fraction": float(fraction),
        "n_rows": len(rows),
        "n_iter": n_iter,
        "fit_seconds": fit_seconds,
    }


def fraction_rows(n_total: int, fraction: float) -> np.ndarray:
    """Positions of the training rows used at a given fraction.

    Args:
        n_total: Number of training rows.
        fraction: Share of rows to keep, in (0, 1].

    Returns:
        `round(fraction * n_total)` positions, a prefix of a permutation
        seeded with `SUBSAMPLE_SEED` (so nested across fractions).

    Raises:
        ValueError: Fewer than `MIN_ROWS` rows would remain.
    """
    n_rows = round(fraction * n_total)
    if n_rows < MIN_ROWS:
        raise ValueError(
            f"`trial.resource` must keep at least {MIN_ROWS} of the {n_total} "
            f"training rows; got fraction {fraction!r} ({n_rows} rows). Raise "
            f"the study's min_resource to at least {MIN_ROWS / n_total:.3f}."
        )
    order = np.random.default_rng(SUBSAMPLE_SEED).permutation(n_total)
    return order[:n_rows]


def evaluate_on_test(
    config: Mapping[str, Any],
    n_iter: int,
    data_dir: str | os.PathLike[str] | None = None,
    *,
    seed: int = 0,
    n_threads: int = DEFAULT_THREADS,
) -> float:
    """Fit on the train split and return the test-split log-RMSE.

    Used once at the end of a study to compare the tuned config with
    `DEFAULT_CONFIG`; the test rows play no part in tuning.

    Args:
        config: Hyperparameters (missing keys take `DEFAULT_CONFIG`).
        n_iter: Boosting iterations (>= 1).
        data_dir: Where `ames_train.csv` is; see `load_splits`.
        seed: `random_state` of the regressor.
        n_threads: OpenMP threads.

    Returns:
        RMSE of log(SalePrice) on the 292 test houses.
    """
    return evaluate(config, n_iter, "test", data_dir, seed=seed, n_threads=n_threads)


def evaluate(
    config: Mapping[str, Any],
    n_iter: int,
    split: str,
    data_dir: str | os.PathLike[str] | None = None,
    *,
    seed: int = 0,
    n_threads: int = DEFAULT_THREADS,
) -> float:
    """Fit on the train split and return the log-RMSE on `split`.

    Args:
        config: Hyperparameters (missing keys take `DEFAULT_CONFIG`).
        n_iter: Boosting iterations (>= 1).
        split: `"val"` (292 houses used for tuning) or `"test"` (292 houses
            kept out of tuning).
        data_dir: Where `ames_train.csv` is; see `load_splits`.
        seed: `random_state` of the regressor.
        n_threads: OpenMP threads.

    Returns:
        RMSE of log(SalePrice) on the chosen split.

    Raises:
        ValueError: `split` is neither `"val"` nor `"test"`.
    """
    if split not in ("val", "test"):
        raise ValueError(f"`split` must be 'val' or 'test'; got {split!r}.")
    n_iter = _iterations(n_iter, "n_iter")
    splits = load_splits(data_dir)
    X, y = getattr(splits, f"X_{split}"), getattr(splits, f"y_{split}")
    model = make_model(config, n_iter, seed)
    with threadpool_limits(limits=n_threads, user_api="openmp"):
        model.fit(splits.X_train, splits.y_train)
        pred = model.predict(X)
    return _rmse(y, pred)


def _rmse(y_log: pd.Series, pred_log: np.ndarray) -> float:
    # Both sides are already natural logs of prices, so this is `rmse_log`
    # without the exp/log round trip.
    diff = np.asarray(pred_log, float) - y_log.to_numpy(float)
    return float(np.sqrt(np.mean(diff**2)))


def _model_params(config: Mapping[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(config) - set(DEFAULT_CONFIG) - _EXTRA_KEYS)
    if unknown:
        allowed = ", ".join(sorted({*DEFAULT_CONFIG, *_EXTRA_KEYS}))
        raise ValueError(
            f"`trial.config` must only set {allowed}; got unknown key(s) "
            f"{', '.join(unknown)}. Remove them from the search space."
        )
    params = {**DEFAULT_CONFIG, **config}
    params.pop("max_iter", None)
    return params


def _iterations(value: Any, name: str) -> int:
    is_number = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if not is_number or not math.isfinite(value) or round(value) < 1:
        raise ValueError(
            f"`{name}` must be a number of boosting iterations >= 1; got "
            f"{value!r}. Give at least 1 (for a study: min_resource >= 1)."
        )
    # Schedulers may hand out 30.0 or, for budgets that are not powers of the
    # reduction factor, 33.33; the model can only train whole iterations.
    return round(float(value))


def _load_checkpoint(
    path: pathlib.Path, params: dict[str, Any], seed: int, n_iter: int
) -> HistGradientBoostingRegressor | None:
    """Return the saved model if it can be continued to `n_iter`, else None."""
    if not path.is_file():
        return None
    try:
        with path.open("rb") as handle:
            # The checkpoint folder is private to this trial and written only
            # by `_save_checkpoint`, so unpickling it is as safe as the study.
            saved = pickle.load(handle)
        model = saved["model"]
        compatible = (
            saved["format"] == _CHECKPOINT_FORMAT
            and saved["params"] == params
            and saved["seed"] == seed
            and isinstance(model, HistGradientBoostingRegressor)
        )
    except Exception as exc:
        logger.warning("Ignoring unreadable checkpoint %s: %s", path, exc)
        return None
    if not compatible:
        logger.info("Checkpoint %s is for another config or seed; retraining", path)
        return None
    if model.n_iter_ > n_iter:
        # Boosting cannot drop iterations; a smaller budget means a new model.
        logger.info(
            "Checkpoint %s has %d iterations, more than the %d asked; retraining",
            path,
            model.n_iter_,
            n_iter,
        )
        return None
    return model  # type: ignore[no-any-return]


def _save_checkpoint(
    path: pathlib.Path,
    params: dict[str, Any],
    seed: int,
    model: HistGradientBoostingRegressor,
) -> None:
    payload = {
        "format": _CHECKPOINT_FORMAT,
        "params": params,
        "seed": seed,
        "model": model,
    }
    # Write then rename, so a trial killed mid-write keeps its old checkpoint.
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(payload, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp_name, path)
    except BaseException:
        pathlib.Path(tmp_name).unlink(missing_ok=True)
        raise
