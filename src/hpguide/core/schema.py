"""The entry format: pydantic models of an entry and of the symbol registry.

These models are the contributor contract (DESIGN.md, "The entry format").
They check the shape of one file; checks that need the registry, the formula
engine or other entries live in :mod:`hpguide.kb.validate`.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "ID_PATTERN",
    "SYMBOL_PATTERN",
    "Status",
    "Kind",
    "Source",
    "Constant",
    "Example",
    "ChangelogItem",
    "Related",
    "TableRow",
    "DataTable",
    "Bounds",
    "Breakdown",
    "OutputBound",
    "Uncertainty",
    "CONTEXT_KEYS",
    "Context",
    "Entry",
    "SymbolDef",
    "Registry",
    "RELEASE_PATTERN",
    "ReleaseFile",
    "bounds_payload",
    "entry_json_schema",
    "entry_json_schema_text",
]

ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
SYMBOL_PATTERN = r"^[A-Za-z][A-Za-z0-9_]*$"
ARXIV_PATTERN = r"^\d{4}\.\d{4,5}$"

Status = Literal["draft", "stable", "disputed", "superseded", "withdrawn"]
Kind = Literal["definition", "law", "rule", "recipe", "parameterization", "schedule"]
RelatedType = Literal[
    "refit-of", "refitted-by", "corrects", "supersedes", "derived-from", "similar", "conflicts-with", "uses"
]

Text = Annotated[str, Field(min_length=1)]
Number = Annotated[float, Field(allow_inf_nan=False)]
EntryId = Annotated[str, Field(pattern=ID_PATTERN, max_length=80)]
SymbolName = Annotated[str, Field(pattern=SYMBOL_PATTERN, max_length=40)]
Range = Annotated[list[Number], Field(min_length=2, max_length=2)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Source(_Model):
    """A publication (or official repository) an entry takes numbers from."""

    arxiv: Annotated[str, Field(pattern=ARXIV_PATTERN)] | None = None
    url: Annotated[str, Field(pattern=r"^https?://\S+$")] | None = None
    doi: Annotated[str, Field(pattern=r"^10\.\d{4,9}/\S+$")] | None = None
    title: Text
    authors: Annotated[list[Text], Field(min_length=1)]
    year: Annotated[int, Field(ge=1950, le=2100)]
    venue: Text | None = None
    where: Annotated[str, Field(min_length=2)] = Field(
        description="Locator: the table, equation, section or file the numbers come from."
    )

    @model_validator(mode="after")
    def _has_identifier(self) -> Source:
        if not (self.arxiv or self.url or self.doi):
            raise ValueError("a source needs an arxiv id, a doi or a url")
        return self


class Constant(_Model):
    """A fitted or published number used by the entry's equations."""

    value: Number
    where: Annotated[str, Field(min_length=2)] = Field(description="Locator of this number in the source.")
    printed: Number | None = Field(
        default=None, description="The value as printed, when it differs from `value` (rounding, typo)."
    )
    note: Text | None = None


class Example(_Model):
    """A test vector taken from the source: given inputs, expected outputs."""

    given: dict[SymbolName, Number]
    expect: Annotated[dict[SymbolName, Number], Field(min_length=1)]
    rel_tol: Annotated[float, Field(gt=0, le=1)]
    where: Annotated[str, Field(min_length=2)]
    derived: bool = Field(
        default=False, description="True when the source prints no such number and hpguide computed it."
    )
    printed: dict[SymbolName, Number] | None = Field(
        default=None, description="Values as printed in the source when they differ (typos)."
    )
    note: Text | None = None


class ChangelogItem(_Model):
    version: Annotated[int, Field(ge=1)]
    date: _dt.date = Field(strict=False)
    change: Text


class Related(_Model):
    id: EntryId
    type: RelatedType
    note: Text | None = None


class TableRow(BaseModel):
    """One published configuration. Besides ``model`` and ``where``, each key is
    a registered symbol (a number) or a free-text column such as ``schedule``."""

    model_config = ConfigDict(extra="allow", frozen=True)

    model: Text
    where: Annotated[str, Field(min_length=2)]
    note: Text | None = None

    @model_validator(mode="after")
    def _cells(self) -> TableRow:
        for key, value in (self.model_extra or {}).items():
            if not re.match(SYMBOL_PATTERN, key):
                raise ValueError(f"column name {key!r} is not a valid symbol name")
            if isinstance(value, bool) or not isinstance(value, (int, float, str)):
                raise ValueError(f"cell {key!r} must be a number or text")
            if isinstance(value, float) and not math.isfinite(value):
                raise ValueError(f"cell {key!r} is not finite")
        return self

    def numbers(self) -> dict[str, float]:
        """The numeric cells of the row, by symbol."""
        return {
            k: float(v)
            for k, v in (self.model_extra or {}).items()
            if isinstance(v, (int, float)) and not isinstance(v, bool)
        }

    def texts(self) -> dict[str, str]:
        """The free-text cells of the row."""
        return {k: v for k, v in (self.model_extra or {}).items() if isinstance(v, str)}


