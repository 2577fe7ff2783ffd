"""CONTRIBUTING.md: its example entry is a valid entry that reproduces its example."""

from __future__ import annotations

import re

from hpguide.kb.validate import validate_kb

from ..conftest import KB, ROOT

TEXT = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")


def test_the_example_entry_validates(make_kb):
    (block,) = [b for b in re.findall(r"```yaml\n(.*?)```", TEXT, flags=re.S) if b.lstrip().startswith("# yaml-")]
    entry_id = re.search(r"^id: (\S+)", block, flags=re.M).group(1)
    related = KB / "accounting" / "deepseek-2024-flops-per-token.yaml"  # the entry it links to
    root = make_kb({f"learning-rate/{entry_id}.yaml": block}, copy=[related])
    kb, problems = validate_kb(root)
    assert problems == [], [str(p) for p in problems]
    assert kb.entries[entry_id].entry.examples


def test_every_command_it_lists_exists():
    from hpguide.cli.main import build_parser

    commands = set(build_parser()._subparsers._group_actions[0].choices)
    shell = "".join(re.findall(r"```sh\n(.*?)```", TEXT, flags=re.S))
    listed = set(re.findall(r"^hpguide (\w+)", shell, flags=re.M))
    assert listed and listed <= commands, listed - commands
