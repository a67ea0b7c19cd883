"""The benchmark tasks: a search space, an evaluator, a known or empirical optimum.

Three groups:

* black-box: Branin, Hartmann6, Rosenbrock 5-D and 10-D, a mixed space and
  Jenatton's conditional space, each without and with Gaussian noise; no
  resource, so every evaluation costs one unit.
* multi-fidelity: BOCA's multi-fidelity Branin and Hartmann6 and a
  learning-curve Hartmann6, resource 1 to 81 (cost ∝ resource).
* real: an MLP on scikit-learn's digits (epochs, 1 to 27, via ``partial_fit``)
  and HistGradientBoosting on the Ames house prices (boosting iterations, 15 to
  405, via ``examples/house_prices/model.py``'s ``train_boosting``).

Evaluators are resumable: a config evaluated again at a larger resource pays
only for the increment (a checkpoint in real tasks), the same for every method.
Costs are counted in "full evaluations": resource / max_resource.
"""

from __future__ import annotations

import sys
import tempfile
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

import tuneops

from . import _functions as fn

REPO = Path(__file__).resolve().parents[2]

BLACK_BOX = "black-box"
MULTI_FIDELITY = "multi-fidelity"
REAL = "real"
GROUPS = (BLACK_BOX, MULTI_FIDELITY, REAL)


@dataclass(frozen=True)
class Outcome:
    """One evaluation: the observed value, the cost paid and the true value.

    ``true`` is the noiseless value at the largest resource (what the config is
    really worth); real tasks have no such thing and repeat the observed value.
    """

    value: float
    cost: float
    true: float


class Evaluator:
    """Evaluates configs for one run; remembers what each trial already paid."""

    def __init__(self, max_resource: float) -> None:
        self.max_resource = max_resource
        self._done: dict[int, float] = {}

    def __call__(self, key: int, config: Mapping[str, Any], resource: float) -> Outcome:
        """Evaluate trial ``key``'s config at ``resource``."""
        value, true = self._evaluate(key, dict(config), resource)
        done = self._done.get(key, 0.0)
        self._done[key] = max(done, resource)
        cost = max(resource - done, 0.0) / self.max_resource
        return Outcome(value, cost, true)

    def _evaluate(
        self, key: int, config: dict[str, Any], resource: float
    ) -> tuple[float, float]:
        raise NotImplementedError

    def close(self) -> None:
        """Free what the run kept (models, checkpoint folders)."""


class FunctionEvaluator(Evaluator):
    """A synthetic function, noiseless or with N(0, noise²) added per evaluation.

    The noise stream is seeded by the run seed and the task name, so the k-th
    evaluation of every method gets the same draw.
    """

    def __init__(
        self,
        function: Callable[[dict[str, Any], float], float],
        max_resource: float,
        noise: float,
        seed: int,
        name: str,
    ) -> None:
        super().__init__(max_resource)
        self._function = function
        self._noise = noise
        self._rng = np.random.default_rng([seed, zlib.crc32(name.encode())])

    def _evaluate(
        self, key: int, config: dict[str, Any], resource: float
    ) -> tuple[float, float]:
        true = self._function(config, self.max_resource)
        value = (
            true if resource == self.max_resource else self._function(config, resource)
        )
        if self._noise:
            value += self._noise * float(self._rng.standard_normal())
        return value, true


@dataclass(frozen=True)
class Task:
    """One benchmark problem.

    Attributes:
        name: Short id used on the command line and in tables.
        group: `BLACK_BOX`, `MULTI_FIDELITY` or `REAL`.
        space: The search space (Optuna gets the same one, see `_methods`).
        f_star: The known minimum; ``None`` for real tasks (regret is then the
            validation error itself).
        about: One line for the results file.
        make_evaluator: Builds the evaluator of one run from its seed.
        min_resource, max_resource: The resource range; ``None`` without one.
        reduction_factor: η for every Hyperband variant.
        noise: Standard deviation of the added Gaussian noise.
    """

    name: str
    group: str
    space: tuneops.Space
    f_star: float | None
    about: str
    make_evaluator: Callable[[int], Evaluator] = field(repr=False)
    min_resource: int | None = None
    max_resource: int | None = None
    reduction_factor: int = 3
    noise: float = 0.0

    @property
    def has_resource(self) -> bool:
        """Whether multi-fidelity methods apply."""
        return self.max_resource is not None

    def rungs(self) -> list[int]:
        """Resources of Hyperband's rungs: max_resource / η^k down to min_resource."""
        assert self.min_resource is not None and self.max_resource is not None
        levels = [self.max_resource]
        while levels[-1] / self.reduction_factor >= self.min_resource - 1e-9:
            levels.append(round(levels[-1] / self.reduction_factor))
        return sorted(levels)


