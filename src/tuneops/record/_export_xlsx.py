"""A study as an Excel workbook: trials, intermediate values, environment, settings."""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from tuneops.record._export_common import (
    export_cell,
    flatten,
    json_text,
    require,
    trials_table,
)

if TYPE_CHECKING:
    from tuneops.study import Study

SHEETS = ("trials", "intermediate values", "environment", "settings")

# Excel cells hold at most this many characters; longer text makes Excel
# "repair" (empty) the cell on opening.
MAX_CELL_CHARACTERS = 32_767
_CUT_MARK = " [cut]"
# Excel numbers are doubles: integers beyond 2**53 (63-bit seeds) would be
# rounded, so they are written as text.
_MAX_EXACT_INTEGER = 2**53
_TIME_SUFFIX = " (UTC)"
NOTES = (
    "Times are UTC, without a time zone (Excel cannot hold one), to the millisecond.",
    "An empty cell means no value (an inactive parameter, a failed trial); NaN "
    "and infinite values are the text nan, inf and -inf.",
    "Integers beyond 2**53 (seeds) are text, as Excel would round them.",
)


def export_xlsx(study: Study, path: str | os.PathLike[str]) -> Path:
    """Write a study to an Excel workbook (.xlsx), replacing the file.

    The sheets are ``trials`` (one row per trial: the columns of
    `tuneops.Study.dataframe`, configs and metrics included), ``intermediate
    values`` (trial, rung, resource, step and value of every `Trial.report`),
    ``environment`` (one row per field of the environment snapshots, packages
    as ``packages.<name>``, one column per snapshot digest) and ``settings``
    (name, metric, direction, seed, searcher, scheduler, space as JSON, and the
    code snapshots without their diffs).

    Excel has no time zones, NaN or infinity: times are naive UTC (the column
    names say ``(UTC)``), NaN and ±inf are the text ``nan``, ``inf`` and
    ``-inf``, and an empty cell is a missing value. Lists and dicts are JSON
    text, integers beyond 2**53 are text, text that starts with ``=`` stays
    text (never a formula), control characters Excel rejects are written as
    ``\\xNN`` and cells are cut at 32,767 characters.

    Args:
        study: The study to export.
        path: The workbook to write.

    Returns:
        The path written.

    Raises:
        ConfigError: openpyxl is not installed.
    """
    openpyxl = require("openpyxl", "xlsx", "openpyxl", "xlsx")
    book = openpyxl.Workbook(write_only=True)
    trials = trials_table(study)
    _write_sheet(book, "trials", *_trials_rows(trials))
    _write_sheet(book, "intermediate values", *_intermediate_rows(study))
    _write_sheet(book, "environment", *_environment_rows(study))
    _write_sheet(book, "settings", ["key", "value"], _settings_rows(study))
    target = Path(path)
    book.save(target)
    return target


def _trials_rows(frame: pd.DataFrame) -> tuple[list[str], list[list[Any]]]:
    header = []
    for column in frame.columns:
        timed = isinstance(frame[column].dtype, pd.DatetimeTZDtype)
        header.append(f"{column}{_TIME_SUFFIX}" if timed else str(column))
    rows = []
    for record in frame.itertuples(index=False, name=None):
        rows.append([_missing_to_none(v) for v in record])
    return header, rows


def _missing_to_none(value: Any) -> Any:
    # The frame's own NaN and NaT mean "no value" (a failed trial's value, a
    # running trial's end); recorded NaN metrics are already the text "nan".
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return _naive_utc(value.to_pydatetime(warn=False))
    return value


def _intermediate_rows(study: Study) -> tuple[list[str], list[list[Any]]]:
    header = ["trial", "rung", "resource", "step", "value"]
    rows = []
    for trial in study.trials:
        resources = {e.rung: e.resource for e in trial.evaluations}
        if trial.rung not in resources:
            resources[trial.rung] = trial.resource
        for rung, step, value in study.intermediate_values(trial.number):
            rows.append([trial.number, rung, resources.get(rung), step, value])
    return header, rows


def _environment_rows(study: Study) -> tuple[list[str], list[list[Any]]]:
    snapshots = study.environments
    flat = {digest: flatten(snapshot) for digest, snapshot in snapshots.items()}
    keys: dict[str, None] = {}
    for fields in flat.values():
        for key in fields:
            keys.setdefault(key)
    header = ["key", *snapshots]
    rows = []
    for key in keys:
        values = [fields.get(key) for fields in flat.values()]
        if key == "taken_at":
            rows.append([f"{key}{_TIME_SUFFIX}", *map(_unix_time, values)])
        else:
            rows.append([key, *values])
    return header, rows


def _settings_rows(study: Study) -> list[list[Any]]:
    record = study.record
    rows: list[list[Any]] = [
        ["name", record.name],
        ["metric", record.metric],
        ["direction", record.direction],
        ["seed", record.seed],
        ["searcher", json_text(dict(record.searcher))],
        ["scheduler", json_text(dict(record.scheduler))],
        ["space", json_text(dict(record.space))],
        [f"created_at{_TIME_SUFFIX}", _unix_time(record.created_at)],
        ["artifacts_dir", record.artifacts_dir],
        ["trials", len(study.trials)],
    ]
    for digest, snapshot in study.code_snapshots.items():
        fields = flatten(_without_diff(snapshot))
        rows.extend([f"code.{digest}.{key}", value] for key, value in fields.items())
    rows.extend([f"note {i}", note] for i, note in enumerate(NOTES, start=1))
    return rows


def _without_diff(snapshot: dict[str, Any]) -> dict[str, Any]:
    git = snapshot.get("git")
    if not isinstance(git, dict):
        return snapshot
    return {**snapshot, "git": {k: v for k, v in git.items() if k != "diff"}}


def _unix_time(value: Any) -> Any:
    if value is None or isinstance(value, bool) or not isinstance(value, int | float):
        return value
    return _naive_utc(dt.datetime.fromtimestamp(value, dt.UTC))


def _naive_utc(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment


def _write_sheet(
    book: Any, title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    from openpyxl.cell import WriteOnlyCell

    sheet = book.create_sheet(title)
    sheet.freeze_panes = "B2"
    sheet.append([_cell(sheet, WriteOnlyCell, name) for name in header])
    for row in rows:
        sheet.append([_cell(sheet, WriteOnlyCell, value) for value in row])


def _cell(sheet: Any, cell_type: Any, value: Any) -> Any:
    value = export_cell(value)  # NaN, inf, lists and dicts become text
    if isinstance(value, int) and not isinstance(value, bool):
        if abs(value) > _MAX_EXACT_INTEGER:
            value = str(value)
    elif value is not None and not isinstance(value, str | bool | float | dt.datetime):
        value = str(value)
    if not isinstance(value, str):
        return cell_type(sheet, value=value)
    cell = cell_type(sheet, value=_excel_text(value))
    # openpyxl makes any text that starts with "=" a formula; a parameter
    # value such as "=1+1" must stay the text it was.
    cell.data_type = "s"
    return cell


def _excel_text(text: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    text = ILLEGAL_CHARACTERS_RE.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    if len(text) > MAX_CELL_CHARACTERS:
        text = text[: MAX_CELL_CHARACTERS - len(_CUT_MARK)] + _CUT_MARK
    return text
