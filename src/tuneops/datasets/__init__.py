"""Real data sets for examples, tests and benchmarks.

Files are found locally (an explicit path, `$TUNEOPS_DATA_DIR`, the user
cache) or downloaded once from pinned public URLs; see `data_path`.
"""

from __future__ import annotations

from tuneops.datasets._ames import load_ames
from tuneops.datasets._fetch import data_path

__all__ = ["data_path", "load_ames"]