def _floats(names: str, low: float, high: float) -> dict[str, tuneops.Float]:
    return {n: tuneops.Float(low, high) for n in names.split()}


def _vector(config: Mapping[str, Any], dims: int) -> list[float]:
    return [config[f"x{i}"] for i in range(1, dims + 1)]


def _black_box(
    name: str,
    space: tuneops.Space,
    f_star: float,
    function: Callable[[dict[str, Any]], float],
    about: str,
    noise: float,
) -> Task:
    def make(seed: int) -> Evaluator:
        return FunctionEvaluator(lambda c, r: function(c), 1.0, noise, seed, name)

    return Task(name, BLACK_BOX, space, f_star, about, make, noise=noise)


def _black_box_tasks() -> list[Task]:
    branin_space = tuneops.Space(
        {"x1": tuneops.Float(-5.0, 10.0), "x2": tuneops.Float(0.0, 15.0)}
    )
    mixed_space = tuneops.Space(
        {
            "x1": tuneops.Float(-5.0, 10.0),
            "x2": tuneops.Float(0.0, 15.0),
            "lr": tuneops.Float(1e-5, 1.0, log=True),
            "units": tuneops.Int(1, 64),
            "batch": tuneops.Int(16, 256, step=16),
            "activation": tuneops.Categorical(["relu", "tanh", "sigmoid", "gelu"]),
        }
    )
    c, f = tuneops.Categorical, tuneops.Float
    jenatton_space = tuneops.Space(
        {
            "x1": c([0, 1]),
            "x2": c([0, 1], when={"x1": 0}),
            "x3": c([0, 1], when={"x1": 1}),
            "x4": f(-1.0, 1.0, when={"x2": 0}),
            "x5": f(-1.0, 1.0, when={"x2": 1}),
            "x6": f(-1.0, 1.0, when={"x3": 0}),
            "x7": f(-1.0, 1.0, when={"x3": 1}),
            "r8": f(0.0, 1.0, when={"x1": 0}),
            "r9": f(0.0, 1.0, when={"x1": 1}),
        }
    )
    # (name, space, f*, function, about, noise sd of the noisy variant)
    specs: list[tuple[str, tuneops.Space, float, Any, str, float]] = [
        (
            "branin",
            branin_space,
            fn.BRANIN_F_STAR,
            lambda c: fn.branin(c["x1"], c["x2"]),
            "Branin, 2 floats, f* = 0.397887",
            1.0,
        ),
        (
            "hartmann6",
            tuneops.Space(_floats("x1 x2 x3 x4 x5 x6", 0.0, 1.0)),
            fn.HARTMANN6_F_STAR,
            lambda c: fn.hartmann6(_vector(c, 6)),
            "Hartmann6, 6 floats in [0, 1], f* = -3.32237",
            0.1,
        ),
        (
            "rosenbrock5",
            tuneops.Space(_floats("x1 x2 x3 x4 x5", -5.0, 10.0)),
            fn.ROSENBROCK_F_STAR,
            lambda c: fn.rosenbrock(_vector(c, 5)),
            "Rosenbrock 5-D on [-5, 10]^5, f* = 0",
            10.0,
        ),
        (
            "rosenbrock10",
            tuneops.Space(_floats(" ".join(f"x{i}" for i in range(1, 11)), -5.0, 10.0)),
            fn.ROSENBROCK_F_STAR,
            lambda c: fn.rosenbrock(_vector(c, 10)),
            "Rosenbrock 10-D on [-5, 10]^10, f* = 0",
            10.0,
        ),
        (
            "mixed",
            mixed_space,
            fn.MIXED_F_STAR,
            fn.mixed,
            "2 floats, a log float, an int, a stepped int, a 4-way categorical; f* = 0",
            0.1,
        ),
        (
            "jenatton",
            jenatton_space,
            fn.JENATTON_F_STAR,
            fn.jenatton,
            "Jenatton et al.'s conditional tree, 9 parameters (4 active), f* = 0.1",
            0.1,
        ),
    ]
    tasks = []
    for name, space, f_star, function, about, noise in specs:
        tasks.append(_black_box(name, space, f_star, function, about, 0.0))
        tasks.append(
            _black_box(
                f"{name}-noisy",
                space,
                f_star,
                function,
                f"{about}; N(0, {noise:g}²) noise",
                noise,
            )
        )
    return tasks


