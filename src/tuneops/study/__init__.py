"""Studies and trials: the optimize loop and the ask/tell interface."""

from __future__ import annotations

from tuneops.study._refit import Refit
from tuneops.study._rerun import Rerun
from tuneops.study._study import Callback, Objective, Study, derive_seed
from tuneops.study._trial import Trial

__all__ = ["Callback", "Objective", "Refit", "Rerun", "Study", "Trial", "derive_seed"]
