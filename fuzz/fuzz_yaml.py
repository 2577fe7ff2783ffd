"""atheris: the safe YAML loader (it must return problems, never raise)."""

import atheris

with atheris.instrument_imports(include=["hpguide"]):
    from hpguide.core.yamlio import load_yaml_text

from _harness import run


def target(text: str) -> None:
    loaded, problems = load_yaml_text(text)
    assert (loaded is None) == bool(problems)


if __name__ == "__main__":
    run(target)
