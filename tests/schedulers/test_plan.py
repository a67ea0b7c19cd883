"""Hyperband and successive-halving plans against hand-computed tables."""

from __future__ import annotations

import math

import pytest

from tuneops import ConfigError, Hyperband, SuccessiveHalving


def _table(scheduler):
    return [[(r.n_configs, r.resource) for r in b.rungs] for b in scheduler.brackets()]


def test_hyperband_81_3_is_the_papers_table():
    # Li et al. (2018), Table 1 / Algorithm 1 with R = 81, η = 3.
    assert _table(Hyperband(1, 81, 3)) == [
        [(81, 1), (27, 3), (9, 9), (3, 27), (1, 81)],
        [(34, 3), (11, 9), (3, 27), (1, 81)],
        [(15, 9), (5, 27), (1, 81)],
        [(8, 27), (2, 81)],
        [(5, 81)],
    ]
    assert [b.index for b in Hyperband(1, 81, 3).brackets()] == [4, 3, 2, 1, 0]


def test_hyperband_27_3():
    # s_max = 3, B = 4·27: n = ⌈4·3^s/(s+1)⌉ = 27, 12, 6, 4 by hand.
    assert _table(Hyperband(1, 27, 3)) == [
        [(27, 1), (9, 3), (3, 9), (1, 27)],
        [(12, 3), (4, 9), (1, 27)],
        [(6, 9), (2, 27)],
        [(4, 27)],
    ]


def test_hyperband_16_2():
    # s_max = 4: n = ⌈5·2^s/(s+1)⌉ = 16, 10, 7 (6.67), 5, 5.
    assert _table(Hyperband(1, 16, 2)) == [
        [(16, 1), (8, 2), (4, 4), (2, 8), (1, 16)],
        [(10, 2), (5, 4), (2, 8), (1, 16)],
        [(7, 4), (3, 8), (1, 16)],
        [(5, 8), (2, 16)],
        [(5, 16)],
    ]


def test_hyperband_243_3_needs_exact_logarithms():
    # A float log puts log_3(243) just under 5 and loses the top bracket.
    assert math.floor(math.log(243, 3)) == 4
    table = _table(Hyperband(1, 243, 3))
    assert len(table) == 6
    assert table[0] == [(243, 1), (81, 3), (27, 9), (9, 27), (3, 81), (1, 243)]
    # s = 4: n = ⌈6·81/5⌉ = 98, then ⌊98/3^i⌋ = 32, 10, 3, 1.
    assert table[1] == [(98, 3), (32, 9), (10, 27), (3, 81), (1, 243)]
    assert table[2] == [(41, 9), (13, 27), (4, 81), (1, 243)]
    assert table[3] == [(18, 27), (6, 81), (2, 243)]
    assert table[4] == [(9, 81), (3, 243)]
    assert table[5] == [(6, 243)]


def test_integer_resources_round_to_nearest_when_not_a_power():
    # R = 100 is not a power of 3: resources are 100/3^k rounded, configs as R = 81.
    table = _table(Hyperband(1, 100, 3))
    assert table[0] == [(81, 1), (27, 4), (9, 11), (3, 33), (1, 100)]
    assert [b[0][0] for b in table] == [81, 34, 15, 8, 5]


def test_fractional_resources_are_exact_fractions():
    table = _table(Hyperband(1 / 9, 1.0, 3))
    assert table == [
        [(9, 1 / 9), (3, 1 / 3), (1, 1.0)],
        [(5, 1 / 3), (1, 1.0)],
        [(3, 1.0)],
    ]
    assert all(isinstance(r, float) for b in table for _, r in b)
    # 0.04 is not a power of 1/3: the first rung is the smallest max/3^k >= 0.04.
    assert _table(Hyperband(0.04, 1.0, 3))[0] == [(9, 1 / 9), (3, 1 / 3), (1, 1.0)]


def test_successive_halving_plan_and_n_configs():
    assert _table(SuccessiveHalving(1, 27, 3)) == [[(27, 1), (9, 3), (3, 9), (1, 27)]]
    assert _table(SuccessiveHalving(1, 27, 3, n_configs=40)) == [
        [(40, 1), (13, 3), (4, 9), (1, 27)]
    ]
    with pytest.raises(ConfigError, match="`n_configs` must be >= 27"):
        SuccessiveHalving(1, 27, 3, n_configs=20)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"min_resource": 0}, "`min_resource` must be > 0; got 0."),
        ({"min_resource": 10, "max_resource": 20}, "at least reduction_factor=3"),
        ({"reduction_factor": 1}, "`reduction_factor` must be >= 2"),
        ({"reduction_factor": 2.5}, "`reduction_factor` must be an integer"),
        ({"max_resource": float("nan")}, "`max_resource` must be a finite number"),
    ],
)
def test_bad_plans_are_refused(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        Hyperband(**kwargs)


@pytest.mark.parametrize(
    ("eta", "ratio"),
    [
        (e, r)
        for e in (2, 3, 4, 5)
        for r in (4, 9, 10, 64, 81, 100, 500, 1000)
        if r >= e
    ],
)
def test_plan_properties(eta, ratio):
    plan = Hyperband(1, ratio, eta).brackets()
    s_max = max(s for s in range(20) if eta**s <= ratio)
    assert [b.index for b in plan] == list(range(s_max, -1, -1))
    for bracket in plan:
        s = bracket.index
        n = -(-((s_max + 1) * eta**s) // (s + 1))
        assert [r.n_configs for r in bracket.rungs] == [
            n // eta**i for i in range(s + 1)
        ]
        assert bracket.rungs[-1].resource == ratio
        assert all(r.n_configs >= 1 for r in bracket.rungs)
        resources = [r.resource for r in bracket.rungs]
        assert resources == sorted(resources) and resources[0] >= 1