class DataTable(_Model):
    """Source data an entry was fitted on, so anyone can redo the fit."""

    columns: Annotated[list[SymbolName], Field(min_length=1)]
    rows: Annotated[list[list[Number]], Field(min_length=1)]
    where: Annotated[str, Field(min_length=2)]
    fit: Text | None = Field(default=None, description="How the constants were fitted from these rows.")

    @model_validator(mode="after")
    def _rectangular(self) -> DataTable:
        for i, row in enumerate(self.rows):
            if len(row) != len(self.columns):
                raise ValueError(f"row {i + 1} has {len(row)} cells, expected {len(self.columns)}")
        return self


BoundValue = Number | SymbolName


class Bounds(_Model):
    """A side on each end: ``above``/``at_least`` (lower, exclusive/inclusive), ``below``/``at_most`` (upper).

    A bound is a number or the name of another quantity (a registry symbol, or
    in an entry one of its constants), compared when that quantity is known.
    """

    above: BoundValue | None = None
    at_least: BoundValue | None = None
    below: BoundValue | None = None
    at_most: BoundValue | None = None

    @model_validator(mode="after")
    def _one_per_side(self) -> Bounds:
        if self.above is not None and self.at_least is not None:
            raise ValueError("give one lower bound: above (exclusive) or at_least (inclusive)")
        if self.below is not None and self.at_most is not None:
            raise ValueError("give one upper bound: below (exclusive) or at_most (inclusive)")
        if all(v is None for v in (self.above, self.at_least, self.below, self.at_most)):
            raise ValueError("give at least one of above, at_least, below, at_most")
        return self


class Breakdown(Bounds):
    """Where the source says the law stops holding: ``{symbol: N_ne, above: 1.0e10, where: ...}``.

    Here the sides name the region where it breaks down (above 1e10), not where it holds.
    """

    symbol: SymbolName
    where: Annotated[str, Field(min_length=2)] = Field(description="The source's locator for the statement.")
    note: Text | None = None


class OutputBound(Bounds):
    """Values of an output that are not answers (e.g. a loss below the entry's irreducible term ``E``)."""

    why: Text


ContextKey = Literal["data", "tokenizer", "optimizer", "schedule", "parameterization", "batch_unit", "n_convention"]
#: The conditions an entry's numbers were measured under, in the order reports show them.
CONTEXT_KEYS: tuple[str, ...] = ("data", "tokenizer", "optimizer", "schedule", "parameterization", "batch_unit",
                                 "n_convention")


class Context(_Model):
    """The conditions the entry's numbers hold under: two numbers are compared only when these agree."""

    data: Text | None = Field(default=None, description="Training (and evaluation) data, e.g. MassiveText.")
    tokenizer: Text | None = Field(default=None, description="e.g. GPT-2 BPE (50,257), SentencePiece 32k.")
    optimizer: Text | None = Field(default=None, description="e.g. AdamW; Adam then Adafactor above 1B.")
    schedule: Text | None = Field(default=None, description="e.g. cosine to 10% of peak; WSD.")
    parameterization: Text | None = Field(default=None, description="e.g. SP (standard), muP, CompleteP.")
    batch_unit: Literal["tokens", "sequences"] | None = Field(default=None, description="What B counted in the source.")
    n_convention: Literal["total", "non-embedding", "non-embedding FLOPs"] | None = Field(
        default=None, description="What the source's model size counted.")


