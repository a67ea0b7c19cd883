"""Tests for `tuneops.datasets.load_ames` against the real Kaggle training file.

Every expected value is computed independently from the raw CSV with Python's
`csv` module, so a pandas reading rule (e.g. `NA` -> NaN) cannot leak into both
sides of an assertion. The data must be present: CI always has it, so a
missing file is a failure, not a skip.
"""

from __future__ import annotations

import csv
import io
import os
import pathlib
from collections import Counter
from dataclasses import dataclass

import pandas as pd
import pytest

from tuneops._internal._errors import ConfigError
from tuneops.datasets import load_ames

# Columns where the raw `NA` means "no such feature" (the category "None").
ABSENT_COLUMNS = (
    "Alley",
    "BsmtCond",
    "BsmtExposure",
    "BsmtFinType1",
    "BsmtFinType2",
    "BsmtQual",
    "Fence",
    "FireplaceQu",
    "GarageCond",
    "GarageFinish",
    "GarageQual",
    "GarageType",
    "MiscFeature",
    "PoolQC",
)
# Categorical columns where the raw `NA` means "unknown" (NaN).
MISSING_CATEGORICAL = {"MasVnrType": 8, "Electrical": 1}
# Numeric columns where the raw `NA` becomes NaN.
MISSING_NUMERIC = {"LotFrontage": 259, "MasVnrArea": 8, "GarageYrBlt": 81}


def _data_dir() -> pathlib.Path:
    data_dir = os.environ.get("TUNEOPS_DATA_DIR")
    if not data_dir:
        pytest.fail(
            "TUNEOPS_DATA_DIR is not set; point it at the folder holding "
            "ames_train.csv and ames_test.csv (e.g. /work/shared/data). These "
            "tests check real values and do not skip without the data."
        )
    folder = pathlib.Path(data_dir)
    for name in ("ames_train.csv", "ames_test.csv"):
        if not (folder / name).is_file():
            pytest.fail(f"TUNEOPS_DATA_DIR={data_dir} holds no {name}.")
    return folder


@dataclass(frozen=True)
class Raw:
    """The raw training file, as strings."""

    header: list[str]
    rows: list[list[str]]

    def column(self, name: str) -> list[str]:
        i = self.header.index(name)
        return [row[i] for row in self.rows]


@pytest.fixture(scope="module")
def data_dir() -> pathlib.Path:
    return _data_dir()


@pytest.fixture(scope="module")
def raw(data_dir: pathlib.Path) -> Raw:
    with (data_dir / "ames_train.csv").open(newline="", encoding="utf-8") as handle:
        header, *rows = csv.reader(handle)
    return Raw(header, rows)


@pytest.fixture(scope="module")
def loaded(data_dir: pathlib.Path) -> tuple[pd.DataFrame, pd.Series]:
    # No argument: the file must be found through $TUNEOPS_DATA_DIR.
    return load_ames()


@pytest.fixture(scope="module")
def X(loaded: tuple[pd.DataFrame, pd.Series]) -> pd.DataFrame:
    return loaded[0]


@pytest.fixture(scope="module")
def y(loaded: tuple[pd.DataFrame, pd.Series]) -> pd.Series:
    return loaded[1]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_shape_columns_and_index(raw: Raw, X: pd.DataFrame, y: pd.Series) -> None:
    assert len(raw.rows) == 1460
    assert X.shape == (1460, 79)
    assert len(y) == 1460
    assert "Id" not in X.columns
    assert "SalePrice" not in X.columns
    expected = [c for c in raw.header if c not in ("Id", "SalePrice")]
    assert list(X.columns) == expected
    assert list(X.index) == list(range(1460))
    assert list(y.index) == list(range(1460))


def test_sale_price_matches_raw(raw: Raw, y: pd.Series) -> None:
    prices = [float(v) for v in raw.column("SalePrice")]
    assert y.name == "SalePrice"
    assert y.dtype == "float64"
    assert y.tolist() == prices
    assert y.min() == min(prices) == 34900.0
    assert y.max() == max(prices) == 755000.0
    assert y.mean() == pytest.approx(sum(prices) / len(prices), rel=1e-12)
    assert y.mean() == pytest.approx(180921.2, abs=0.05)


def test_raw_na_columns_are_the_ones_this_test_knows(raw: Raw) -> None:
    # Guards the lists above: if the file changed, these tests must change too.
    na_counts = {
        name: count for name in raw.header if (count := raw.column(name).count("NA"))
    }
    assert set(na_counts) == {
        *ABSENT_COLUMNS,
        *MISSING_CATEGORICAL,
        *MISSING_NUMERIC,
    }
    for name, count in {**MISSING_CATEGORICAL, **MISSING_NUMERIC}.items():
        assert na_counts[name] == count, name
    assert not any("" in row for row in raw.rows)


@pytest.mark.parametrize("name", ABSENT_COLUMNS)
def test_na_meaning_absent_becomes_category_none(
    raw: Raw, X: pd.DataFrame, name: str
) -> None:
    values = raw.column(name)
    column = X[name]
    assert isinstance(column.dtype, pd.CategoricalDtype)
    assert column.isna().sum() == 0
    assert (column == "None").sum() == values.count("NA") > 0
    # Every other value is kept verbatim.
    assert column.astype(str).tolist() == ["None" if v == "NA" else v for v in values]


@pytest.mark.parametrize("name", ["PoolQC", "Alley", "Fence", "GarageType"])
def test_absent_counts_are_the_published_ones(X: pd.DataFrame, name: str) -> None:
    expected = {"PoolQC": 1453, "Alley": 1369, "Fence": 1179, "GarageType": 81}
    assert (X[name] == "None").sum() == expected[name]


