"""atheris: the formula parser and compiler (entry text -> sympy -> tree -> float)."""

import atheris

with atheris.instrument_imports(include=["hpguide"]):
    from hpguide.core.evaluate import compile_scalar, tree_names
    from hpguide.core.formula import parse, to_tree

from _harness import run


def target(text: str) -> None:
    tree = to_tree(parse(text, constants=["c", "a"]).expr)
    compile_scalar(tree)({name: 1.5 for name in tree_names(tree)})


if __name__ == "__main__":
    run(target)
