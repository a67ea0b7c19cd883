"""The Ames, Iowa house-price training set (Kaggle split), parsed correctly.

In the raw CSV the literal `NA` means "this house has no such feature" in most
categorical columns, but "value unknown" in a few others. pandas' default
reader turns every `NA` into NaN, which would make a pool-less house look like
a house with unknown pool quality; this module keeps the two apart.
"""

from __future__ import annotations

import logging
import os

import pandas as pd

from tuneops._internal._errors import ConfigError
from tuneops.datasets._fetch import data_path

logger = logging.getLogger(__name__)

_FILENAME = "ames_train.csv"
_TARGET = "SalePrice"
_ABSENT_LABEL = "None"

# Columns where `NA` really means "unknown" (checked against the codebook and
# the counts in the data README). Every other categorical `NA` means "absent".
_MISSING_CATEGORICAL = ("MasVnrType", "Electrical")
# GarageYrBlt is NA exactly when the house has no garage; there is no year to
# give, so NaN is the honest numeric encoding.
_MISSING_NUMERIC = ("LotFrontage", "MasVnrArea", "GarageYrBlt")
# Integers that are codes for dwelling types, not quantities.
_CODE_COLUMNS = ("MSSubClass",)
_NA_TOKENS = ("NA", "")


def load_ames(
    path: str | os.PathLike[str] | None = None,
) -> tuple[pd.DataFrame, pd.Series]:
    """Load the Ames training set as features and sale price.

    The file is found with `data_path("ames_train.csv", path)`. Parsing rules:

    * Categorical columns: the literal `NA` becomes the category `"None"`
      ("no such feature": no pool, no alley, no garage, ...), except in
      `MasVnrType` and `Electrical`, where `NA` is genuinely missing and
      becomes NaN. (`MasVnrType` also has a real `"None"` category meaning
      "no veneer".)
    * Numeric columns: `NA` becomes NaN. In `LotFrontage` (259 rows) and
      `MasVnrArea` (8 rows) NaN means "unknown"; in `GarageYrBlt` (81 rows)
      it means "no garage" (those rows have `GarageType == "None"`).
    * `MSSubClass` is a dwelling-type code and becomes categorical with
      integer categories (20, 30, ...).
    * Every text column becomes pandas `category` dtype, ready for
      scikit-learn's native categorical support (`categorical_features=
      "from_dtype"`).
    * `Id` is dropped; the row order of the file is kept (index 0..n-1).

    Args:
        path: Optional explicit file, or folder holding `ames_train.csv`.
            Defaults to `$TUNEOPS_DATA_DIR`, then the cache, then a download.

    Returns:
        `(X, y)`: X has 1460 rows and 79 feature columns; y is `SalePrice`
        in US dollars as float64 (34,900 to 755,000), named `"SalePrice"`.

    Raises:
        ConfigError: The file cannot be found, or it lacks the `SalePrice`
            column or a column that should be numeric holds text.
    """
    file = data_path(_FILENAME, path)
    logger.debug("Reading Ames training data from %s", file)
    # Read everything as text first so that no `NA` is interpreted before we
    # know which column it is in.
    raw = pd.read_csv(file, dtype=str, keep_default_na=False, na_filter=False)
    if _TARGET not in raw.columns:
        raise ConfigError(
            f"The Ames file {str(file)!r} has no {_TARGET!r} column; `load_ames` "
            "needs the labelled training file (ames_train.csv), not the test file."
        )

    columns: dict[str, pd.Series] = {}
    for name in raw.columns:
        if name == "Id":
            continue
        columns[name] = _parse_column(name, raw[name], file)
    frame = pd.DataFrame(columns)
    y = frame.pop(_TARGET).astype("float64")
    return frame, y


def _parse_column(name: str, text: pd.Series, file: os.PathLike[str]) -> pd.Series:
    is_na = text.isin(_NA_TOKENS)
    numbers = pd.to_numeric(text.where(~is_na), errors="coerce")
    # A column that is all `NA` (PoolQC in a small sample, say) tells nothing
    # about its type; only a known numeric column may then be read as numbers.
    has_values = bool((~is_na).any())
    looks_numeric = has_values and bool(numbers.notna().sum() == (~is_na).sum())
    must_be_numeric = name in (*_CODE_COLUMNS, *_MISSING_NUMERIC, _TARGET)
    target_has_gaps = name == _TARGET and bool(is_na.any())
    if (must_be_numeric and has_values and not looks_numeric) or target_has_gaps:
        raise _not_numeric(name, text, is_na, file)

    if name in _CODE_COLUMNS:
        return numbers.astype("category")
    if name in _MISSING_CATEGORICAL:
        return text.where(~is_na).astype("category")
    if looks_numeric or name in _MISSING_NUMERIC:
        if is_na.any() and name not in _MISSING_NUMERIC:
            # Not the case in the published file, but NaN is the only sensible
            # reading of `NA` in a numeric column, so say so and go on.
            logger.warning(
                "Column %s of %s has %d NA values; reading them as missing.",
                name,
                file,
                int(is_na.sum()),
            )
        return numbers
    absent = text.mask(text == "NA", _ABSENT_LABEL)
    return absent.where(text != "").astype("category")


def _not_numeric(
    name: str, text: pd.Series, is_na: pd.Series, file: os.PathLike[str]
) -> ConfigError:
    parsed = pd.to_numeric(text.where(~is_na), errors="coerce")
    # Name a value that is really wrong: `NA` is allowed in the numeric
    # columns, so it is the culprit only when nothing else is (the target).
    bad = text[~is_na & parsed.isna()]
    if not len(bad):
        bad = text[is_na]
    example = bad.iloc[0] if len(bad) else ""
    return ConfigError(
        f"Column {name!r} of {str(file)!r} must hold numbers; got {example!r}. "
        "Pass the unmodified ames_train.csv (see tuneops.datasets.data_path)."
    )
