"""Record classes: the field annotations type checkers read are the fields the records have."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import hpguide
from hpguide.core.records import Record
from hpguide.kb.compiled import CompiledEntry


def _all_subclasses(cls: type) -> list[type]:
    out = []
    for sub in cls.__subclasses__():
        out += [sub, *_all_subclasses(sub)]
    return out


def _record_classes() -> list[type]:
    for info in pkgutil.walk_packages(hpguide.__path__, "hpguide."):
        if not info.name.endswith("__main__"):  # that one runs the CLI
            importlib.import_module(info.name)
    return sorted(_all_subclasses(Record), key=lambda c: f"{c.__module__}.{c.__qualname__}")


def test_the_package_defines_records():
    names = {c.__name__ for c in _record_classes()}
    assert {"Step", "Result", "Spread", "Assumption"} <= names


@pytest.mark.parametrize("cls", [*_record_classes(), CompiledEntry], ids=lambda c: c.__name__)
def test_class_level_annotations_name_the_slots_in_order(cls):
    # __slots__ give the positional order; the annotations are what mypy checks attribute use against
    annotations = inspect.get_annotations(cls)  # the class's own, not evaluated
    assert tuple(annotations) == cls.__slots__


def test_annotations_cost_no_evaluation():
    # they stay strings (from __future__ import annotations): no typing import on the query path
    from hpguide.resolver.resolve import Result

    assert all(isinstance(a, str) for a in inspect.get_annotations(Result).values())
