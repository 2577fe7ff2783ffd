"""Placeholders: the marker every unfilled scaffold value starts with, and the search for them.

Kept apart from :mod:`hpguide.kb.scaffold` because the loader needs it too
(an entry with placeholders is refused, HPG007) and the loader must not
import the scaffolder.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["PLACEHOLDER", "SCHEMA_COMMENT", "find_placeholders"]

#: Every placeholder value starts with this word; no real entry text does.
PLACEHOLDER = "TODO"
#: First line of every entry file: editors with the YAML language server validate as you type.
SCHEMA_COMMENT = "# yaml-language-server: $schema=../../schema/entry.schema.json"


def find_placeholders(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], str]]:
    """(path, text) of every string value below ``data`` that starts with :data:`PLACEHOLDER`."""
    if isinstance(data, str):
        return [(path, data)] if data.lstrip().startswith(PLACEHOLDER) else []
    if isinstance(data, Mapping):
        return [hit for key, value in data.items() for hit in find_placeholders(value, path + (key,))]
    if isinstance(data, list):
        return [hit for i, value in enumerate(data) for hit in find_placeholders(value, path + (i,))]
    return []