def _multi_fidelity(
    name: str,
    space: tuneops.Space,
    f_star: float,
    function: Callable[[dict[str, Any], float], float],
    about: str,
) -> Task:
    def make(seed: int) -> Evaluator:
        return FunctionEvaluator(function, 81.0, 0.0, seed, name)

    return Task(name, MULTI_FIDELITY, space, f_star, about, make, 1, 81)


def _multi_fidelity_tasks() -> list[Task]:
    branin_space = tuneops.Space(
        {"x1": tuneops.Float(-5.0, 10.0), "x2": tuneops.Float(0.0, 15.0)}
    )
    h6_space = tuneops.Space(_floats("x1 x2 x3 x4 x5 x6", 0.0, 1.0))
    return [
        _multi_fidelity(
            "mf-branin",
            branin_space,
            fn.BRANIN_F_STAR,
            lambda c, r: fn.branin(c["x1"], c["x2"], z=r / 81.0),
            "BOCA multi-fidelity Branin, fidelity z = r / 81, r in 1..81",
        ),
        _multi_fidelity(
            "mf-hartmann6",
            h6_space,
            fn.HARTMANN6_F_STAR,
            lambda c, r: fn.hartmann6(_vector(c, 6), z=r / 81.0),
            "BOCA multi-fidelity Hartmann6, fidelity z = r / 81, r in 1..81",
        ),
        _multi_fidelity(
            "lc-hartmann6",
            h6_space,
            fn.HARTMANN6_F_STAR,
            lambda c, r: fn.lc_hartmann6(_vector(c, 6), r, 81.0),
            "Hartmann6 + a bias decaying as r^-0.5 that depends on x1, r in 1..81",
        ),
    ]


class MLPEvaluator(Evaluator):
    """scikit-learn's MLPClassifier on digits; one ``partial_fit`` call per epoch.

    Each trial keeps its model in memory between rungs (a checkpoint), so a
    promoted trial trains only the extra epochs. The value is the validation
    error rate (1 - accuracy) on 40 % of the 1,797 images, held out once with
    a fixed seed.
    """

    def __init__(self, seed: int) -> None:
        super().__init__(27.0)
        self._seed = seed
        self._models: dict[int, tuple[Any, int]] = {}
        self._data = _digits()

    def _evaluate(
        self, key: int, config: dict[str, Any], resource: float
    ) -> tuple[float, float]:
        from sklearn.neural_network import MLPClassifier

        x_train, y_train, x_val, y_val = self._data
        model, epochs = self._models.get(key, (None, 0))
        if model is None:
            model = MLPClassifier(
                hidden_layer_sizes=(config["units"],),
                activation=config["activation"],
                alpha=config["alpha"],
                batch_size=config["batch_size"],
                learning_rate_init=config["learning_rate_init"],
                random_state=_model_seed(self._seed, key),
            )
        target = round(resource)
        while epochs < target:
            model.partial_fit(x_train, y_train, classes=np.arange(10))
            epochs += 1
        self._models[key] = (model, epochs)
        error = float(1.0 - model.score(x_val, y_val))
        return error, error

    def close(self) -> None:
        """Drop the kept models."""
        self._models.clear()