class Uncertainty(_Model):
    """The source's uncertainty of some constants, as draws (released bootstrap refits) or a normal
    (mean and covariance of the listed constants). Queries show the central ``level`` band of each answer."""

    method: Literal["bootstrap", "covariance"]
    level: Annotated[float, Field(gt=0, lt=1)] = 0.9
    origin: Literal["published", "recomputed"] = Field(
        default="published",
        description="published: the source's own draws or covariance; recomputed: hpguide redid the source's "
                    "stated method on the source's data because the source publishes only summaries (the note "
                    "says how, and how the result was checked against what the source prints).")
    constants: Annotated[list[SymbolName], Field(min_length=1)]
    draws: list[list[Number]] | None = Field(default=None, description="bootstrap: one row of constants per refit.")
    mean: list[Number] | None = None
    covariance: list[list[Number]] | None = None
    where: Annotated[str, Field(min_length=2)] = Field(description="Where the source publishes it.")
    note: Text | None = None

    @model_validator(mode="after")
    def _shape(self) -> Uncertainty:
        k = len(self.constants)
        if self.method == "bootstrap":
            if not self.draws or len(self.draws) < 20 or any(len(row) != k for row in self.draws):
                raise ValueError(f"bootstrap draws: at least 20 rows of {k} values (one per constant)")
            if self.mean is not None or self.covariance is not None:
                raise ValueError("bootstrap uncertainty takes draws, not mean/covariance")
        else:
            if self.mean is None or len(self.mean) != k or self.covariance is None or len(self.covariance) != k \
                    or any(len(row) != k for row in self.covariance):
                raise ValueError(f"covariance uncertainty: a mean of {k} values and a {k}x{k} covariance")
            if any(abs(self.covariance[i][j] - self.covariance[j][i]) > 1e-12 * (1 + abs(self.covariance[i][j]))
                   for i in range(k) for j in range(k)):
                raise ValueError("the covariance must be symmetric")
            if self.draws is not None:
                raise ValueError("covariance uncertainty takes mean/covariance, not draws")
        if self.origin == "recomputed" and not self.note:
            raise ValueError("recomputed uncertainty needs a note: how it was recomputed and checked")
        return self


class Entry(_Model):
    """One heuristic: a published formula, rule, recipe table or parameterisation."""

    id: EntryId
    version: Annotated[int, Field(ge=1)]
    status: Status
    superseded_by: EntryId | None = None
    status_note: Text | None = Field(default=None, description="Why an entry is disputed or withdrawn.")
    kind: Kind
    title: Annotated[str, Field(min_length=3, max_length=120)]
    topics: Annotated[list[EntryId], Field(min_length=1)]
    summary: Annotated[str, Field(min_length=10)]
    sources: Annotated[list[Source], Field(min_length=1)]
    constants: dict[SymbolName, Constant] = Field(default_factory=dict)
    equations: dict[SymbolName, Annotated[str, Field(min_length=1, max_length=1000)]] = Field(default_factory=dict)
    validity: dict[SymbolName, Range] = Field(default_factory=dict)
    warnings: list[Text] = Field(
        default_factory=list, description="Caveats shown beside every result of this entry."
    )
    defaults_for: list[SymbolName] = Field(
        default_factory=list,
        description="Outputs the resolver may use to fill in a missing input (listed as an assumption).",
    )
    refines: list[EntryId] = Field(
        default_factory=list,
        description="Definitions this one details (a definition only): where every input of one of its "
                    "equations is known, that equation is used and the refined entries' equations for the "
                    "same quantity are neither used nor checked against it.",
    )
    examples: list[Example] = Field(default_factory=list)
    table: list[TableRow] | None = None
    data: DataTable | None = None
    related: list[Related] = Field(default_factory=list)
    breaks_down: list[Breakdown] = Field(
        default_factory=list,
        description="Where the source says the law breaks down; answers there are shown as not usable.")
    output_bounds: dict[SymbolName, OutputBound] = Field(
        default_factory=dict,
        description="Values of an output that are not answers, beyond the registry's physical bounds.")
    uncertainty: Uncertainty | None = Field(
        default=None, description="The source's uncertainty of constants; queries show a band for the answers.")
    context: Context | None = Field(
        default=None, description="The conditions the numbers were measured under (data, tokenizer, optimizer ...).")
    no_printed_example: Text | None = Field(
        default=None,
        description="Why the source prints no value an example could check (a draft law or rule says so).")
    unranged: dict[SymbolName, Text] = Field(
        default_factory=dict,
        description="Inputs the equations read that have no validity range, each with the reason.")
    changelog: Annotated[list[ChangelogItem], Field(min_length=1)]

    @field_validator("validity")
    @classmethod
    def _ranges_ordered(cls, value: dict[str, list[float]]) -> dict[str, list[float]]:
        for name, (lo, hi) in value.items():
            if lo > hi:
                raise ValueError(f"validity range of {name} is reversed: [{lo}, {hi}]")
        return value

    @model_validator(mode="after")
    def _lifecycle_and_kind(self) -> Entry:
        if self.status == "superseded" and not self.superseded_by:
            raise ValueError("a superseded entry names its successor in superseded_by")
        if self.superseded_by and self.status != "superseded":
            raise ValueError("superseded_by is only for entries with status: superseded")
        if self.refines and self.kind != "definition":
            raise ValueError("refines is only for definitions (it orders exact definitions of the same quantity)")
        if self.status in ("disputed", "withdrawn") and not self.status_note:
            raise ValueError(f"a {self.status} entry says why in status_note")
        if self.kind == "recipe":
            if not self.table:
                raise ValueError("a recipe entry carries a table of published configs")
        else:
            if not self.equations:
                raise ValueError(f"a {self.kind} entry needs at least one equation")
            if not self.examples:
                raise ValueError(f"a {self.kind} entry needs at least one example from its source")
        if self.kind not in ("definition", "recipe") and not self.validity:
            raise ValueError(f"a {self.kind} entry states the range its source fitted or tested (validity)")
        versions = [item.version for item in self.changelog]
        if versions != sorted(versions) or len(set(versions)) != len(versions):
            raise ValueError("changelog versions must increase")
        if versions[-1] != self.version:
            raise ValueError(f"the last changelog item is version {versions[-1]}, but version is {self.version}")
        return self


