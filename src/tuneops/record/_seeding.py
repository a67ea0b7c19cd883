"""One call that seeds every random number generator a trial is likely to use."""

from __future__ import annotations

import functools
import importlib.util
import random
import sys

import numpy as np

from tuneops._internal._validation import check_int


def seed_everything(seed: int, *, torch: bool = True) -> None:
    """Seed Python's `random`, numpy's global generator and PyTorch's.

    A trial calls this with its own seed before the objective runs (see
    `tuneops.Study.optimize`), so code that draws from the global generators
    (``random.random()``, ``np.random.rand()``, ``torch.randn``, a model's
    weight initialisation) draws the same numbers when the trial is rerun.
    Generators you create yourself (``np.random.default_rng(trial.seed)``)
    are better still: nothing else can draw from them.

    ``PYTHONHASHSEED`` cannot be changed in a running process; set it before
    Python starts if your code depends on the order of a set of strings.

    Args:
        seed: 0 <= seed < 2**32 (numpy's legacy generator takes no more).
        torch: Also seed PyTorch (CPU and every CUDA device) when it is
            installed. Default true; importing PyTorch takes a second or two
            the first time in a process.
    """
    check_int("seed", seed, low=0, high=2**32 - 1)
    random.seed(seed)
    np.random.seed(seed)
    if torch and _torch_installed():
        _seed_torch(seed)


def _seed_torch(seed: int) -> None:
    import torch

    # `torch.manual_seed` also queues seeding for every accelerator backend
    # (CUDA, XPU, MTIA) and records a stack trace for each when they are not
    # initialised: 0.7 ms per call, more than a trivial trial. The CPU
    # generator and, where present, the CUDA ones are what trials use.
    torch.default_generator.manual_seed(seed)
    if _cuda_available():
        torch.cuda.manual_seed_all(seed)


@functools.cache
def _cuda_available() -> bool:
    # Asked once per process: the answer does not change under a study, and
    # asking costs more than a trivial trial's bookkeeping.
    import torch

    return bool(torch.cuda.is_available())


def _torch_installed() -> bool:
    return "torch" in sys.modules or importlib.util.find_spec("torch") is not None
