"""Rendering a :class:`~hpguide.resolver.resolve.QueryResult` for people: terminal text and Markdown.

JSON needs no renderer: :meth:`QueryResult.to_dict` is the contract, dumped
with sorted keys so that two runs give byte-identical output.
"""

from __future__ import annotations

from ..core.quantities import format_computed, format_exact
from ..resolver.phrases import band_text, context_text, conventions_text
from ..resolver.resolve import GROUP_ORDER, QueryResult, Result
from ..resolver.summary import summary_line

TYPE_CHECKING = False  # no run-time typing import (start-up time)
if TYPE_CHECKING:
    from collections.abc import Mapping

    from ..resolver.resolve import Spread

__all__ = ["GROUP_TITLES", "to_json", "to_text", "to_markdown", "explain"]

GROUP_TITLES = {
    "learning-rate": "Learning rate (peak)",
    "batch-size": "Batch size",
    "allocation": "Tokens and parameters (allocation)",
    "loss": "Expected loss",
    "schedule": "Schedule and warmup",
    "optimizer": "Weight decay and Adam settings",
    "parameterization": "Parameterisation (per-group transfer)",
    "shape": "Shape",
    "size": "Size",
    "compute": "Compute",
}
CONFIG_COLUMNS = ("N", "d_model", "n_layers", "eta", "B", "D", "seq_len")


def q(value: float) -> str:
    """A value hpguide computed, the way people write it, to 3 significant digits (6.44B, 2.48e-4, 4096)."""
    return format_computed(value)


def exact(value: float) -> str:
    """A value the user gave or a source published, exactly (125M, 405B, 15.6T, 128k)."""
    return format_exact(value)


def spread_text(spread: Spread) -> str:
    """One comparable group's spread as one phrase (what it pools, its range, what it left out)."""
    ratio = f" ({q(spread.max_min_ratio)}x)" if spread.max_min_ratio else ""
    alike = f" comparable ({conventions_text(spread.conventions)})" if spread.conventions else ""
    overlap = {True: "; their bands overlap", False: "; their bands do not overlap", None: ""}[spread.bands_overlap]
    return (f"spread over {spread.n}{alike} in range: {q(spread.min)} .. {q(spread.max)}{ratio}, "
            f"median {q(spread.median)}" + overlap
            + (f"; {spread.n_out_of_range} more out of range" if spread.n_out_of_range else "")
            + (f"; {spread.n_unusable} with no usable value" if spread.n_unusable else ""))


def to_json(result: QueryResult) -> str:
    from ..core.jsontext import dumps  # not json: it imports re and enum (start-up, bench_query.py)

    return dumps(result.to_dict()) + "\n"


def _grouped(result: QueryResult) -> list[tuple[str, list[Result]]]:
    groups: dict[str, list[Result]] = {}
    for r in result.results:
        groups.setdefault(r.group, []).append(r)
    order = [g for g in GROUP_ORDER if g in groups] + sorted(g for g in groups if g not in GROUP_ORDER)
    return [(g, groups[g]) for g in order]


def _by_symbol(rows: list[Result]) -> list[tuple[str, list[Result]]]:
    out: dict[str, list[Result]] = {}
    for r in rows:
        out.setdefault(r.symbol, []).append(r)
    return list(out.items())


def _inputs_line(values: Mapping[str, float]) -> str:
    return "   ".join(f"{k} = {exact(v)}" for k, v in values.items()) or "(none)"


