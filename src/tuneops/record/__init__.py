"""Recording what is needed to reproduce a trial and what it cost.

Environment snapshots (interpreter, OS, hardware, packages, thread settings),
code snapshots (the objective's file hash and the git commit, branch and diff),
seeding of the global generators, per-trial log capture and cost accounting.
`tuneops.Study` uses these for every trial; they are public for use around
your own loops.
"""

from __future__ import annotations

from tuneops.record._code import (
    code_differences,
    code_snapshot,
    decode_diff,
    objective_reference,
)
from tuneops.record._cost import (
    CPU_PRICE_VARIABLE,
    DEFAULT_CPU_CORE_HOUR,
    DEFAULT_GPU_HOUR,
    GPU_PRICE_VARIABLE,
    Cost,
    Meter,
    Prices,
    study_cost,
)
from tuneops.record._environment import (
    ENV_VARIABLES,
    environment_differences,
    environment_snapshot,
    snapshot_digest,
)
from tuneops.record._export_csv import export_csv
from tuneops.record._export_mlflow import MlflowExport, export_mlflow
from tuneops.record._export_tensorboard import export_tensorboard
from tuneops.record._export_xlsx import export_xlsx
from tuneops.record._logs import CaptureOutput, trial_log_path
from tuneops.record._seeding import seed_everything

__all__ = [
    "CPU_PRICE_VARIABLE",
    "DEFAULT_CPU_CORE_HOUR",
    "DEFAULT_GPU_HOUR",
    "ENV_VARIABLES",
    "GPU_PRICE_VARIABLE",
    "CaptureOutput",
    "Cost",
    "Meter",
    "MlflowExport",
    "Prices",
    "code_differences",
    "code_snapshot",
    "decode_diff",
    "environment_differences",
    "environment_snapshot",
    "export_csv",
    "export_mlflow",
    "export_tensorboard",
    "export_xlsx",
    "objective_reference",
    "seed_everything",
    "snapshot_digest",
    "study_cost",
    "trial_log_path",
]
