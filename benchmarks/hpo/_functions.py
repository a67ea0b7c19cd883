"""Test functions with known optima, written from their published definitions.

All are minimised. Sources:

* Branin, Hartmann6, Rosenbrock: S. Surjanovic and D. Bingham, "Virtual Library
  of Simulation Experiments: Test Functions and Datasets",
  https://www.sfu.ca/~ssurjano/optimization.html (Branin from L. C. W. Dixon and
  G. P. Szegő, "Towards Global Optimisation 2", 1978; Hartmann6 from the same
  book; Rosenbrock from H. H. Rosenbrock, The Computer Journal 3(3), 1960).
* Jenatton: R. Jenatton, C. Archambeau, J. González and M. Seeger, "Bayesian
  Optimization with Tree-structured Dependencies", ICML 2017 (a tree of
  conditional parameters; f* = 0.1).
* Multi-fidelity Branin and Hartmann6: K. Kandasamy, G. Dasarathy, J. Schneider
  and B. Póczos, "Multi-fidelity Bayesian Optimisation with Continuous
  Approximations" (BOCA), ICML 2017, with the constants of the authors' own
  implementation (the ``dragonfly`` package, ``demos_synthetic``): the fidelity
  z in [0, 1] perturbs the coefficients, and z = 1 is the original function.

Two functions are constructed for this suite, from the ones above, because no
published function has the parameter kinds tuneops must handle; their optima
hold by construction:

* `mixed`: Branin plus separable terms in a log-scaled float, an integer, a
  stepped integer and a categorical; f* = 0.
* `lc_hartmann6`: a learning-curve model, Hartmann6 plus a bias that decays as
  a power law in the resource and vanishes at the largest resource.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

BRANIN_F_STAR = 5.0 / (4.0 * math.pi)
"""Branin's minimum, 0.397887...: at x1 = π the squared term vanishes and the
cosine term is s·t = 10 / (8π)."""

BRANIN_PUBLISHED = 0.397887
BRANIN_ARGMINS = ((-math.pi, 12.275), (math.pi, 2.275), (9.42478, 2.475))

HARTMANN6_F_STAR = -3.32237
HARTMANN6_ARGMIN = (0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573)
_H6_ALPHA = np.array([1.0, 1.2, 3.0, 3.2])
_H6_A = np.array(
    [
        [10.0, 3.0, 17.0, 3.50, 1.7, 8.0],
        [0.05, 10.0, 17.0, 0.1, 8.0, 14.0],
        [3.0, 3.5, 1.7, 10.0, 17.0, 8.0],
        [17.0, 8.0, 0.05, 10.0, 0.1, 14.0],
    ]
)
_H6_P = 1e-4 * np.array(
    [
        [1312, 1696, 5569, 124, 8283, 5886],
        [2329, 4135, 8307, 3736, 1004, 9991],
        [2348, 1451, 3522, 2883, 3047, 6650],
        [4047, 8828, 8732, 5743, 1091, 381],
    ]
)

ROSENBROCK_F_STAR = 0.0
JENATTON_F_STAR = 0.1
MIXED_F_STAR = 0.0

MIXED_LR_BEST = 1e-3
MIXED_UNITS_BEST = 24
MIXED_BATCH_BEST = 96
MIXED_ACTIVATION_COST = {"relu": 0.5, "tanh": 0.25, "sigmoid": 1.0, "gelu": 0.0}

LC_BIAS_EXPONENT = 0.5
"""Power of the learning-curve bias: bias ∝ resource**-0.5 (the "pow" family of
learning curves in T. Domhan, J. T. Springenberg and F. Hutter, IJCAI 2015)."""


def branin(x1: float, x2: float, z: float = 1.0) -> float:
    """Branin on x1 in [-5, 10], x2 in [0, 15]; three minima of 0.397887.

    With ``z < 1`` it is BOCA's multi-fidelity Branin, one fidelity shared by the
    three perturbed coefficients: b - 0.01 (1 - z), c - 0.1 (1 - z) and
    t + 0.005 (1 - z).
    """
    b = 5.1 / (4.0 * math.pi**2) - 0.01 * (1.0 - z)
    c = 5.0 / math.pi - 0.1 * (1.0 - z)
    t = 1.0 / (8.0 * math.pi) + 0.005 * (1.0 - z)
    return (x2 - b * x1**2 + c * x1 - 6.0) ** 2 + 10.0 * (1.0 - t) * math.cos(x1) + 10.0


def hartmann6(x: Sequence[float], z: float = 1.0) -> float:
    """Hartmann6 on [0, 1]^6; minimum -3.32237.

    With ``z < 1`` it is BOCA's multi-fidelity Hartmann: every α_i is lowered by
    0.1 (1 - z).
    """
    alpha = _H6_ALPHA - 0.1 * (1.0 - z)
    diff = np.asarray(x, dtype=float)[None, :] - _H6_P
    return float(-np.sum(alpha * np.exp(-np.sum(_H6_A * diff**2, axis=1))))


def lc_hartmann6(x: Sequence[float], resource: float, max_resource: float) -> float:
    """Hartmann6 seen through a learning curve that reaches it at max_resource.

    ``f(x) + (1 + 2 x_1) ((r / R)^-0.5 - 1) / (R^0.5 - 1)``: at r = 1 the bias is
    1 + 2 x_1 (between 1 and 3, the size of Hartmann6's range), it decays as
    r^-0.5 and is 0 at r = R. The bias depends on x_1, so the ranking of
    configs at small resources differs from the final one, as with real
    learning curves that cross.
    """
    ratio = (resource / max_resource) ** -LC_BIAS_EXPONENT - 1.0
    scale = max_resource**LC_BIAS_EXPONENT - 1.0
    return hartmann6(x) + (1.0 + 2.0 * float(x[0])) * ratio / scale


def rosenbrock(x: Sequence[float]) -> float:
    """Rosenbrock on [-5, 10]^d; minimum 0 at (1, ..., 1)."""
    v = np.asarray(x, dtype=float)
    return float(np.sum(100.0 * (v[1:] - v[:-1] ** 2) ** 2 + (v[:-1] - 1.0) ** 2))


def jenatton(config: Mapping[str, Any]) -> float:
    """Jenatton et al.'s tree: x1 picks a subtree, x2 / x3 a leaf; minimum 0.1.

    x4..x7 lie in [-1, 1] and r8, r9 in [0, 1]; only the parameters on the
    chosen path are active.
    """
    if config["x1"] == 0:
        if config["x2"] == 0:
            return float(config["x4"] ** 2 + 0.1 + config["r8"])
        return float(config["x5"] ** 2 + 0.2 + config["r8"])
    if config["x3"] == 0:
        return float(config["x6"] ** 2 + 0.3 + config["r9"])
    return float(config["x7"] ** 2 + 0.4 + config["r9"])


def mixed(config: Mapping[str, Any]) -> float:
    """Branin regret plus one term per parameter kind; minimum 0.

    Terms: ``(log10(lr) + 3)^2 / 4`` (0 at lr = 1e-3), ``(units - 24)^2 / 100``,
    ``0.05 ((batch - 96) / 16)^2`` (batch on a step of 16) and a cost per
    activation (0 for gelu).
    """
    value = branin(config["x1"], config["x2"]) - BRANIN_F_STAR
    value += (math.log10(config["lr"]) - math.log10(MIXED_LR_BEST)) ** 2 / 4.0
    value += (config["units"] - MIXED_UNITS_BEST) ** 2 / 100.0
    value += 0.05 * ((config["batch"] - MIXED_BATCH_BEST) / 16.0) ** 2
    return value + MIXED_ACTIVATION_COST[config["activation"]]


@dataclass(frozen=True)
class OptimumCheck:
    """One function evaluated at a published (or constructed) minimiser."""

    function: str
    argmin: str
    value: float
    f_star: float
    tolerance: float

    @property
    def ok(self) -> bool:
        """Whether the value matches f* within the tolerance."""
        return abs(self.value - self.f_star) <= self.tolerance


def optimum_checks() -> list[OptimumCheck]:
    """Evaluate every function at its known minimiser(s).

    The tolerance is half a unit of the last published digit (the argmins are
    published to 5 or 6 digits) and 1e-12 for exact optima.
    """
    checks = [
        OptimumCheck(
            "Branin", f"({x1:.6g}, {x2:.6g})", branin(x1, x2), BRANIN_PUBLISHED, 5e-7
        )
        for x1, x2 in BRANIN_ARGMINS
    ]
    checks.append(
        OptimumCheck(
            "MF Branin, z = 1",
            "(π, 2.275)",
            branin(math.pi, 2.275, z=1.0),
            BRANIN_PUBLISHED,
            5e-7,
        )
    )
    h6 = ", ".join(f"{v:g}" for v in HARTMANN6_ARGMIN)
    checks += [
        OptimumCheck(
            "Hartmann6", f"({h6})", hartmann6(HARTMANN6_ARGMIN), HARTMANN6_F_STAR, 5e-6
        ),
        OptimumCheck(
            "MF Hartmann6, z = 1",
            "as Hartmann6",
            hartmann6(HARTMANN6_ARGMIN, z=1.0),
            HARTMANN6_F_STAR,
            5e-6,
        ),
        OptimumCheck(
            "LC Hartmann6, r = R = 81",
            "as Hartmann6",
            lc_hartmann6(HARTMANN6_ARGMIN, 81.0, 81.0),
            HARTMANN6_F_STAR,
            5e-6,
        ),
    ]
    for dims in (5, 10):
        checks.append(
            OptimumCheck(
                f"Rosenbrock {dims}-D",
                "(1, ..., 1)",
                rosenbrock([1.0] * dims),
                ROSENBROCK_F_STAR,
                1e-12,
            )
        )
    checks.append(
        OptimumCheck(
            "Jenatton",
            "x1=0, x2=0, x4=0, r8=0",
            jenatton({"x1": 0, "x2": 0, "x4": 0.0, "r8": 0.0}),
            JENATTON_F_STAR,
            1e-12,
        )
    )
    checks.append(
        OptimumCheck(
            "Mixed",
            "x=(π, 2.275), lr=1e-3, units=24, batch=96, gelu",
            mixed(MIXED_ARGMIN),
            MIXED_F_STAR,
            1e-12,
        )
    )
    return checks


MIXED_ARGMIN: dict[str, Any] = {
    "x1": math.pi,
    "x2": 2.275,
    "lr": MIXED_LR_BEST,
    "units": MIXED_UNITS_BEST,
    "batch": MIXED_BATCH_BEST,
    "activation": "gelu",
}
