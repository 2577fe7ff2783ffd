"""One parametrised test over every entry of the shipped KB."""

from __future__ import annotations

import pytest

from hpguide.kb.load import load_kb
from hpguide.kb.validate import check_examples, probe_relations

from ..conftest import KB

_KB = load_kb(KB)
IDS = sorted(_KB.entries)


def test_kb_loads_without_diagnostics():
    assert [str(d) for d in _KB.diagnostics] == []


@pytest.mark.parametrize("entry_id", IDS)
def test_entry(entry_id):
    item = _KB.entries[entry_id]
    entry = item.entry
    # traceability: every source and every constant has a locator
    assert all(s.where.strip() for s in entry.sources)
    assert all(c.where.strip() for c in entry.constants.values())
    if entry.kind != "recipe":
        assert entry.examples, "every entry but a recipe reproduces at least one number of its source"
        assert all(ex.where.strip() for ex in entry.examples)
    else:
        assert all(row.where.strip() for row in entry.table)
    if entry.kind not in ("definition", "recipe"):
        assert entry.validity, "laws, rules, schedules and parameterisations state their fitted range"
    assert len(item.relations) == len(entry.equations)
    assert [str(d) for d in probe_relations(item, _KB)] == []
    assert [str(d) for d in check_examples(item)] == []
    assert item.path.endswith(f"{entry.id}.yaml")