def to_text(result: QueryResult, meanings: Mapping[str, str] | None = None, brief: bool = False) -> str:
    """The terminal report: hpguide's summary per quantity first, then the grouped results (every row, with
    its source and caveats), the nearest configs. ``brief``: the summaries only."""
    meanings = meanings or {}
    lines = [f"hpguide query  (KB {result.kb_version})", ""]
    lines.append(f"You gave    {_inputs_line(result.inputs)}")
    if result.derived:
        derived = "   ".join(f"{d.symbol} = {q(d.value)}" for d in result.derived)
        lines.append(f"Derived     {derived}   (exact definitions; 'hpguide explain SYMBOL' shows how)")
    for a in result.assumptions:
        lines.append(f"ASSUMED     {a.symbol} = {exact(a.value)}   [{a.entry}] {a.why}")
    for c in result.conflicts:
        lines.append(f"CONFLICT    {c.message}")
    if result.summary:
        lines += ["", "Summary: hpguide's synthesis per quantity (not a published value; the rule under each "
                      "quantity below" + (", without --brief" if brief else "") + ")"]
        for group, rows in _grouped(result):
            lines.append(f"  {GROUP_TITLES.get(group, group)}")
            for symbol, _ in _by_symbol(rows):
                summary = result.summary.get(symbol)
                if summary is None:
                    continue
                lines.append(f"    {symbol:<16} {summary_line(summary).removeprefix('hpguide synthesis: ')}")
                lines += [f"{'':21}{flag}" for flag in summary.flags]
    if brief:
        return "\n".join(lines) + "\n"
    for group, rows in _grouped(result):
        lines += ["", GROUP_TITLES.get(group, group)]
        for symbol, items in _by_symbol(rows):
            unit = items[0].unit
            meaning = meanings.get(symbol, "")
            lines.append(f"  {symbol}: {meaning} [{unit}]" if meaning else f"  {symbol} [{unit}]")
            if symbol in result.summary:
                lines.append(f"{'':5}summary rule: {result.summary[symbol].rule}")
            for r in items:
                if not r.usable:
                    lines.append(f"   x {'no value':>9}  {r.entry} v{r.entry_version}   {r.reference}")
                    lines.append(f"{'':16}no usable value here: {r.why}")
                    continue
                flag = " " if r.in_range else "!"
                lines.append(f"   {flag} {q(r.value):>9}  {r.entry} v{r.entry_version}   {r.reference}")
                if r.band:
                    lines.append(f"{'':16}{band_text(r.band)}")
                if r.context:
                    lines.append(f"{'':16}{context_text(r.context)}")
                for note in r.notes:
                    lines.append(f"{'':16}{note}")
            for spread in result.spread_groups.get(symbol, []):
                if spread.n >= 2:
                    lines.append(f"{'':5}{spread_text(spread)}")
    if not result.results:
        lines += ["", "No heuristic applies to these inputs yet (see 'Not applicable' below)."]
    if result.nearest_configs:
        lines += ["", "Nearest published configs"]
        header = f"  {'model':<22}" + "".join(f"{c:>10}" for c in CONFIG_COLUMNS) + "  schedule"
        lines.append(header)
        for cfg in result.nearest_configs:
            cells = "".join(f"{exact(cfg.values[k]) if k in cfg.values else '-':>10}" for k in CONFIG_COLUMNS)
            schedule = cfg.texts.get("schedule", "")
            lines.append(f"  {cfg.model[:22]:<22}{cells}  {schedule[:60]}")
        lines.append(f"{'':2}(from {', '.join(sorted({c.entry for c in result.nearest_configs}))})")
    if result.skipped:
        lines += ["", "Not applicable (missing inputs; add them with --set SYMBOL=VALUE)"]
        for s in result.skipped:
            lines.append(f"  {s.entry}: needs {', '.join(s.missing)}")
    lines += ["", "'!' marks extrapolation: an input lies outside the range the source fitted; 'x' marks a row "
                  "with no usable value (non-physical, or where the source says the law breaks down)."]
    for note in result.notes:
        lines.append(f"NOTE: {note}")
    return "\n".join(lines) + "\n"


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|")


