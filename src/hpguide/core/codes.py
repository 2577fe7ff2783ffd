"""The validator's stable diagnostic codes, documented in one place.

Codes are never renumbered or reused: scripts, CI logs and reviewers rely on
them. ``hpguide codes`` prints this table and the site renders it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Code", "CODES", "Diagnostic", "describe"]


@dataclass(frozen=True)
class Code:
    code: str
    slug: str
    meaning: str
    fix: str


_TABLE = [
    Code("HPG001", "unreadable-file", "The file is not valid UTF-8 YAML (syntax error, too large, not finite, empty).",
         "Fix the YAML syntax at the line shown; save as UTF-8; numbers must be finite."),
    Code("HPG002", "duplicate-key", "A mapping defines the same key twice.",
         "Keep one of the two keys; YAML would silently drop one."),
    Code("HPG003", "forbidden-yaml", "A YAML tag (!!python/...), anchor or alias is used.",
         "Write plain values: entries never need tags, anchors or aliases."),
    Code("HPG004", "missing-key", "A required key is missing.",
         "Add the key; see the entry format in CONTRIBUTING.md or `hpguide schema`."),
    Code("HPG005", "unknown-key", "A key is not part of the entry format (often a typo).",
         "Remove or rename the key; the allowed keys are listed by `hpguide schema`."),
    Code("HPG006", "bad-value", "A value has the wrong type or form, or breaks a rule of the format.",
         "Correct the value as the message says."),
    Code("HPG007", "placeholder", "A value is still a TODO placeholder written by `hpguide new`.",
         "Replace every TODO with the source's own words and numbers (the message names the key)."),
    Code("HPG010", "id-mismatch", "The entry's id is not the file's stem.",
         "Rename the file or the id so that <id>.yaml holds id: <id>."),
    Code("HPG011", "duplicate-id", "Two files declare the same id.",
         "Ids are unique and never reused: pick a new id."),
    Code("HPG012", "unknown-reference",
         "superseded_by, related or refines names an id that does not exist (or refines a non-definition).",
         "Point at an existing entry id (superseded and withdrawn entries stay in the KB)."),
    Code("HPG013", "bad-registry", "heuristics/symbols.yaml is missing or invalid.",
         "Fix the registry; every symbol needs meaning, unit, group and typical."),
    Code("HPG014", "bad-release-file", "heuristics/kb.yaml is invalid: its release is not a version such as 0.1.0, "
         "or it has other keys.",
         "Write one key, release: a version of letters, digits, '.' and '-' (at most 64 characters)."),
    Code("HPG020", "bad-formula", "A formula uses syntax that is not allowed or does not parse.",
         "Use numbers, names, + - * / **, and log, log10, log2, exp, sqrt, min, max, floor, ceil."),
    Code("HPG021", "unknown-symbol", "A name is neither a registered symbol nor one of the entry's constants.",
         "Use a symbol from heuristics/symbols.yaml (add one there if it is new) or declare a constant."),
    Code("HPG022", "shadowed-symbol", "A constant has the name of a registered symbol that the entry also uses.",
         "Rename the constant (e.g. B -> B_c)."),
    Code("HPG023", "bad-output", "An equation's output is not a registered symbol, or is also one of its inputs.",
         "Equations are keyed by the registered symbol they give."),
    Code("HPG024", "nonfinite-result", "An equation gives NaN, infinity or a negative value inside its validity range.",
         "Check the formula and the range; narrow the validity range to what the source tested."),
    Code("HPG025", "unranged-input",
         "An equation reads an input that has no validity range, and the entry does not say why.",
         "Add the range the source fitted or tested to `validity`, or name the input under `unranged` with the "
         "reason (e.g. a convention with no fitted range)."),
    Code("HPG026", "bad-limit",
         "A `breaks_down`, `output_bounds`, `unranged` or registry `physical` item names something the entry "
         "(or registry) does not have.",
         "`breaks_down` names an input of the equations, `output_bounds` an output, with bounds that are numbers "
         "or the entry's constants; `unranged` names inputs without a validity range; registry bounds name "
         "registered symbols."),
    Code("HPG027", "bad-uncertainty",
         "An `uncertainty` block names constants the entry does not have, or its covariance is not positive "
         "definite.",
         "List the entry's own constants, in the order of the draws or the covariance, as the source publishes "
         "them."),
    Code("HPG030", "example-mismatch", "An example does not reproduce within its tolerance.",
         "Check the constants and the formula against the source; a wrong number in the source is recorded "
         "with `printed:` and a note, not by loosening the tolerance."),
    Code("HPG031", "example-underivable", "An example's expected value cannot be computed from its given values.",
         "Give the inputs the equations need, or expect a symbol the entry computes."),
    Code("HPG032", "bad-table", "A recipe table uses a column that is neither a symbol nor a known text column.",
         "Use registered symbols for numbers; text columns are listed in the message."),
    Code("HPG033", "no-printed-example",
         "A law or rule has no example whose expected value its source prints (only values computed by hpguide, "
         "or echoes of its own constants).",
         "Add an example the source prints, with its locator (a table row, a worked number in the text); if the "
         "source prints none, set status: draft and say why under no_printed_example."),
    Code("HPG040", "stale-schema", "The committed JSON Schema differs from the entry models.",
         "Run `hpguide schema > schema/entry.schema.json` and commit it."),
    Code("HPG050", "unbumped-change",
         "Compared with the base revision (`validate --against REV`), an entry's meaning changed (equations, "
         "constants, validity, status, kind, defaults_for or table numbers) but its version did not.",
         "Bump `version` and add a changelog line with the same version, the date and what changed."),
    Code("HPG051", "removed-id",
         "Compared with the base revision, an entry id has disappeared (its file was deleted, or renamed to another "
         "id; moving it to another folder is fine).",
         "Ids are never removed: keep the file and set status: withdrawn (with a status_note) or "
         "status: superseded (with superseded_by)."),
    Code("HPG052", "reused-id",
         "Compared with the base revision, an id now has a different history (its changelog no longer starts "
         "with the old one, or its version went down): the id was reused for a new entry.",
         "Give the new entry a new id; keep the old entry (withdrawn or superseded if need be)."),
]

CODES: dict[str, Code] = {c.code: c for c in _TABLE}


def describe(code: str) -> str:
    """One line: the code, its slug and what it means."""
    item = CODES[code]
    return f"{item.code} {item.slug}: {item.meaning}"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem in the KB, printed as ``path:line: CODE message``."""

    path: str
    line: int
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.code} {self.message}"
