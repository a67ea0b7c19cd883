"""What trials cost: wall, CPU and GPU time, and an estimate in money."""

from __future__ import annotations

import os
import resource
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tuneops._internal._errors import ConfigError
from tuneops.storage import TrialRecord

# Default prices, in US dollars per hour, for an estimate and not a bill: on
# 2026 on-demand cloud rates a general-purpose vCPU costs about $0.04-0.05 an
# hour and a data-centre GPU (A100 40 GB class) about $2-4. Override them with
# the environment variables below or the options of `tuneops show`.
DEFAULT_CPU_CORE_HOUR = 0.05
DEFAULT_GPU_HOUR = 2.50
CPU_PRICE_VARIABLE = "TUNEOPS_CPU_CORE_HOUR_PRICE"
GPU_PRICE_VARIABLE = "TUNEOPS_GPU_HOUR_PRICE"


@dataclass(frozen=True)
class Prices:
    """Per-hour prices for the cost estimate.

    Attributes:
        cpu_core_hour: Dollars per hour of one core's CPU time (>= 0); default
            ``DEFAULT_CPU_CORE_HOUR`` (0.05), or ``$TUNEOPS_CPU_CORE_HOUR_PRICE``.
        gpu_hour: Dollars per hour of one GPU (>= 0); default
            ``DEFAULT_GPU_HOUR`` (2.50), or ``$TUNEOPS_GPU_HOUR_PRICE``.
    """

    cpu_core_hour: float = DEFAULT_CPU_CORE_HOUR
    gpu_hour: float = DEFAULT_GPU_HOUR

    @classmethod
    def from_env(
        cls,
        cpu_core_hour: float | None = None,
        gpu_hour: float | None = None,
        *,
        names: tuple[str, str] = ("cpu_core_hour", "gpu_hour"),
    ) -> Prices:
        """Prices given here, else from the environment variables, else defaults.

        Args:
            cpu_core_hour: Dollars per CPU core-hour (>= 0), or ``None``.
            gpu_hour: Dollars per GPU-hour (>= 0), or ``None``.
            names: How the caller calls the two, for error messages (the CLI
                passes its option names).
        """
        return cls(
            cpu_core_hour=_price(
                cpu_core_hour, CPU_PRICE_VARIABLE, DEFAULT_CPU_CORE_HOUR, names[0]
            ),
            gpu_hour=_price(gpu_hour, GPU_PRICE_VARIABLE, DEFAULT_GPU_HOUR, names[1]),
        )


@dataclass(frozen=True)
class Cost:
    """Totals over trials: seconds of wall, CPU and GPU time, and dollars.

    Attributes:
        trials: How many trials ran at least once.
        wall_time: Seconds the objective ran, summed over trials and rungs.
        cpu_time: Core-seconds of CPU (this process and its waited-for children).
        gpu_time: GPU-seconds: wall time of evaluations that used a GPU, times
            the GPUs they used.
        dollars: ``cpu_time`` and ``gpu_time`` in hours times their prices.
        prices: The prices used.
        unmeasured: Trials that ran without CPU time being measured (written
            by a tuneops before it measured them, or through ask and tell
            without ``cpu_time``); they count as 0 in ``cpu_time``.
    """

    trials: int
    wall_time: float
    cpu_time: float
    gpu_time: float
    dollars: float
    prices: Prices
    unmeasured: int = 0


def study_cost(trials: Iterable[TrialRecord], prices: Prices | None = None) -> Cost:
    """Sum the recorded times of ``trials`` and price them."""
    prices = prices or Prices.from_env()
    ran = [t for t in trials if t.duration > 0 or t.cpu_time > 0]
    wall = sum(t.duration for t in ran)
    cpu = sum(t.cpu_time for t in ran)
    gpu = sum(t.gpu_time for t in ran)
    dollars = cpu / 3600 * prices.cpu_core_hour + gpu / 3600 * prices.gpu_hour
    unmeasured = sum(1 for t in ran if t.cpu_time == 0 and t.duration > 0)
    return Cost(len(ran), wall, cpu, gpu, dollars, prices, unmeasured)


class Meter:
    """Measures one evaluation's CPU and GPU time; use as a context manager.

    CPU time is this process's user + system time (all its threads) plus that
    of child processes that ended and were waited for during the evaluation
    (e.g. joblib workers). GPU time counts the evaluation's wall time once per
    CUDA device on which PyTorch allocated memory during it.
    """

    def __init__(self) -> None:
        self.cpu_time = 0.0
        self.gpu_time = 0.0
        self._start: tuple[float, float, float] = (0.0, 0.0, 0.0)

    def __enter__(self) -> Meter:
        _reset_gpu_peaks()
        self._start = (time.perf_counter(), time.process_time(), _children_cpu())
        return self

    def __exit__(self, *exc: Any) -> None:
        wall0, cpu0, children0 = self._start
        wall = time.perf_counter() - wall0
        self.cpu_time = (time.process_time() - cpu0) + (_children_cpu() - children0)
        self.gpu_time = wall * _gpus_used()


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _cuda() -> Any:
    # Only a PyTorch the objective imported can have used a GPU; importing it
    # here would cost seconds for nothing.
    torch = sys.modules.get("torch")
    if (
        torch is None
        or not torch.cuda.is_available()
        or not torch.cuda.is_initialized()
    ):
        return None
    return torch.cuda


def _reset_gpu_peaks() -> None:
    cuda = _cuda()
    if cuda is None:
        return
    for device in range(cuda.device_count()):
        cuda.reset_peak_memory_stats(device)


def _gpus_used() -> int:
    cuda = _cuda()
    if cuda is None:
        return 0
    return sum(1 for d in range(cuda.device_count()) if cuda.max_memory_allocated(d))


def _price(given: float | None, variable: str, default: float, name: str) -> float:
    if given is None:
        text = os.environ.get(variable)
        if text is None:
            return default
        try:
            given = float(text)
        except ValueError:
            raise ConfigError(
                f"${variable} must be a price in dollars per hour, like 0.05; "
                f"got {text!r}."
            ) from None
        where = f"${variable}"
    else:
        where = f"`{name}`"
    if not given >= 0:
        raise ConfigError(
            f"{where} must be a number of dollars per hour >= 0; got {given!r}."
        )
    return float(given)
