"""Shared set-up of the atheris harnesses: run a target, let only hpguide's own errors pass."""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports(include=["hpguide"]):
    from hpguide.core.errors import HpguideError


def run(target) -> None:
    """Fuzz ``target(text)``; any exception other than an HpguideError is a crash atheris reports."""

    def one_input(data: bytes) -> None:
        text = atheris.FuzzedDataProvider(data).ConsumeUnicodeNoSurrogates(len(data))
        try:
            target(text)
        except HpguideError:
            pass

    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
