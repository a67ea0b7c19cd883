"""seed_everything: the same seed gives the same draws from every generator."""

from __future__ import annotations

import random
import subprocess
import sys

import numpy as np
import pytest

from tuneops import ConfigError, seed_everything


def _draws() -> tuple[float, float]:
    return random.random(), float(np.random.rand())


def test_same_seed_same_draws_other_seed_other_draws():
    seed_everything(123, torch=False)
    first = _draws()
    seed_everything(123, torch=False)
    again = _draws()
    seed_everything(124, torch=False)
    other = _draws()

    assert first == again
    assert first[0] != other[0] and first[1] != other[1]
    # Independent computation of what seeding each generator gives.
    assert first[0] == random.Random(123).random()
    assert first[1] == np.random.RandomState(123).rand()


def test_torch_draws_repeat_when_torch_is_installed():
    torch = pytest.importorskip("torch")
    seed_everything(7)
    first = torch.randn(5)
    seed_everything(7)
    assert torch.equal(first, torch.randn(5))


def test_torch_is_not_imported_when_not_asked(tmp_path):
    code = (
        "import sys, tuneops; tuneops.seed_everything(1, torch=False); "
        "print('torch' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("seed", [-1, 2**32, 1.5, "3"])
def test_bad_seed_is_a_config_error(seed):
    with pytest.raises(ConfigError, match="seed"):
        seed_everything(seed)
