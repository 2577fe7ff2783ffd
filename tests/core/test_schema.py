"""The entry models: kind rules, lifecycle, changelog, and the committed JSON Schema."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from pydantic import ValidationError

from hpguide.core.schema import Entry, ReleaseFile, entry_json_schema, entry_json_schema_text

from ..conftest import ROOT

BASE = {
    "id": "x-law",
    "version": 1,
    "status": "stable",
    "kind": "law",
    "title": "A law",
    "topics": ["testing"],
    "summary": "A law for testing the schema.",
    "sources": [{"arxiv": "2001.08361", "title": "T", "authors": ["A B"], "year": 2020, "where": "Eq. 1"}],
    "constants": {"c": {"value": 0.5, "where": "Eq. 1"}},
    "equations": {"eta": "c*N**(-0.5)"},
    "validity": {"N": [1e6, 1e12]},
    "examples": [{"given": {"N": 1e6}, "expect": {"eta": 5e-4}, "rel_tol": 0.01, "where": "Table 1"}],
    "changelog": [{"version": 1, "date": "2026-11-23", "change": "first version"}],
}


def entry(**changes):
    data = json.loads(json.dumps(BASE))
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def test_base_entry_is_valid():
    assert Entry.model_validate(entry()).id == "x-law"


@pytest.mark.parametrize(
    "changes, fragment",
    [
        ({"titel": "x"}, "Extra inputs"),
        ({"summary": None}, "Field required"),
        ({"id": "Not_Kebab"}, "pattern"),
        ({"status": "experimental"}, "Input should be"),
        ({"status": "superseded"}, "superseded_by"),
        ({"superseded_by": "other"}, "only for entries with status: superseded"),
        ({"status": "withdrawn"}, "status_note"),
        ({"kind": "recipe"}, "table"),
        ({"validity": {}}, "validity"),
        ({"examples": []}, "example"),
        ({"equations": {}}, "equation"),
        ({"version": 2}, "last changelog item"),
        ({"changelog": []}, "at least 1"),
        ({"validity": {"N": [1e12, 1e6]}}, "reversed"),
        ({"sources": [{"title": "T", "authors": ["A"], "year": 2020, "where": "Eq. 1"}]}, "arxiv id"),
        ({"sources": [{"arxiv": "2001.08361", "title": "T", "authors": ["A"], "year": 2020}]}, "Field required"),
        ({"constants": {"c": {"value": 0.5}}}, "Field required"),
        ({"constants": {"c": {"value": float("nan"), "where": "x1"}}}, "finite"),
        ({"version": "1"}, "valid integer"),
    ],
)
def test_rejected(changes, fragment):
    with pytest.raises(ValidationError) as info:
        Entry.model_validate(entry(**changes))
    assert fragment in str(info.value)


def test_definitions_need_no_validity_and_recipes_no_equations():
    Entry.model_validate(entry(kind="definition", validity={}))
    recipe = entry(kind="recipe", equations={}, examples=[], validity={},
                   table=[{"model": "GPT-3 Small", "where": "Table 2.1", "N": 1.25e8, "schedule": "cosine"}])
    parsed = Entry.model_validate(recipe)
    assert parsed.table[0].numbers() == {"N": 1.25e8}
    assert parsed.table[0].texts() == {"schedule": "cosine"}


def test_json_schema_forbids_extra_keys():
    schema = entry_json_schema()
    assert schema["additionalProperties"] is False
    assert "id" in schema["required"] and "changelog" in schema["required"]


def test_committed_schema_is_current():
    committed = (ROOT / "schema" / "entry.schema.json").read_text(encoding="utf-8")
    assert committed == entry_json_schema_text(), "run: hpguide schema > schema/entry.schema.json"


def test_schema_command_prints_the_committed_schema():
    out = subprocess.run([sys.executable, "-m", "hpguide", "schema"], capture_output=True, text=True, check=True)
    assert out.stdout == (ROOT / "schema" / "entry.schema.json").read_text(encoding="utf-8")


@pytest.mark.parametrize("release", ["0.1.0", "1.2.0-rc.1", "2026.01", "v3"])
def test_release_file_accepts_versions(release):
    assert ReleaseFile.model_validate({"release": release}).release == release


@pytest.mark.parametrize("data", [
    {"release": "0.1.0\nimport os; os.system('id')"}, {"release": "0.1.0\n"}, {"release": "0.1.0 beta"},
    {"release": "0.1.0+local"}, {"release": '0.1.0"'}, {"release": ""}, {"release": "-rc"}, {"release": "1" * 65},
    {"release": 0.1}, {"release": 1}, {"release": "0.1.0", "command": ["sh", "-c", "id"]}, {},
])
def test_release_file_refuses_anything_else(data):
    with pytest.raises(ValidationError):
        ReleaseFile.model_validate(data)