# ---------------------------------------------------------------------------- registry

Unit = Literal[
    "params", "tokens", "FLOPs", "FLOPs/token", "PF-days", "sequences", "steps", "dimensionless",
    "nats/token", "count",
]
Group = Literal[
    "size", "shape", "allocation", "compute", "batch-size", "learning-rate", "schedule", "optimizer", "loss",
    "parameterization",
]


class SymbolDef(_Model):
    """A canonical quantity of the registry (``heuristics/symbols.yaml``)."""

    meaning: Text
    unit: Unit
    group: Group
    convention: Text | None = None
    typical: Range
    latex: Text | None = None
    comparable_by: list[ContextKey] = Field(
        default_factory=list,
        description="Context keys two entries' values of this quantity must share to be compared or pooled.")
    physical: Bounds | None = Field(
        default=None,
        description="Values that are physically possible (default: above 0); a result outside is not usable.")


class Registry(_Model):
    version: Annotated[int, Field(ge=1)]
    symbols: Annotated[dict[SymbolName, SymbolDef], Field(min_length=1)]

    @model_validator(mode="after")
    def _bounds_name_symbols(self) -> Registry:
        for name, definition in self.symbols.items():
            bounds = definition.physical
            for side in ("above", "at_least", "below", "at_most"):
                value = getattr(bounds, side) if bounds else None
                if isinstance(value, str) and value not in self.symbols:
                    raise ValueError(f"symbols.{name}.physical.{side}: {value!r} is not a registered symbol")
        return self


def bounds_payload(bounds: Bounds | None, names: dict[str, float] | None = None) -> dict[str, Any]:
    """A plain form of ``bounds`` for the compiled KB: ``{lo, lo_open, hi, hi_open}``.

    ``names`` maps constant names to their values (an entry's output bounds);
    names not in it stay names (registry bounds on other symbols). No bounds:
    the default of every registry quantity, above 0.
    """
    if bounds is None:
        return {"lo": 0.0, "lo_open": True, "hi": None, "hi_open": False}
    names = names or {}

    def value(v: float | str | None) -> float | str | None:
        return names.get(v, v) if isinstance(v, str) else v

    lo = bounds.above if bounds.above is not None else bounds.at_least
    hi = bounds.below if bounds.below is not None else bounds.at_most
    return {"lo": value(lo), "lo_open": bounds.above is not None, "hi": value(hi), "hi_open": bounds.below is not None}


# ---------------------------------------------------------------------------- release file

#: A release such as ``0.1.0`` or ``1.2.0-rc.1``. No ``+``: it separates the release from the content hash in
#: ``kb_version`` (``0.1.0+4b74e5cd9f8d``). No spaces, quotes or line breaks: the release is printed in output
#: and in the headers of generated scripts and configs.
RELEASE_PATTERN = r"^[0-9A-Za-z][0-9A-Za-z.-]{0,63}$"


class ReleaseFile(_Model):
    """``heuristics/kb.yaml``: the release of the KB (not an entry)."""

    release: Annotated[str, Field(pattern=RELEASE_PATTERN)] = Field(
        description="The KB's release, semantic versioning (e.g. 0.1.0)."
    )


def entry_json_schema() -> dict[str, Any]:
    """The JSON Schema of an entry file, as committed in ``schema/entry.schema.json``."""
    schema = Entry.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://hpguide.invalid/schema/entry.schema.json",
        **schema,
    }


def entry_json_schema_text() -> str:
    """The committed schema file's exact text."""
    return json.dumps(entry_json_schema(), indent=2, sort_keys=True) + "\n"
