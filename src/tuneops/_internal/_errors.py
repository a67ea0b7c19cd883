"""The exception tree: one root, so callers can catch everything tuneops raises."""

from __future__ import annotations


class TuneopsError(Exception):
    """Root of every error tuneops raises on purpose."""


class ConfigError(TuneopsError, ValueError):
    """The user gave a value, file or setting that tuneops cannot use.

    The message names the parameter (and the file and key when it came from a
    file), the value received and what to do instead. The CLI exits with code 2.
    """


class StudyExistsError(ConfigError):
    """A study with this name already exists in the storage."""


class StudyNotFoundError(ConfigError):
    """No study with this name exists in the storage."""


class StorageError(TuneopsError):
    """The storage could not be opened, read or written."""


class TrialsFailingError(TuneopsError):
    """The first trials of a study all failed, so the study stopped early."""


class SearchStalledError(TuneopsError):
    """`Study.ask` has nothing to hand out until running trials are told."""
