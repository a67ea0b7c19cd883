"""Search spaces: typed, conditional hyperparameters with sampling and grids.

Build a space in Python or read it from YAML or JSON:

    from tuneops.space import Categorical, Float, Int, Space

    space = Space({
        "lr": Float(1e-5, 1e-1, log=True),
        "depth": Int(1, 8),
        "optimizer": Categorical(["sgd", "adam"]),
        "momentum": Float(0.85, 0.95, when={"optimizer": "sgd"}),
    })
    config = space.sample(numpy.random.default_rng(0))
    configs = space.grid(n_points=5)
    same = Space.from_yaml(space.to_yaml())
"""

from tuneops.space._params import Categorical, Float, Int, Param
from tuneops.space._space import Space

__all__ = ["Categorical", "Float", "Int", "Param", "Space"]