def to_markdown(result: QueryResult, brief: bool = False) -> str:
    """The same report as Markdown tables, for pasting into a document (``brief``: the summaries only)."""
    out = [f"## hpguide query (KB `{result.kb_version}`)", ""]
    out.append("**Inputs:** " + ", ".join(f"`{k}` = {exact(v)}" for k, v in result.inputs.items()))
    if result.derived:
        out.append("")
        out.append("**Derived:** " + ", ".join(f"`{d.symbol}` = {q(d.value)} ({d.entry})" for d in result.derived))
    if result.assumptions:
        out += ["", "**Assumptions:**", ""]
        out += [f"- `{a.symbol}` = {exact(a.value)} from `{a.entry}`: {_md_escape(a.why)}" for a in result.assumptions]
    for c in result.conflicts:
        out += ["", f"> **Conflict:** {_md_escape(c.message)}"]
    if result.summary:
        out += ["", "### Summary (hpguide's synthesis, not a published value)", "",
                "| quantity | start | sweep range | points | laws in range | configs at this scale | rule |",
                "|---|---|---|---|---|---|---|"]
        for _, rows in _grouped(result):
            for symbol, _ in _by_symbol(rows):
                sm = result.summary.get(symbol)
                if sm is None:
                    continue
                start = q(sm.start) if sm.start is not None else "-"
                span = f"{q(sm.range[0])} .. {q(sm.range[1])}" if sm.range else "-"
                configs = f"{sm.configs['n']}" if sm.configs else "0"
                rule = "; ".join([sm.rule, *sm.flags])
                out.append(f"| `{symbol}` | {start} | {span} | {len(sm.points or [])} | {sm.n_in_range} of "
                           f"{sm.n_usable} | {configs} | {_md_escape(rule)} |")
    if brief:
        return "\n".join(out) + "\n"
    for group, rows in _grouped(result):
        out += ["", f"### {GROUP_TITLES.get(group, group)}", "",
                "| quantity | value | in range | entry | fitted under | source |", "|---|---|---|---|---|---|"]
        for r in rows:
            value = q(r.value) if r.usable else f"no usable value: {_md_escape(r.why or '')}"
            if r.usable and r.band:
                value += f" ({_md_escape(band_text(r.band))})"
            status = "" if r.status == "stable" else f" ({r.status})"
            out.append(f"| `{r.symbol}` | {value} | {'yes' if r.in_range else '**no**'} | "
                       f"`{r.entry}` v{r.entry_version}{status} | {_md_escape(context_text(r.context))} | "
                       f"{_md_escape(r.reference)} |")
        for symbol in dict.fromkeys(r.symbol for r in rows):
            for spread in result.spread_groups.get(symbol, []):
                if spread.n >= 2:
                    out.append(f"\n`{symbol}`: {_md_escape(spread_text(spread))}.")
    if result.nearest_configs:
        out += ["", "### Nearest published configs", "",
                "| model | " + " | ".join(CONFIG_COLUMNS) + " | source |",
                "|---|" + "---|" * (len(CONFIG_COLUMNS) + 1)]
        for cfg in result.nearest_configs:
            cells = " | ".join(exact(cfg.values[k]) if k in cfg.values else "" for k in CONFIG_COLUMNS)
            out.append(f"| {_md_escape(cfg.model)} | {cells} | `{cfg.entry}`, {_md_escape(cfg.where)} |")
    return "\n".join(out) + "\n"


def explain(result: QueryResult, symbol: str) -> str:
    """How each value of ``symbol`` was obtained, back to the user's inputs."""
    lines: list[str] = []
    provenance: dict[str, str] = dict.fromkeys(result.inputs, "given")
    provenance.update({a.symbol: f"assumed from {a.entry}" for a in result.assumptions})
    assumed = {a.symbol for a in result.assumptions}
    derived = {d.symbol: d for d in result.derived}
    provenance.update({d.symbol: f"derived by {d.entry}" for d in result.derived})

    def chain(name: str, depth: int, seen: set[str]) -> None:
        if name in seen:
            return
        seen.add(name)
        pad = "    " * depth
        if name in result.inputs:
            lines.append(f"{pad}{name} = {exact(result.inputs[name])}   (given)")
        elif name in derived:
            d = derived[name]
            lines.append(f"{pad}{name} = {q(d.value)}   from {d.entry}: {d.formula}")
            for inp in d.inputs:
                chain(inp, depth + 1, seen)
        else:
            for a in result.assumptions:
                if a.symbol == name:
                    lines.append(f"{pad}{name} = {exact(a.value)}   ASSUMED from {a.entry}: {a.why}")

    rows = result.results_for(symbol)
    if symbol in result.inputs or symbol in derived or any(a.symbol == symbol for a in result.assumptions):
        chain(symbol, 0, set())
    for r in rows:
        shown = q(r.value) if r.usable else f"no usable value ({r.why}; the formula gives {q(r.value)})"
        lines.append(f"{symbol} = {shown}   by {r.entry} v{r.entry_version} ({r.citation})")
        lines.append(f"    formula: {r.formula}")
        for name, value in r.inputs.items():
            shown = exact(value) if name in result.inputs or name in assumed else q(value)
            lines.append(f"    with {name} = {shown}   ({provenance.get(name, 'computed in the entry')})")
            if name in derived:
                chain(name, 2, set())
        lines.append(f"    in range: {'yes' if r.in_range else 'NO'}")
        if r.usable and r.band:
            lines.append(f"    {band_text(r.band)}")
        if r.context:
            lines.append(f"    {context_text(r.context)}")
        for w in r.warnings:
            lines.append(f"    - {w}")
        lines.append("")
    if not lines:
        return ""
    return "\n".join(lines).rstrip() + "\n"
