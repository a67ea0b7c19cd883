"""Find a known data file locally, or download it once into the user's cache.

The resolution order is documented on `data_path`. Only downloads are checked
against the registry's SHA-256: a file the user points at may legitimately be
an edited copy, and refusing it would get in the way of experiments.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import logging
import os
import pathlib
import tempfile
import urllib.request
from dataclasses import dataclass

from tuneops._internal._errors import ConfigError
from tuneops._internal._validation import fail

logger = logging.getLogger(__name__)

_DATA_DIR_ENV = "TUNEOPS_DATA_DIR"
_CACHE_DIR_ENV = "TUNEOPS_CACHE_DIR"
# Generous enough for a 1.5 MB file on a slow link, short enough that an
# offline machine (where connections often hang rather than fail) gives up
# before the user gives up on it.
_DOWNLOAD_TIMEOUT_S = 20.0
_CHUNK_BYTES = 1 << 16

_AMES_COMMIT = "ae1792cc86474d28a9f2ce05ce624abb87c588f9"
_AMES_BASE = (
    f"https://raw.githubusercontent.com/YohansHailu/Ml_starter/{_AMES_COMMIT}/gen1"
)


@dataclass(frozen=True)
class _Source:
    """Where a known file comes from and the SHA-256 its bytes must have."""

    url: str
    sha256: str


# URLs are pinned to commits so the bytes, and therefore the hashes, never move.
_REGISTRY: dict[str, _Source] = {
    "ames_train.csv": _Source(
        url=f"{_AMES_BASE}/catagorical_varaibls/train.csv",
        sha256="1e18addf81e5e4d347cc17ee6075bbe4a42b7fa26b9e5b063e8f692a5f929d41",
    ),
    "ames_test.csv": _Source(
        url=f"{_AMES_BASE}/house_price/test.csv",
        sha256="8fdd3d829d4d986b58f845c9553b225e67dd8383624d90fb6ca1d4bed5798c1e",
    ),
    "california_housing.csv": _Source(
        url=(
            "https://raw.githubusercontent.com/ageron/data/"
            "2ea73147454d2ff8c8a933913be4606f05b352ca/housing/housing.csv"
        ),
        sha256="2364609dc48bec7df3ba9dbb7041478e704ecddcee70ef1827ec3fc49d22c0cc",
    ),
}


def cache_dir() -> pathlib.Path:
    """Return the folder that holds downloaded data files.

    `$TUNEOPS_CACHE_DIR/data` when that variable is set, otherwise
    `$XDG_CACHE_HOME/tuneops/data`, falling back to `~/.cache/tuneops/data`.
    The folder is not created here.
    """
    root = os.environ.get(_CACHE_DIR_ENV)
    if root:
        return pathlib.Path(root).expanduser() / "data"
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = pathlib.Path(xdg).expanduser() if xdg else pathlib.Path.home() / ".cache"
    return base / "tuneops" / "data"


def data_path(
    filename: str, path: str | os.PathLike[str] | None = None
) -> pathlib.Path:
    """Locate one of tuneops' known data files, downloading it if needed.

    The first of these that exists wins:

    1. `path`: the file itself (any name), or a folder that contains
       `filename`. An explicit `path` that does not lead to a file is an
       error; nothing else is tried.
    2. `$TUNEOPS_DATA_DIR/filename`.
    3. The cache, `<cache>/filename`, where `<cache>` is
       `$TUNEOPS_CACHE_DIR/data`, else `$XDG_CACHE_HOME/tuneops/data`, else
       `~/.cache/tuneops/data`.
    4. A one-time download from the file's pinned public URL into the cache
       (timeout 20 s). The bytes are written to a temporary file, checked
       against the registered SHA-256 and only then renamed into place, so
       an interrupted or corrupted download never leaves a file behind.

    Only downloads are checked against the SHA-256. Files found through
    `path`, `$TUNEOPS_DATA_DIR` or the cache are used as they are, because
    users may legitimately work with edited copies.

    Args:
        filename: Name of a known file: `"ames_train.csv"`, `"ames_test.csv"`
            or `"california_housing.csv"`.
        path: Optional file or folder that overrides every other source.

    Returns:
        The path of an existing file.

    Raises:
        ConfigError: `filename` is unknown, `path` does not lead to a file,
            or the file is nowhere to be found and the download failed (the
            message says where to put the file instead).
    """
    source = _REGISTRY.get(filename)
    if source is None:
        known = ", ".join(repr(name) for name in sorted(_REGISTRY))
        raise fail(
            "filename",
            f"one of {known}",
            filename,
            "Pass the name of a known data file, or read your own file directly.",
        )

    if path is not None:
        return _from_explicit_path(filename, pathlib.Path(path).expanduser())

    data_dir = os.environ.get(_DATA_DIR_ENV)
    if data_dir:
        candidate = pathlib.Path(data_dir).expanduser() / filename
        if candidate.is_file():
            return candidate
        logger.debug("%s is not in $%s=%s", filename, _DATA_DIR_ENV, data_dir)

    cached = cache_dir() / filename
    if cached.is_file():
        return cached

    try:
        _download(source, cached)
    except (OSError, ValueError, http.client.HTTPException) as exc:
        raise _not_found_error(filename, source, cached, exc) from exc
    return cached


def _from_explicit_path(filename: str, path: pathlib.Path) -> pathlib.Path:
    if path.is_file():
        return path
    if path.is_dir():
        candidate = path / filename
        if candidate.is_file():
            return candidate
        raise fail(
            "path",
            f"a data file or a folder that contains {filename!r}",
            str(path),
            f"The folder exists but holds no {filename!r}; put the file there "
            "or pass the file's own path.",
        )
    raise fail(
        "path",
        f"an existing file or folder holding {filename!r}",
        str(path),
        "Check the spelling, or pass path=None to use $TUNEOPS_DATA_DIR, the "
        "cache or a download.",
    )


def _download(source: _Source, dest: pathlib.Path) -> None:
    """Fetch `source` into `dest` atomically, or raise without leaving a file."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    logger.info("Downloading %s to %s", source.url, dest)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", dir=dest.parent)
    tmp = pathlib.Path(tmp_name)
    try:
        digest = hashlib.sha256()
        with (
            os.fdopen(fd, "wb") as out,
            urllib.request.urlopen(source.url, timeout=_DOWNLOAD_TIMEOUT_S) as resp,
        ):
            while chunk := resp.read(_CHUNK_BYTES):
                digest.update(chunk)
                out.write(chunk)
        got = digest.hexdigest()
        if got != source.sha256:
            raise ValueError(
                f"checksum mismatch (expected SHA-256 {source.sha256}, got {got})"
            )
        os.replace(tmp, dest)
    finally:
        # After a successful os.replace the temporary name no longer exists.
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _not_found_error(
    filename: str, source: _Source, cached: pathlib.Path, exc: BaseException
) -> ConfigError:
    data_dir = os.environ.get(_DATA_DIR_ENV)
    env_note = (
        f" (it is set to {data_dir!r}, which has no {filename})" if data_dir else ""
    )
    return ConfigError(
        f"Could not find the data file {filename!r}, and downloading it from "
        f"{source.url} failed: {exc}. Do one of: pass its location explicitly "
        f"(the `path` argument, a file or a folder holding {filename}); "
        f"`export {_DATA_DIR_ENV}=/path/to/folder` with {filename} inside"
        f"{env_note}; or copy the file to {cached}."
    )
