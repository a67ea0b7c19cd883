"""Bracket plans of successive halving and Hyperband, in exact arithmetic.

Symbols of Li et al. (JMLR 18(185), 2018), Algorithm 1, and their names here:

- ``R``: ``max_resource / min_resource``, the largest resource in units of the
  smallest one;
- ``η``: ``reduction_factor``;
- ``s_max = ⌊log_η R⌋``: the index of the most exploratory bracket, computed as
  the largest ``s`` with ``η**s <= R`` (integers and fractions only, never a float
  logarithm, which misplaces exact powers such as ``log_3 243``);
- ``n = ⌈(s_max + 1) η**s / (s + 1)⌉``: configs in bracket ``s``;
- ``r_i = R η**(i - s)``: the resource at rung ``i`` of bracket ``s`` (times
  ``min_resource``, i.e. ``max_resource / η**(s - i)``);
- ``n_i = ⌊n η**(-i)⌋``: configs evaluated at rung ``i``.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from numbers import Integral

from tuneops._internal._validation import check_int, check_real, fail

# Float resources (fractions of a data set, say) are read as the simplest ratio
# within this denominator, so 1/27 typed as 0.037037... means exactly 1/27.
_MAX_DENOMINATOR = 10**6


@dataclass(frozen=True)
class Rung:
    """One rung of a bracket: how many configs run, and with what resource."""

    n_configs: int
    resource: int | float


@dataclass(frozen=True)
class Bracket:
    """One successive-halving run inside a plan.

    Attributes:
        index: ``s`` in Li et al.: the number of halvings after the first rung.
        rungs: The rungs from the cheapest to ``max_resource``.
    """

    index: int
    rungs: tuple[Rung, ...]

    @property
    def n_configs(self) -> int:
        """New configs the bracket starts with."""
        return self.rungs[0].n_configs

    @property
    def total_resource(self) -> float:
        """Resource spent on the bracket when every trial trains from scratch."""
        return float(sum(r.n_configs * r.resource for r in self.rungs))

    def __str__(self) -> str:
        steps = ", ".join(f"{r.n_configs}×{_fmt(r.resource)}" for r in self.rungs)
        return f"bracket s={self.index}: {steps}"


class ResourceGrid:
    """Exact resource arithmetic shared by the bracket schedulers.

    Args:
        min_resource: Smallest resource a trial may get; > 0.
        max_resource: Largest resource; > min_resource. When both are integers,
            every planned resource is rounded to the nearest integer.
        reduction_factor: η, an integer >= 2; ``max_resource / min_resource``
            must be at least η.
    """

    def __init__(
        self,
        min_resource: int | float,
        max_resource: int | float,
        reduction_factor: int,
    ) -> None:
        check_real("min_resource", min_resource, low=0, low_open=True)
        check_real("max_resource", max_resource, low=0, low_open=True)
        self.eta = check_int("reduction_factor", reduction_factor, low=2)
        self.min_resource = min_resource
        self.max_resource = max_resource
        self.integral = isinstance(min_resource, Integral) and isinstance(
            max_resource, Integral
        )
        self._max = _exact(max_resource)
        ratio = self._max / _exact(min_resource)
        if ratio < self.eta:
            raise fail(
                "max_resource / min_resource",
                f"at least reduction_factor={self.eta}",
                float(ratio),
                "Lower min_resource or raise max_resource, or nothing can be halved.",
            )
        self.s_max = _floor_log(ratio, self.eta)

    def resource(self, halvings_left: int) -> int | float:
        """The resource ``max_resource / η**halvings_left`` in the user's type."""
        exact = self._max / self.eta**halvings_left
        if self.integral:
            return int(exact + Fraction(1, 2))
        return float(exact)

    def bracket(self, s: int, n_configs: int) -> Bracket:
        """Bracket ``s`` starting with ``n_configs`` configs: ``n_i = ⌊n / η**i⌋``."""
        rungs = tuple(
            Rung(n_configs // self.eta**i, self.resource(s - i)) for i in range(s + 1)
        )
        return Bracket(s, rungs)

    def hyperband_n(self, s: int) -> int:
        """``⌈(s_max + 1) η**s / (s + 1)⌉`` in integer arithmetic."""
        return -(-((self.s_max + 1) * self.eta**s) // (s + 1))


def _exact(value: int | float) -> Fraction:
    if isinstance(value, Integral):
        return Fraction(int(value))
    return Fraction(value).limit_denominator(_MAX_DENOMINATOR)


def _floor_log(ratio: Fraction, eta: int) -> int:
    s = 0
    while eta ** (s + 1) <= ratio:
        s += 1
    return s


def _fmt(resource: int | float) -> str:
    return f"{resource:g}" if isinstance(resource, float) else str(resource)
