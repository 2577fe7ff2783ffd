"""atheris: the quantity parser ("7B", "1.5T", "3e-4")."""

import math

import atheris

with atheris.instrument_imports(include=["hpguide"]):
    from hpguide.core.quantities import parse_quantity

from _harness import run


def target(text: str) -> None:
    assert math.isfinite(parse_quantity(text, positive=False))


if __name__ == "__main__":
    run(target)
