"""TPE: its densities, its search, and BOHB (TPE inside Hyperband)."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from scipy import integrate

from tuneops import (
    Categorical,
    ConfigError,
    Float,
    Hyperband,
    Int,
    Space,
    Study,
    TPESearcher,
    TrialStatus,
)
from tuneops.searchers._tpe import (
    _coordinate_ascent,
    _Kinds,
    _neighbour_widths,
    _Parzen,
)
from tuneops.storage import Evaluation, TrialRecord

QUADRATIC = Space({f"x{i}": Float(-5.0, 5.0) for i in range(4)})
OPTIMUM = np.array([1.0, -2.0, 0.5, 3.0])


def _quadratic(trial):
    x = np.array([trial.config[f"x{i}"] for i in range(4)])
    return float(np.sum((x - OPTIMUM) ** 2))


def _best(searcher, seed: int, n_trials: int = 60) -> float:
    study = Study.create("q", QUADRATIC, searcher=searcher, seed=seed, storage="memory")
    study.optimize(_quadratic, n_trials=n_trials)
    return study.best_value


def test_tpe_beats_random_on_a_quadratic_on_most_seeds():
    tpe = [_best("tpe", seed) for seed in range(10)]
    rnd = [_best("random", seed) for seed in range(10)]

    wins = sum(t < r for t, r in zip(tpe, rnd, strict=True))
    assert wins >= 8, (tpe, rnd)
    # Random search's expected best of 60 draws on this bowl is far from 0; the
    # model must get much closer, not just a little.
    assert np.median(tpe) < 0.5 * np.median(rnd)


def test_same_seed_same_configs_and_a_different_seed_differs():
    def configs(seed):
        study = Study.create(
            "d", QUADRATIC, searcher="tpe", seed=seed, storage="memory"
        )
        study.optimize(_quadratic, n_trials=25)
        return [t.config for t in study.trials]

    assert configs(3) == configs(3)
    assert configs(3)[15:] != configs(4)[15:]


def test_reopened_study_proposes_what_the_uninterrupted_one_did(tmp_path):
    url = f"sqlite:///{tmp_path / 'tpe.db'}"
    whole = Study.create("w", QUADRATIC, searcher="tpe", seed=5, storage="memory")
    whole.optimize(_quadratic, n_trials=30)

    first = Study.create("w", QUADRATIC, searcher="tpe", seed=5, storage=url)
    first.optimize(_quadratic, n_trials=18)
    again = Study.load("w", url)
    again.optimize(_quadratic, n_trials=12)

    assert [t.config for t in again.trials] == [t.config for t in whole.trials]


def test_startup_points_come_from_sobol_then_the_model_takes_over():
    searcher = TPESearcher(n_startup=6)
    study = Study.create("s", QUADRATIC, searcher=searcher, seed=1, storage="memory")
    study.optimize(_quadratic, n_trials=5)
    assert searcher.model_resource is None
    study.optimize(_quadratic, n_trials=1)
    assert searcher.model_resource == 0.0

    sobol = Study.create("s", QUADRATIC, searcher="sobol", seed=1, storage="memory")
    sobol.optimize(_quadratic, n_trials=6)
    assert [t.config for t in study.trials] == [t.config for t in sobol.trials]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"gamma": 0.0}, "gamma"),
        ({"gamma": 1.5}, "gamma"),
        ({"n_candidates": 0}, "n_candidates"),
        ({"n_startup": 1}, "n_startup"),
        ({"random_fraction": -0.1}, "random_fraction"),
        ({"bandwidth_factor": 0.5}, "bandwidth_factor"),
        ({"min_bandwidth": 0.0}, "min_bandwidth"),
        ({"max_bad": 0}, "max_bad"),
    ],
)
def test_bad_settings_are_refused_with_their_name(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        TPESearcher(**kwargs)


def test_spec_round_trips_non_default_settings():
    searcher = TPESearcher(seed=4, gamma=0.2, n_candidates=10)
    assert searcher.to_dict() == {
        "type": "tpe",
        "seed": 4,
        "gamma": 0.2,
        "n_candidates": 10,
    }
    study = Study.create("r", QUADRATIC, searcher=searcher.to_dict(), storage="memory")
    assert study.searcher.to_dict() == searcher.to_dict()


# -- the densities --------------------------------------------------------------


def _parzen(space: Space, centers: list[list[float]]) -> _Parzen:
    return _Parzen(np.array(centers, dtype=float), _Kinds.of(space), 1.0, 1e-3)


def test_continuous_density_integrates_to_one_over_the_unit_square():
    space = Space({"a": Float(0.0, 1.0), "b": Float(1e-3, 1.0, log=True)})
    parzen = _parzen(space, [[0.05, 0.9], [0.3, 0.2], [0.98, 0.6], [0.5, 0.5]])

    def pdf(b, a):
        return float(np.exp(parzen.log_pdf(np.array([[a, b]])))[0])

    total, _ = integrate.dblquad(pdf, 0.0, 1.0, 0.0, 1.0, epsabs=1e-7)
    assert total == pytest.approx(1.0, abs=1e-5)


@pytest.mark.parametrize(
    "param",
    [Int(1, 7), Categorical(["a", "b", "c", "d", "e"]), Float(0.0, 1.0, step=0.25)],
)
@pytest.mark.parametrize("units", [(0.0, 0.99, 0.4), (0.0, 0.01, 0.02)])
def test_discrete_density_puts_unit_mass_on_its_values(param, units):
    space = Space({"p": param})
    parzen = _parzen(space, [[param.to_unit(param.from_unit(u))] for u in units])
    k = param.unit_bins
    centres = (np.arange(k) + 0.5) / k

    # A density with respect to the uniform measure: each value's mass is its
    # density over k, and the masses sum to 1.
    masses = np.exp(parzen.log_pdf(centres[:, None])) / k
    assert masses.sum() == pytest.approx(1.0, abs=1e-9)


@pytest.mark.parametrize("param", [Int(1, 7), Float(0.0, 1.0, step=0.25)])
def test_ordinal_mass_falls_with_distance_from_the_observations(param):
    space = Space({"p": param})
    low = param.to_unit(param.low)
    parzen = _parzen(space, [[low], [low], [low]])
    k = param.unit_bins
    masses = np.exp(parzen.log_pdf(((np.arange(k) + 0.5) / k)[:, None]))

    assert np.all(np.diff(masses) < 0)


def test_categorical_mass_favours_observed_choices_and_nothing_else():
    param = Categorical(["a", "b", "c", "d", "e"])
    parzen = _parzen(Space({"p": param}), [[param.to_unit(v)] for v in "bbd"])
    density = np.exp(parzen.log_pdf(np.c_[[0.1, 0.3, 0.5, 0.7, 0.9]]))
    masses = dict(zip("abcde", density, strict=True))

    assert masses["b"] > masses["d"] > masses["a"]
    assert masses["a"] == pytest.approx(masses["c"]) == pytest.approx(masses["e"])


def test_inactive_dimension_contributes_the_uniform_density():
    space = Space({"a": Float(0.0, 1.0), "b": Float(0.0, 1.0)})
    with_b = _parzen(space, [[0.2, 0.7]])
    without_b = _parzen(space, [[0.2, np.nan]])
    one_d = _parzen(Space({"a": Float(0.0, 1.0)}), [[0.2]])
    grid = np.linspace(0.0, 1.0, 11)
    points = np.column_stack([grid, np.full_like(grid, 0.7)])

    assert np.allclose(without_b.log_pdf(points), one_d.log_pdf(grid[:, None]))
    missing = np.column_stack([grid, np.full_like(grid, np.nan)])
    assert np.allclose(with_b.log_pdf(missing), one_d.log_pdf(grid[:, None]))


def test_kernel_widths_are_the_larger_gap_to_a_neighbour_floored_by_the_clip():
    centers = np.array([[0.10], [0.20], [0.50], [np.nan], [0.90]])
    sigma = _neighbour_widths(centers, 1e-3)

    # Sorted 0.1, 0.2, 0.5, 0.9: the outer two take their one inner gap; the
    # inactive row keeps the unit width; the clip is 1 / (4 active + 2).
    assert sigma[:, 0] == pytest.approx([1 / 6, 0.3, 0.4, 1.0, 0.4])
    crowded = _neighbour_widths(np.array([[0.5], [0.501], [0.502]]), 1e-3)
    assert crowded[:, 0] == pytest.approx([0.2] * 3)


def test_coordinate_ascent_only_raises_the_density_ratio():
    space = Space({f"x{i}": Float(0.0, 1.0) for i in range(3)})
    rng = np.random.default_rng(0)
    good = _parzen(space, rng.uniform(0.2, 0.4, size=(8, 3)).tolist())
    bad = _parzen(space, rng.random((40, 3)).tolist())
    x = np.array([0.9, 0.5, 0.1])
    before = float(good.log_pdf(x[None])[0] - bad.log_pdf(x[None])[0])

    moved = _coordinate_ascent(x, before, np.arange(3), good, bad, rng, 12)

    after = float(good.log_pdf(x[None])[0] - bad.log_pdf(x[None])[0])
    assert moved and after > before + 1.0
    assert np.all((x >= 0.0) & (x <= 1.0))


def test_a_branch_without_good_children_keeps_being_explored():
    # Branch "b" is better, but its child only pays off once tuned; a searcher
    # that compares branches on the joint ratio stays on "a" for good.
    space = Space(
        {
            "arm": Categorical(["a", "b"]),
            "u": Float(0.0, 1.0, when={"arm": "a"}),
            "v": Float(0.0, 1.0, when={"arm": "b"}),
        }
    )

    def loss(trial):
        if trial.config["arm"] == "a":
            return 0.5 + (trial.config["u"] - 0.5) ** 2
        return 8.0 * abs(trial.config["v"] - 0.7)

    found = 0
    for seed in range(5):
        study = Study.create("c", space, searcher="tpe", seed=seed, storage="memory")
        study.optimize(loss, n_trials=60)
        found += study.best_value < 0.4
    assert found >= 4


def test_categorical_draws_follow_the_aitchison_aitken_kernel():
    space = Space({"c": Categorical(["a", "b", "c", "d"])})
    param = space["c"]
    parzen = _Parzen(np.array([[param.to_unit("b")]]), _Kinds.of(space), 0.0, 1e-3)
    draws = parzen.sample(np.random.default_rng(0), 40_000, 1.0)
    counts = Counter(param.from_unit(float(u)) for u in draws[:, 0])

    keep = (1 + 1 / 4) / 2
    assert counts["b"] / 40_000 == pytest.approx(keep, abs=0.01)
    for other in "acd":
        assert counts[other] / 40_000 == pytest.approx((1 - keep) / 3, abs=0.01)


# -- BOHB: TPE inside Hyperband --------------------------------------------------


def _curve(trial):
    x = trial.config["x"]
    return (x - 0.3) ** 2 + 1.0 / trial.resource


def _layout(study):
    return Counter(
        (t.bracket, e.rung, e.resource) for t in study.trials for e in t.evaluations
    )


def test_bohb_runs_exactly_the_hyperband_plan():
    space = Space({"x": Float(-1.0, 1.0), "k": Int(1, 4)})
    runs = {}
    for name in ("tpe", "random"):
        study = Study.create(
            name,
            space,
            searcher=name,
            scheduler=Hyperband(1, 27, 3),
            seed=2,
            storage="memory",
        )
        study.optimize(_curve, n_trials=2 * 49)
        runs[name] = study

    assert _layout(runs["tpe"]) == _layout(runs["random"])
    plan = Hyperband(1, 27, 3).brackets()
    for bracket_id in range(2 * len(plan)):
        for rung, planned in enumerate(plan[bracket_id % len(plan)].rungs):
            ran = _layout(runs["tpe"])[(bracket_id, rung, planned.resource)]
            assert ran == planned.n_configs


def _record(number: int, x: float, evaluations: list[tuple[int, float, float]]):
    return TrialRecord(
        number=number,
        status=TrialStatus.PAUSED,
        config={"x": x},
        seed=0,
        evaluations=tuple(
            Evaluation(rung, resource, value, {}, 0.0, 1.0)
            for rung, resource, value in evaluations
        ),
    )


def test_bohb_models_the_highest_resource_with_enough_observations():
    searcher = TPESearcher(n_startup=3)
    searcher.bind(Space({"x": Float(0.0, 1.0)}), "minimize", 0)
    for n in range(5):
        searcher.observe(_record(n, n / 5, [(0, 1, float(n))]))
    assert searcher.model_resource == 1.0

    searcher.observe(_record(0, 0.0, [(0, 1, 0.0), (1, 3, 0.5)]))
    searcher.observe(_record(1, 0.2, [(0, 1, 1.0), (1, 3, 0.7)]))
    assert searcher.model_resource == 1.0
    searcher.observe(_record(2, 0.4, [(0, 1, 2.0), (1, 3, 0.9)]))
    assert searcher.model_resource == 3.0


def test_bohb_proposals_concentrate_where_the_top_rung_is_good():
    # At the top rung x near 0.8 is good, far from the bottom rung's best:
    # the model must follow the top rung once it has enough observations.
    searcher = TPESearcher(n_startup=5, seed=0)
    searcher.bind(Space({"x": Float(0.0, 1.0)}), "minimize", 0)
    grid = np.linspace(0.0, 1.0, 40)
    for n, x in enumerate(grid):
        low = [(0, 1, float(x))]
        high = [(1, 9, float(abs(x - 0.8)))] if n % 2 == 0 else []
        searcher.observe(_record(n, float(x), low + high))
    assert searcher.model_resource == 9.0

    # A model of the bottom rung would propose x near 0, where it is best.
    proposals = np.array([searcher.suggest(100 + i)["x"] for i in range(40)])
    assert np.mean(proposals > 0.5) >= 0.9


def test_ranked_split_orders_trials_by_resource_reached_then_loss():
    rng = np.random.default_rng(7)
    searcher = TPESearcher(n_startup=3)
    searcher.bind(Space({"x": Float(0.0, 1.0)}), "minimize", 0)
    expected = []
    for n in range(30):
        x, rungs = float(rng.random()), int(rng.integers(1, 4))
        evaluations = [(r, 3**r, float(rng.normal())) for r in range(rungs)]
        searcher.observe(_record(n, x, evaluations))
        _, top, loss = evaluations[-1]
        expected.append((-top, loss, x))

    ranked = searcher._model_level()
    assert ranked.n == 30
    assert list(ranked.x[:30, 0]) == [x for *_, x in sorted(expected)]


def test_level_fidelity_models_one_level_only():
    searcher = TPESearcher(n_startup=3, fidelity="level")
    searcher.bind(Space({"x": Float(0.0, 1.0)}), "minimize", 0)
    for n in range(6):
        rungs = [(0, 1, float(n))] + ([(1, 3, float(-n))] if n < 3 else [])
        searcher.observe(_record(n, n / 10, rungs))

    level = searcher._model_level()
    assert searcher.model_resource == 3.0
    assert sorted(level.x[: level.n, 0]) == [0.0, 0.1, 0.2]
    with pytest.raises(ConfigError, match="fidelity"):
        TPESearcher(fidelity="highest")
