"""Tests for `tuneops.datasets.data_path`: lookup order, cache and downloads."""

from __future__ import annotations

import hashlib
import os
import pathlib

import pytest

from tuneops._internal._errors import ConfigError
from tuneops.datasets import _fetch, data_path

SHARED = os.environ.get("TUNEOPS_DATA_DIR")


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: pathlib.Path) -> pathlib.Path:
    """Isolate from the caller's data dir and cache; return the cache root."""
    monkeypatch.delenv("TUNEOPS_DATA_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    cache_root = tmp_path / "cache-root"
    monkeypatch.setenv("TUNEOPS_CACHE_DIR", str(cache_root))
    return cache_root


def _serve(
    monkeypatch: pytest.MonkeyPatch, tmp_path: pathlib.Path, body: bytes, sha: str
) -> str:
    """Point the ames_train.csv entry at a local file:// URL."""
    source = tmp_path / "served.csv"
    source.write_bytes(body)
    url = source.as_uri()
    monkeypatch.setitem(_fetch._REGISTRY, "ames_train.csv", _fetch._Source(url, sha))
    return url


def test_explicit_file_is_returned_whatever_its_name(
    env: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    own = tmp_path / "my_edited_copy.csv"
    own.write_text("a,b\n1,2\n")
    assert data_path("ames_train.csv", own) == own
    assert data_path("ames_train.csv", str(own)) == own


def test_explicit_folder_must_hold_the_file(
    env: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    (tmp_path / "ames_train.csv").write_text("x\n")
    assert data_path("ames_train.csv", tmp_path) == tmp_path / "ames_train.csv"
    with pytest.raises(ConfigError, match=r"`path` must be .*holds no 'ames_test.csv'"):
        data_path("ames_test.csv", tmp_path)


def test_explicit_missing_path_is_an_error_even_if_cached(
    env: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    cached = env / "data" / "ames_train.csv"
    cached.parent.mkdir(parents=True)
    cached.write_text("x\n")
    with pytest.raises(ConfigError, match="`path` must be an existing file"):
        data_path("ames_train.csv", tmp_path / "nope.csv")


def test_unknown_filename_lists_the_known_ones(env: pathlib.Path) -> None:
    with pytest.raises(ConfigError) as info:
        data_path("boston.csv")
    message = str(info.value)
    assert "'boston.csv'" in message
    for known in ("ames_test.csv", "ames_train.csv", "california_housing.csv"):
        assert repr(known) in message


def test_env_var_then_cache(
    env: pathlib.Path, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir = tmp_path / "data-dir"
    data_dir.mkdir()
    monkeypatch.setenv("TUNEOPS_DATA_DIR", str(data_dir))
    cached = env / "data" / "ames_train.csv"
    cached.parent.mkdir(parents=True)
    cached.write_text("cached\n")
    # The data dir lacks the file, so the cache is next.
    assert data_path("ames_train.csv") == cached
    (data_dir / "ames_train.csv").write_text("from env\n")
    assert data_path("ames_train.csv") == data_dir / "ames_train.csv"


def test_cache_dir_honours_variables(
    monkeypatch: pytest.MonkeyPatch, tmp_path: pathlib.Path
) -> None:
    monkeypatch.delenv("TUNEOPS_CACHE_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert _fetch.cache_dir() == tmp_path / "home" / ".cache" / "tuneops" / "data"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert _fetch.cache_dir() == tmp_path / "xdg" / "tuneops" / "data"
    monkeypatch.setenv("TUNEOPS_CACHE_DIR", str(tmp_path / "own"))
    assert _fetch.cache_dir() == tmp_path / "own" / "data"


def test_download_verifies_and_lands_in_cache(
    env: pathlib.Path, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = b"Id,SalePrice\n1,208500\n"
    _serve(monkeypatch, tmp_path, body, hashlib.sha256(body).hexdigest())
    got = data_path("ames_train.csv")
    assert got == env / "data" / "ames_train.csv"
    assert got.read_bytes() == body
    assert sorted(p.name for p in got.parent.iterdir()) == ["ames_train.csv"]
    # A second call uses the cached copy, even after the source disappears.
    (tmp_path / "served.csv").unlink()
    assert data_path("ames_train.csv") == got


def test_checksum_mismatch_leaves_nothing_behind(
    env: pathlib.Path, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _serve(monkeypatch, tmp_path, b"tampered\n", "0" * 64)
    with pytest.raises(ConfigError, match="checksum mismatch") as info:
        data_path("ames_train.csv")
    assert hashlib.sha256(b"tampered\n").hexdigest() in str(info.value)
    assert list((env / "data").iterdir()) == []


def test_failed_download_says_what_to_do(
    env: pathlib.Path, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TUNEOPS_DATA_DIR", str(tmp_path))
    url = (tmp_path / "missing" / "train.csv").as_uri()
    monkeypatch.setitem(_fetch._REGISTRY, "ames_train.csv", _fetch._Source(url, "0"))
    with pytest.raises(ConfigError) as info:
        data_path("ames_train.csv")
    message = str(info.value)
    assert f"downloading it from {url} failed" in message
    assert "`path` argument" in message
    assert "export TUNEOPS_DATA_DIR=/path/to/folder" in message
    assert f"it is set to {str(tmp_path)!r}" in message
    assert str(env / "data" / "ames_train.csv") in message


@pytest.mark.skipif(SHARED is None, reason="TUNEOPS_DATA_DIR is not set")
@pytest.mark.parametrize("name", sorted(_fetch._REGISTRY))
def test_registry_hashes_match_the_shared_files(name: str) -> None:
    file = pathlib.Path(str(SHARED)) / name
    if not file.is_file():
        pytest.skip(f"{file} is not available")
    assert (
        hashlib.sha256(file.read_bytes()).hexdigest() == _fetch._REGISTRY[name].sha256
    )


def test_registry_pins_the_documented_sources() -> None:
    ames = _fetch._REGISTRY["ames_train.csv"]
    assert ames.sha256.startswith("1e18addf81e5e4d3")
    assert ames.url.endswith(
        "YohansHailu/Ml_starter/ae1792cc86474d28a9f2ce05ce624abb87c588f9"
        "/gen1/catagorical_varaibls/train.csv"
    )
    assert _fetch._REGISTRY["ames_test.csv"].sha256.startswith("8fdd3d829d4d986b")
    california = _fetch._REGISTRY["california_housing.csv"]
    assert california.sha256.startswith("2364609dc48bec7d")
