"""Dict, YAML and JSON forms of a space: round trips, shorthands and file errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tuneops._internal._errors import ConfigError
from tuneops.space import Categorical, Float, Int, Space


def every_kind_space() -> Space:
    return Space(
        {
            "lr": Float(1e-5, 1e-1, log=True),
            "frac": Float(0.1, 1.0, step=0.1, grid=[0.1, 0.5, 1.0]),
            "depth": Int(1, 8),
            "leaf": Int(16, 256, log=True, grid=[16, 64]),
            "units": Int(0, 100, step=10),
            "optimizer": Categorical(["sgd", "adam"]),
            "momentum": Float(0.85, 0.95, when={"optimizer": "sgd"}),
            "nesterov": Categorical(
                [True, False], when={"optimizer": ["sgd"], "momentum": 0.85}
            ),
            "mixed": Categorical(
                [None, True, 1, 1.0, "1", "1e-6", "yes", [1, 2], {"a": [None]}]
            ),
            "shape": Categorical([[1, 2], [3]]),
            "pad": Int(0, 3, when={"shape": [[1, 2]], "depth": [2, 3]}),
        }
    )


def choice_types(space: Space) -> list[type]:
    return [type(c) for c in space["mixed"].to_dict()["choices"]]


def test_dict_round_trip() -> None:
    space = every_kind_space()

    again = Space.from_dict(space.to_dict())

    assert again == space
    assert again.names == space.names
    assert choice_types(again) == choice_types(space)


def test_yaml_round_trip() -> None:
    space = every_kind_space()

    again = Space.from_yaml(space.to_yaml())

    assert again == space
    assert again.names == space.names
    assert choice_types(again) == choice_types(space)
    assert again["pad"].when == {"shape": ([1, 2],), "depth": (2, 3)}


def test_json_round_trip() -> None:
    space = every_kind_space()

    again = Space.from_json(space.to_json())

    assert again == space
    assert again.names == space.names
    assert choice_types(again) == choice_types(space)


def test_to_dict_is_the_canonical_long_form() -> None:
    space = Space.from_dict({"optimizer": ["sgd", "adam"]})

    assert space.to_dict() == {
        "optimizer": {"type": "categorical", "choices": ["sgd", "adam"]}
    }
    assert Float(0.85, 0.95, when={"optimizer": "sgd"}).to_dict() == {
        "type": "float",
        "low": 0.85,
        "high": 0.95,
        "when": {"optimizer": ["sgd"]},
    }
    assert Int(1, 8, step=1).to_dict() == {"type": "int", "low": 1, "high": 8}


def test_yaml_text_in_the_documented_form() -> None:
    text = """
    lr: {type: float, low: 1.0e-6, high: 0.1, log: true}
    batch_size: {type: categorical, choices: [8, 16, 32]}
    depth: {type: int, low: 1, high: 8, step: 1}
    optimizer: [sgd, adam]
    momentum: {type: float, low: 0.85, high: 0.95, when: {optimizer: sgd}}
    detector: [faster-rcnn, ssd]
    """

    space = Space.from_yaml(text)

    assert space == Space(
        {
            "lr": Float(1e-6, 0.1, log=True),
            "batch_size": Categorical([8, 16, 32]),
            "depth": Int(1, 8),
            "optimizer": Categorical(["sgd", "adam"]),
            "momentum": Float(0.85, 0.95, when={"optimizer": "sgd"}),
            "detector": Categorical(["faster-rcnn", "ssd"]),
        }
    )


def test_numeric_strings_from_yaml_are_read_as_numbers() -> None:
    text = (
        "lr: {type: float, low: 1e-6, high: 1e-1, log: true, grid: [1e-5, 1e-3]}\n"
        "frac: {type: float, low: 0, high: 1, step: 5e-1}\n"
        "n: {type: int, low: '2', high: '8'}\n"
    )
    assert isinstance(yaml.safe_load(text)["lr"]["low"], str)  # the trap itself

    space = Space.from_yaml(text)

    assert space["lr"] == Float(1e-6, 1e-1, log=True, grid=[1e-5, 1e-3])
    assert space["frac"] == Float(0.0, 1.0, step=0.5)
    assert space["n"] == Int(2, 8)


def test_choices_that_look_like_numbers_stay_strings() -> None:
    space = Space.from_yaml("eps: {type: categorical, choices: [1e-6, 1.0e-6]}")

    assert space["eps"].to_dict()["choices"] == ["1e-6", 1e-6]


def test_a_study_file_with_a_space_key_is_read(tmp_path: Path) -> None:
    path = tmp_path / "study.yaml"
    path.write_text(
        "name: detection\ndirection: minimize\n"
        "space:\n  lr: {type: float, low: 0.001, high: 0.1, log: true}\n"
        "  type: [a, b]\n"
    )

    space = Space.from_file(path)

    assert space.names == ("lr", "type")


def test_a_parameter_called_space_is_still_a_parameter() -> None:
    space = Space.from_dict({"space": {"type": "int", "low": 1, "high": 2}})

    assert space.names == ("space",)


@pytest.mark.parametrize("suffix", [".yaml", ".yml", ".json"])
def test_from_file_reads_each_format(tmp_path: Path, suffix: str) -> None:
    space = every_kind_space()
    path = tmp_path / f"space{suffix}"
    path.write_text(space.to_json() if suffix == ".json" else space.to_yaml())

    assert Space.from_file(path) == space
    assert Space.from_file(str(path)) == space


def test_to_json_is_plain_json() -> None:
    data = json.loads(every_kind_space().to_json())

    assert data["lr"] == {"type": "float", "low": 1e-5, "high": 0.1, "log": True}
    assert data["pad"]["when"] == {"shape": [[1, 2]], "depth": [2, 3]}


# --- errors from text and files ------------------------------------------------


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("text", "match"),
    [
        (
            "lr: {type: float, low: abc, high: 0.1}",
            r"x\.yaml: `lr\.low` must be a finite number; got 'abc'\.",
        ),
        (
            "lr: {type: float, low: 0.0, high: 0.1, log: true}",
            r"x\.yaml: `lr\.low` must be greater than 0 when `log` is true",
        ),
        (
            "lr: {type: gaussian, mean: 0}",
            r"x\.yaml: `lr\.type` must be one of 'float', 'int', 'categorical'; "
            r"got 'gaussian'",
        ),
        (
            "lr: {type: float, low: 0.1, high: 1, lwo: 3}",
            r"x\.yaml: `lr` has the unknown key 'lwo'; a float parameter takes only "
            r"the keys type, low, high, log, step, grid, when\.",
        ),
        (
            "c: {type: categorical, choices: [a], low: 1}",
            r"`c` has the unknown key 'low'; .* only the keys type, choices, when\.",
        ),
        (
            "lr: {type: float, high: 0.1}",
            r"x\.yaml: `lr\.low` is missing; got a float parameter without it",
        ),
        ("c: {type: categorical}", r"x\.yaml: `c\.choices` is missing"),
        (
            "space:\n  lr: {type: int, low: 1.5, high: 4}",
            r"x\.yaml: `space\.lr\.low` must be an integer; got 1\.5",
        ),
        (
            "lr: 0.1",
            r"x\.yaml: `lr` must be a mapping with a `type` key, or a list of choices",
        ),
        ("", r"x\.yaml: `space` must be a mapping from parameter names"),
        (
            "opt: [sgd, adam]\nm: {type: float, low: 0, high: 1, when: {opt: rmsprop}}",
            r"x\.yaml: `m\.when\.opt` must be values that `opt` can take, one of "
            r"'sgd', 'adam'; got 'rmsprop'",
        ),
        (
            "m: {type: float, low: 0, high: 1, when: {optim: sgd}}",
            r"x\.yaml: `m\.when` must be keyed by parameters of this space \(m\); "
            r"got 'optim'",
        ),
        (
            "a: {type: int, low: 1, high: 3, when: {b: 1}}\n"
            "b: {type: int, low: 1, high: 3, when: {a: 1}}",
            r"x\.yaml: `a\.when` must be free of cycles; got 'a -> b -> a'",
        ),
        (
            "lr: {type: float, low: 0, high: 1, step: 0.3}",
            r"x\.yaml: `lr\.step` must be a divisor of `high - low` = 1\.0; got 0\.3\. "
            r"The values on step 0\.3 from 0\.0 stop at 0\.9",
        ),
        (
            "c: {type: categorical, choices: [a, a]}",
            r"x\.yaml: `c\.choices` must be a list of distinct values",
        ),
        (
            "lr: {type: float, low: 0, high: 1, grid: [0.5, 2]}",
            r"x\.yaml: `lr\.grid\[1\]` must be a number in \[0\.0, 1\.0\]; got 2",
        ),
        (
            "lr: {type: float, low: 0, high: 1, log: yes please}",
            r"x\.yaml: `lr\.log` must be true or false; got 'yes please'",
        ),
    ],
)
def test_errors_from_a_file_name_the_file_and_the_key_path(
    tmp_path: Path, text: str, match: str
) -> None:
    path = write(tmp_path, "x.yaml", text)

    with pytest.raises(ConfigError, match=match):
        Space.from_yaml(text, source="x.yaml")
    with pytest.raises(ConfigError, match=match.replace(r"x\.yaml", ".*x\\.yaml")):
        Space.from_file(path)


def test_error_messages_carry_the_source_as_given(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.yml", "lr: {type: float, low: 1, high: 0}")

    with pytest.raises(ConfigError) as info:
        Space.from_file(path)

    assert str(info.value).startswith(f"{path}: `lr.low` must be less than `high`")


def test_yaml_syntax_errors_are_config_errors() -> None:
    with pytest.raises(
        ConfigError,
        match=r"x\.yaml: the text must be valid YAML; got a "
        r"syntax error at line 2",
    ):
        Space.from_yaml("a: [1, 2\n", source="x.yaml")


def test_json_syntax_errors_are_config_errors() -> None:
    with pytest.raises(
        ConfigError,
        match=r"s\.json: the text must be valid JSON; got a "
        r"syntax error at line 1, column 10",
    ):
        Space.from_json('{"a": [1,', source="s.json")


def test_from_dict_without_a_source_has_no_prefix() -> None:
    with pytest.raises(ConfigError, match=r"^`lr\.high` must be a finite number"):
        Space.from_dict({"lr": {"type": "float", "low": 0, "high": None}})


def test_from_file_rejects_unknown_extensions_and_missing_files(tmp_path: Path) -> None:
    text_file = write(tmp_path, "space.txt", "a: [1, 2]")

    with pytest.raises(ConfigError, match=r"`path` must be a file ending in \.yaml"):
        Space.from_file(text_file)
    with pytest.raises(ConfigError, match=r"`path` must be a readable UTF-8 text file"):
        Space.from_file(tmp_path / "missing.yaml")


def test_from_yaml_rejects_something_other_than_text() -> None:
    data: Any = {"a": [1, 2]}

    with pytest.raises(ConfigError, match=r"`text` must be a string"):
        Space.from_yaml(data)