def _digits() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    x, y = load_digits(return_X_y=True)
    x_train, x_val, y_train, y_val = train_test_split(
        x, y, test_size=0.4, random_state=20240601, stratify=y
    )
    scaler = StandardScaler().fit(x_train)
    return scaler.transform(x_train), y_train, scaler.transform(x_val), y_val


def _model_seed(run_seed: int, key: int) -> int:
    # The same for both libraries: derived from the run seed and trial number.
    state = np.random.SeedSequence([run_seed, key]).generate_state(1)
    return int(state[0])


class _BoostingTrial:
    """What ``train_boosting`` needs from a trial, for both libraries."""

    def __init__(
        self, config: dict[str, Any], resource: float, seed: int, folder: Path
    ) -> None:
        self.config = config
        self.resource = resource
        self.seed = seed
        self.checkpoint_dir = folder

    def report(self, value: float, step: int) -> None:
        """Ignored: the adapters report to their library themselves."""


class BoostingEvaluator(Evaluator):
    """``train_boosting`` from the house-prices example: HGB on Ames.

    Each trial has a checkpoint folder; a promoted trial resumes from it and
    fits only the extra iterations (``n_iter_trained`` is what it paid). The
    value is the validation RMSE of log(SalePrice).
    """

    def __init__(self, seed: int) -> None:
        super().__init__(405.0)
        if str(REPO) not in sys.path:
            sys.path.insert(0, str(REPO))
        from examples.house_prices import model

        self._model = model
        self._seed = seed
        self._folder = tempfile.TemporaryDirectory(prefix="hpo-bench-hgb-")
        model.load_splits()  # fail here, not in the first trial, if data is missing

    def __call__(self, key: int, config: Mapping[str, Any], resource: float) -> Outcome:
        """Train (or resume) trial ``key`` up to ``resource`` iterations."""
        folder = Path(self._folder.name) / f"trial_{key:05d}"
        folder.mkdir(exist_ok=True)
        trial = _BoostingTrial(
            dict(config), resource, _model_seed(self._seed, key), folder
        )
        result = self._model.train_boosting(trial, n_threads=1)
        value = float(result["rmse_log"])
        return Outcome(value, result["n_iter_trained"] / self.max_resource, value)

    def close(self) -> None:
        """Delete the checkpoints."""
        self._folder.cleanup()


def _real_tasks() -> list[Task]:
    mlp_space = tuneops.Space(
        {
            "learning_rate_init": tuneops.Float(1e-4, 1e-1, log=True),
            "alpha": tuneops.Float(1e-6, 1e-1, log=True),
            "units": tuneops.Int(16, 256, log=True),
            "batch_size": tuneops.Int(16, 256, log=True),
            "activation": tuneops.Categorical(["relu", "tanh"]),
        }
    )
    hgb_space = tuneops.Space.from_file(REPO / "examples/house_prices/space.yaml")
    return [
        Task(
            "mlp-digits",
            REAL,
            mlp_space,
            None,
            "MLPClassifier on digits (1,078 train / 719 val images), validation "
            "error; resource: epochs 1..27",
            MLPEvaluator,
            1,
            27,
        ),
        Task(
            "hgb-ames",
            REAL,
            hgb_space,
            None,
            "HistGradientBoostingRegressor on Ames (876 train / 292 val houses), "
            "validation RMSE of log price; resource: iterations 15..405",
            BoostingEvaluator,
            15,
            405,
        ),
    ]


def all_tasks() -> dict[str, Task]:
    """Every task by name, in table order."""
    tasks = _black_box_tasks() + _multi_fidelity_tasks() + _real_tasks()
    return {t.name: t for t in tasks}


def get_task(name: str) -> Task:
    """One task by name (tasks hold lambdas, so workers rebuild them by name)."""
    return all_tasks()[name]


def resource_label(task: Task) -> str:
    """The resource range in words, for tables."""
    if not task.has_resource:
        return "none"
    return f"{task.min_resource}..{task.max_resource}, η = {task.reduction_factor}"
