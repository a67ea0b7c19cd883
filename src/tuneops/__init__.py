"""tuneops: tune models and run them in production.

The names most users need are here::

    import tuneops

    space = tuneops.Space({"lr": tuneops.Float(1e-4, 1e-1, log=True)})
    study = tuneops.Study.create("demo", space, storage="memory")
    study.optimize(lambda trial: (trial.config["lr"] - 0.01) ** 2, n_trials=20)
"""

from __future__ import annotations

import logging
from importlib.metadata import PackageNotFoundError, version

from tuneops._internal._errors import (
    ConfigError,
    SearchStalledError,
    StorageError,
    StudyExistsError,
    StudyNotFoundError,
    TrialsFailingError,
    TuneopsError,
)
from tuneops.record import seed_everything
from tuneops.schedulers import (
    FIFOScheduler,
    Hyperband,
    Scheduler,
    SuccessiveHalving,
)
from tuneops.searchers import (
    GridSearcher,
    RandomSearcher,
    Searcher,
    SobolSearcher,
    TPESearcher,
)
from tuneops.space import Categorical, Float, Int, Space
from tuneops.storage import TrialRecord, TrialStatus
from tuneops.study import Refit, Rerun, Study, Trial

try:
    __version__ = version("tuneops")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "Categorical",
    "ConfigError",
    "FIFOScheduler",
    "Float",
    "GridSearcher",
    "Hyperband",
    "Int",
    "RandomSearcher",
    "Refit",
    "Rerun",
    "Scheduler",
    "SearchStalledError",
    "Searcher",
    "SobolSearcher",
    "Space",
    "StorageError",
    "Study",
    "StudyExistsError",
    "StudyNotFoundError",
    "SuccessiveHalving",
    "TPESearcher",
    "Trial",
    "TrialRecord",
    "TrialStatus",
    "TrialsFailingError",
    "TuneopsError",
    "__version__",
    "seed_everything",
]
