"""docs/threat-model.md names the test that holds each line: every test it names exists."""

from __future__ import annotations

import ast
import re

from .conftest import ROOT

TEXT = (ROOT / "docs" / "threat-model.md").read_text(encoding="utf-8")


def test_every_test_the_threat_model_names_exists():
    cited = re.findall(r"`(tests/[\w/]+\.py)(?:::(\w+))?`", TEXT)
    assert len(cited) >= 20
    missing = []
    for path, name in cited:
        source = ROOT / path
        if not source.is_file():
            missing.append(path)
            continue
        names = {node.name for node in ast.walk(ast.parse(source.read_text(encoding="utf-8")))
                 if isinstance(node, ast.FunctionDef)}
        if name and name not in names:
            missing.append(f"{path}::{name}")
    assert missing == []