@pytest.mark.parametrize(("name", "count"), MISSING_NUMERIC.items())
def test_numeric_na_becomes_nan(
    raw: Raw, X: pd.DataFrame, name: str, count: int
) -> None:
    values = raw.column(name)
    column = X[name]
    assert column.dtype == "float64"
    assert int(column.isna().sum()) == count
    assert column.isna().tolist() == [v == "NA" for v in values]
    for got, text in zip(column, values, strict=True):
        if text != "NA":
            assert got == float(text)


def test_garage_year_is_missing_exactly_where_there_is_no_garage(
    raw: Raw, X: pd.DataFrame
) -> None:
    no_year = X["GarageYrBlt"].isna()
    no_garage = X["GarageType"] == "None"
    assert no_year.sum() == 81
    assert no_year.tolist() == no_garage.tolist()
    assert no_year.tolist() == [v == "NA" for v in raw.column("GarageType")]


@pytest.mark.parametrize(("name", "count"), MISSING_CATEGORICAL.items())
def test_categorical_na_meaning_unknown_becomes_nan(
    raw: Raw, X: pd.DataFrame, name: str, count: int
) -> None:
    values = raw.column(name)
    column = X[name]
    assert isinstance(column.dtype, pd.CategoricalDtype)
    assert int(column.isna().sum()) == count
    assert column.isna().tolist() == [v == "NA" for v in values]
    # A "None" in the result can only come from a literal "None" in the file.
    assert int((column == "None").sum()) == values.count("None")
    assert column[column.notna()].astype(str).tolist() == [
        v for v in values if v != "NA"
    ]


def test_masvnrtype_keeps_its_genuine_none_category(raw: Raw, X: pd.DataFrame) -> None:
    counts = Counter(raw.column("MasVnrType"))
    assert counts["None"] == 864  # "no veneer", a real category
    assert counts["NA"] == 8
    assert int((X["MasVnrType"] == "None").sum()) == 864
    assert "None" not in X["Electrical"].cat.categories


def test_only_the_unknown_values_are_nan(X: pd.DataFrame) -> None:
    nan_counts = {c: int(n) for c, n in X.isna().sum().items() if n}
    assert nan_counts == {**MISSING_CATEGORICAL, **MISSING_NUMERIC}


def test_mssubclass_is_a_categorical_code(raw: Raw, X: pd.DataFrame) -> None:
    column = X["MSSubClass"]
    assert isinstance(column.dtype, pd.CategoricalDtype)
    raw_codes = [int(v) for v in raw.column("MSSubClass")]
    assert list(column.cat.categories) == sorted(set(raw_codes))
    assert column.tolist() == raw_codes


def test_text_columns_are_categorical_and_numbers_numeric(
    raw: Raw, X: pd.DataFrame
) -> None:
    for name in X.columns:
        values = [v for v in raw.column(name) if v != "NA"]
        numeric = all(_is_number(v) for v in values)
        if name == "MSSubClass" or not numeric:
            assert isinstance(X[name].dtype, pd.CategoricalDtype), name
        else:
            assert pd.api.types.is_numeric_dtype(X[name]), name


# --- Clear errors ----------------------------------------------------------


def _write_rows(path: pathlib.Path, rows: list[list[str]]) -> pathlib.Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def test_file_without_sale_price_is_refused(
    data_dir: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    with (data_dir / "ames_test.csv").open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header, first = next(reader), next(reader)
    assert "SalePrice" not in header
    file = _write_rows(tmp_path / "no_target.csv", [header, first])
    with pytest.raises(ConfigError, match=r"has no 'SalePrice' column.*test file"):
        load_ames(file)


def test_text_in_numeric_column_is_refused_naming_the_text(
    raw: Raw, tmp_path: pathlib.Path
) -> None:
    i = raw.header.index("LotFrontage")
    rows = [list(row) for row in raw.rows]
    # Pick a row after some legitimate `NA`s, so the message must name the
    # bad text rather than the first `NA`.
    first_na = next(k for k, row in enumerate(rows) if row[i] == "NA")
    k = next(k for k in range(first_na + 1, len(rows)) if rows[k][i] != "NA")
    rows[k][i] = "sixty"
    file = _write_rows(tmp_path / "text.csv", [raw.header, *rows])
    with pytest.raises(
        ConfigError, match=r"Column 'LotFrontage' .*must hold numbers; got 'sixty'"
    ):
        load_ames(file)


def test_missing_sale_price_value_is_refused(raw: Raw, tmp_path: pathlib.Path) -> None:
    i = raw.header.index("SalePrice")
    rows = [list(row) for row in raw.rows]
    rows[3][i] = "NA"
    file = _write_rows(tmp_path / "gap.csv", [raw.header, *rows])
    with pytest.raises(
        ConfigError, match=r"Column 'SalePrice' .*must hold numbers; got 'NA'"
    ):
        load_ames(file)


def test_a_sample_without_any_feature_keeps_the_none_category(
    raw: Raw, tmp_path: pathlib.Path
) -> None:
    pool = raw.header.index("PoolQC")
    frontage = raw.header.index("LotFrontage")
    # Rows where both PoolQC and LotFrontage are NA: each column is all `NA`.
    rows = [r for r in raw.rows if r[pool] == "NA" and r[frontage] == "NA"][:20]
    X, _ = load_ames(_write_rows(tmp_path / "sample.csv", [raw.header, *rows]))
    assert isinstance(X["PoolQC"].dtype, pd.CategoricalDtype)
    assert (X["PoolQC"] == "None").all()
    assert pd.api.types.is_float_dtype(X["LotFrontage"])
    assert X["LotFrontage"].isna().all()
