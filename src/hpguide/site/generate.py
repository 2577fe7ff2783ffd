"""The guide site: Markdown pages, plots and calculator data generated from the KB.

:func:`generate` copies the hand-written pages of ``site/`` into a build
directory and writes, from the same entries the command line uses:

- one page per entry (formula as LaTeX from sympy's printer, variables with
  units, constants with locators, validity, sources with BibTeX, examples with
  the reproduced value beside the source's, changelog, related entries, an
  "edit" link to the YAML file, and a plot over the validity range);
- one page per topic, comparison pages (one chart per quantity, all laws and
  the published configs; every law against every published model, the tables
  of ``hpguide compare --all``), the published-configs table, the validator codes,
  the KB changelog, and the calculator's data (the compiled KB as JSON).

:func:`build` then runs MkDocs (strict) on the result. Nothing here is needed
to answer a query.
"""

from __future__ import annotations

import json
import math
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.errors import HpguideError, UsageError
from ..core.quantities import format_number

__all__ = ["SiteSources", "SiteBuildError", "SITE_MARKER", "find_site", "check_out_dir", "generate", "build",
           "REPO_URL"]

REPO_URL = "https://github.com/hpguide/hpguide"


@dataclass(frozen=True)
class SiteSources:
    """The hand-written part of the site: ``site/mkdocs.yml`` and ``site/docs/``."""

    root: Path

    @property
    def docs(self) -> Path:
        return self.root / "docs"

    @property
    def config(self) -> Path:
        return self.root / "mkdocs.yml"


def find_site(explicit: str | os.PathLike[str] | None = None, kb_root: Path | None = None) -> SiteSources:
    """``--site DIR``, else the ``site/`` beside the KB (a checkout)."""
    candidates = [Path(explicit)] if explicit else []
    if kb_root is not None:
        candidates.append(Path(kb_root).resolve().parent / "site")
    candidates.append(Path.cwd() / "site")
    for path in candidates:
        if (path / "mkdocs.yml").is_file() and (path / "docs").is_dir():
            return SiteSources(path)
    raise UsageError("no site sources found (site/mkdocs.yml): run from an hpguide checkout or pass --site DIR")


# ---------------------------------------------------------------------------- small helpers


def _q(value: float) -> str:
    from ..core.quantities import format_quantity

    return format_quantity(value, sig=3)


def _md(text: str) -> str:
    """Free text from an entry, safe in Markdown tables and HTML (no raw HTML from entries)."""
    return " ".join(str(text).split()).replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")


def _latex_names(kb: Any) -> dict[str, str]:
    return {name: (s.latex or name) for name, s in kb.registry.symbols.items()}


def formula_latex(source: str, output: str, kb: Any, constants: dict[str, Any]) -> str:
    """``output = source`` as LaTeX, through the safe parser and sympy's printer."""
    import sympy as sp

    from ..core.formula import parse, symbol

    names = _latex_names(kb)
    formula = parse(source, allowed_names=set(kb.registry.symbols) | set(constants), constants=constants)
    mapping = {}
    for name in formula.names:
        positive = name not in constants
        if name in names and positive:
            mapping[symbol(name, positive)] = names[name]
    rhs = sp.latex(formula.expr, symbol_names=mapping)
    return f"{names.get(output, output)} = {rhs}"


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in text.lower()).strip("-")


# ---------------------------------------------------------------------------- entry pages


def _entry_page(item: Any, kb: Any, plot: str | None) -> str:
    from ..kb.cite import bibtex, short_citation
    from ..kb.validate import ORIGINS, example_counts, example_origin, reproduce_example

    e = item.entry
    lines = ["---", f"title: {json.dumps(e.title)}", "tags:"]
    lines += [f"  - {t}" for t in e.topics]
    lines += ["---", "", f"# {_md(e.title)}", ""]
    badge = {"stable": "stable", "draft": "draft", "disputed": "disputed", "superseded": "superseded",
             "withdrawn": "withdrawn"}[e.status]
    lines.append(f'<span class="hpg-badge hpg-{badge}">{badge}</span> '
                 f'`{e.id}` &middot; version {e.version} &middot; {e.kind} &middot; '
                 + ", ".join(f"[{t}](../topics/{t}.md)" for t in e.topics))
    lines.append("")
    if e.status_note:
        kind = "warning" if e.status in ("disputed", "withdrawn") else "note"
        lines += [f'!!! {kind} "Status: {e.status}"', f"    {_md(e.status_note)}", ""]
    if e.superseded_by:
        lines += [f"Superseded by [{e.superseded_by}]({e.superseded_by}.md).", ""]
    lines += [_md(e.summary), ""]
    constants = {k: c.value for k, c in e.constants.items()}
    if e.equations:
        lines += ["## Formula", ""]
        for output, source in e.equations.items():
            try:
                latex = formula_latex(source, output, kb, constants)
                lines += ["$$", latex, "$$", ""]
            except Exception:  # noqa: BLE001 - the page still shows the source text
                pass
            lines += [f"`{output} = {source}`", ""]
        used = sorted({n for s in e.equations.values() for n in _names(s)} | set(e.equations))
        symbols = [n for n in used if n in kb.registry.symbols and n not in constants]
        if symbols:
            lines += ["### Variables", "", "| symbol | meaning | unit | convention |", "|---|---|---|---|"]
            for name in symbols:
                s = kb.registry.symbols[name]
                lines.append(f"| ${_latex_names(kb)[name]}$ (`{name}`) | {_md(s.meaning)} | {s.unit} | "
                             f"{_md(s.convention or '')} |")
            lines.append("")
    if e.constants:
        lines += ["## Constants", "", "| name | value | as printed | where |", "|---|---|---|---|"]
        for name, c in e.constants.items():
            printed = format_number(c.printed) if c.printed is not None else ""
            note = f" {_md(c.note)}" if c.note else ""
            lines.append(f"| `{name}` | {format_number(c.value)} | {printed} | {_md(c.where)}{note} |")
        lines.append("")
    if e.validity:
        lines += ["## Validity", "", "The range the source fitted or tested; outside it `hpguide query` flags "
                  "the result as extrapolation.", "", "| symbol | from | to |", "|---|---|---|"]
        lines += [f"| `{k}` | {_q(lo)} | {_q(hi)} |" for k, (lo, hi) in e.validity.items()]
        lines.append("")
    lines += _trust_sections(e)
    if plot:
        lines += ["## Plot", "", f"![{_md(e.title)}](../assets/plots/{plot})", "",
                  "Solid inside the validity range, dashed outside it; no line where a query would show no "
                  "usable value.", ""]
    if e.warnings:
        lines += ["## Caveats", ""] + [f"- {_md(w)}" for w in e.warnings] + [""]
    if e.no_printed_example:
        lines += ["## No example printed by the source", "", _md(e.no_printed_example), ""]
    if e.examples:
        counts = example_counts([e])
        lines += ["## Examples", "", "Reproduced by hpguide on every build: " +
                  ", ".join(f"{n} {ORIGINS[k]}" for k, n in counts.items() if n) + ". Only values printed by the "
                  "source are evidence for the entry; values computed by hpguide check the encoding.", "",
                  "| given | quantity | expected | expected value | hpguide | error | tolerance | where |",
                  "|---|---|---|---|---|---|---|---|"]
        for example in e.examples:
            given = ", ".join(f"`{k}` = {_q(v)}" for k, v in example.given.items()) or "(none)"
            for rep in reproduce_example(item, example):
                got = "not computable" if rep.got is None else _q(rep.got)
                err = "" if rep.rel_error is None else f"{rep.rel_error:.2%}"
                lines.append(f"| {given} | `{rep.symbol}` | {ORIGINS[example_origin(e, example)]} | "
                             f"{_q(rep.expected)} | {got} | {err} | {example.rel_tol:.1%} | {_md(example.where)} |")
        notes = [ex for ex in e.examples if ex.note or ex.printed]
        for ex in notes:
            printed = ", ".join(f"{k} = {format_number(v)}" for k, v in (ex.printed or {}).items())
            text = (f"printed in the source: {printed}. " if printed else "") + _md(ex.note or "")
            lines += ["", f"- *{_md(ex.where)}*: {text}"]
        lines.append("")
    if e.table:
        lines += ["## Published configs", "", f"{len(e.table)} rows; all of them are in the "
                  "[published-configs table](../configs.md).", ""]
    if e.data:
        lines += ["## Source data", "", f"{len(e.data.rows)} rows ({_md(e.data.where)}). "
                  + (_md(e.data.fit) if e.data.fit else ""), ""]
    lines += ["## Sources", ""]
    for source in e.sources:
        link = f"https://arxiv.org/abs/{source.arxiv}" if source.arxiv else (source.url or f"https://doi.org/{source.doi}")
        lines.append(f"- [{_md(source.title)}]({link}): {_md(short_citation(source))}")
    lines += ["", "```bibtex", bibtex(e).rstrip(), "```", ""]
    if e.related:
        lines += ["## Related", ""]
        lines += [f"- {r.type}: [{r.id}]({r.id}.md)" + (f" ({_md(r.note)})" if r.note else "") for r in e.related]
        lines.append("")
    lines += ["## Changelog", ""]
    lines += [f"- v{c.version} ({c.date}): {_md(c.change)}" for c in e.changelog]
    lines += ["", f"[Edit this entry]({REPO_URL}/edit/main/heuristics/{_kb_relpath(item, kb)}) "
              f"&middot; `heuristics/{_kb_relpath(item, kb)}`", ""]
    return "\n".join(lines)


def _trust_sections(e: Any) -> list[str]:
    """What a query applies to this entry's answers (the rules of docs/what-hpguide-shows.md): the conditions
    it was fitted under, where the source says it breaks down, values that are no answer, its band."""
    from ..resolver.phrases import context_text

    lines: list[str] = []
    if e.context:
        fields = e.context.model_dump(exclude_none=True)
        phrase = context_text(fields)
        lines += ["## Fitted under", "", f"{_md(phrase[:1].upper() + phrase[1:])}. A query compares its answers "
                  "only with answers measured under the same conventions (see "
                  "[How hpguide decides what to show](../what-hpguide-shows.md)).", ""]
    if e.breaks_down or e.output_bounds:
        lines += ["## Where there is no usable value", "",
                  "A query shows no value, with this reason, where:", ""]
        for limit in e.breaks_down:
            ends = " and ".join(f"{word.replace('_', ' ')} {_bound_end(getattr(limit, word))}"
                                for word in ("above", "at_least", "below", "at_most")
                                if getattr(limit, word, None) is not None)
            lines.append(f"- `{limit.symbol}` is {ends}: the source says the law breaks down there "
                         f"({_md(limit.where)})" + (f". {_md(limit.note)}" if limit.note else ""))
        for symbol, bound in e.output_bounds.items():
            ends = " and ".join(f"{word.replace('_', ' ')} {_bound_end(getattr(bound, word))}"
                             for word in ("at_least", "above", "at_most", "below")
                             if getattr(bound, word, None) is not None)
            lines.append(f"- the answer `{symbol}` is not {ends}: {_md(bound.why)}")
        lines.append("")
    if e.uncertainty:
        unc = e.uncertainty
        count = len(unc.draws) if unc.draws else "400 seeded draws from the"
        made = ("recomputed by hpguide by the source's method" if unc.origin == "recomputed"
                else "published by the source")
        lines += ["## Uncertainty", "",
                  f"Queries show the central {unc.level:.0%} band of every answer over {count} "
                  f"{'refits' if unc.draws else 'covariance'} of {', '.join(f'`{c}`' for c in unc.constants)} "
                  f"({unc.method}, {made}; {_md(unc.where)}).", ""]
        if unc.note:
            lines += [_md(unc.note), ""]
    return lines


def _bound_end(value: Any) -> str:
    """A bound as the entry states it: a quantity's name, or the number exactly (published, not computed)."""
    from ..core.quantities import format_exact

    return f"`{value}`" if isinstance(value, str) else format_exact(float(value))


def _kb_relpath(item: Any, kb: Any) -> str:
    return Path(os.path.abspath(item.path)).relative_to(Path(kb.root).resolve()).as_posix()


def _names(source: str) -> set[str]:
    import ast

    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError:
        return set()
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}


# ---------------------------------------------------------------------------- plots


def _entry_plot(item: Any, kb: Any, out_dir: Path) -> str | None:
    """Plot each output against the first input that has a validity range; None if nothing to plot."""
    import numpy as np

    e = item.entry
    for rel in item.relations:
        varying = [name for name in e.validity if name in rel.inputs and e.validity[name][0] > 0]
        if not varying:
            continue
        x_name = varying[0]
        lo, hi = e.validity[x_name]
        if lo == hi:
            lo, hi = lo / 3, hi * 3
        others = {}
        for name in rel.inputs - {x_name}:
            given = next((ex.given[name] for ex in e.examples if name in ex.given), None)
            if given is None:
                from ..kb.validate import midpoint

                given = midpoint(*(e.validity.get(name) or kb.registry.symbols[name].typical))
            others[name] = given
        xs = np.logspace(math.log10(lo) - 1, math.log10(hi) + 1, 200)
        ys = np.asarray(rel.forward({**others, x_name: xs}), dtype=float) * np.ones_like(xs)
        if not np.isfinite(ys).any():
            continue
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(6.4, 3.6), dpi=100)
        inside = (xs >= lo) & (xs <= hi)
        ax.plot(xs, np.where(inside, ys, np.nan), "-", color="#3f51b5", label=f"{rel.output} (in range)")
        ax.plot(xs, np.where(inside, np.nan, ys), "--", color="#3f51b5", alpha=0.6, label="extrapolation")
        ax.set_xscale("log")
        if np.nanmin(ys) > 0:
            ax.set_yscale("log")
        ax.set_xlabel(f"{x_name} [{kb.registry.symbols[x_name].unit}]")
        ax.set_ylabel(f"{rel.output} [{kb.registry.symbols[rel.output].unit}]")
        fixed = ", ".join(f"{k} = {_q(v)}" for k, v in sorted(others.items()))
        ax.set_title(f"{e.id}" + (f"  ({fixed})" if fixed else ""), fontsize=9)
        ax.grid(True, which="both", alpha=0.2)
        ax.legend(fontsize=8)
        fig.tight_layout()
        name = f"{e.id}.svg"
        fig.savefig(out_dir / name, metadata={"Date": None})
        plt.close(fig)
        return name
    return None


@dataclass(frozen=True)
class Comparison:
    """One chart: every law giving ``symbol`` along one sweep (``axis`` is "N" or "C")."""

    slug: str
    title: str
    symbol: str
    axis: str
    caption: str
    published: str  # the recipe column plotted as dots


_SWEEP_TEXT = {
    "N": ("N, total parameters (model family: d_model/n_layers = 128, D = 20 N)",
          "The family of models is d_model from 256 to 24576 with d_model/n_layers = 128 (the median of the "
          "published configs, see [aspect-ratio-published-median](../entries/aspect-ratio-published-median.md)), "
          "vocabulary 32k, context 4096 and D = 20 N tokens, so that every law is evaluated on the same models: "
          "laws fitted in other units (DeepSeek's C = M D, Kaplan's non-embedding N) get their own inputs from "
          "the same shapes through the definitions."),
    "C": ("C, training FLOPs",
          "The sweep is the compute C from 1e18 to 1e26 FLOPs. DeepSeek's law is fitted on C_M = M D, not on "
          "6 N D; here it is evaluated at C_M = C (at 7B-class shapes the two differ by about 10 %, at small "
          "scale by up to 2x: DeepSeek Table 3). Kaplan's allocation is in C_min (the compute at a batch much "
          "smaller than critical), which is not C, so it is not drawn; see "
          "[kaplan-2020-compute-efficient-allocation](../entries/kaplan-2020-compute-efficient-allocation.md). "
          "Published configs are drawn at C = 6 N D with their N and D."),
}


def _comparison_sweep(compiled: Any, axis: str) -> dict[str, Any]:
    """The inputs of a sweep along N (a family of shapes) or along C."""
    import numpy as np

    from ..resolver.api import derive_grid

    if axis == "C":
        c = np.logspace(18, 26, 120)
        return {"C": c, "C_M": c}
    d_model = np.logspace(np.log10(256), np.log10(24576), 120)
    shape = {"d_model": d_model, "n_layers": d_model / 128, "vocab_size": 32000.0, "seq_len": 4096.0}
    n = derive_grid(shape, kb=compiled)["N"]
    return {**shape, "D": 20 * n}


def _law_lines(compiled: Any, inputs: dict[str, Any], symbol: str) -> list[tuple[Any, Any]]:
    """Each law's values of ``symbol`` along the sweep, NaN where a query would show no usable value."""
    from ..resolver.api import evaluate_grid

    grid = evaluate_grid(inputs, kb=compiled, unusable="nan")
    by_id = {e.id: e for e in compiled.entries}
    return [(by_id[entry_id], values) for (entry_id, out), values in sorted(grid.items()) if out == symbol]


def _in_range(entry: Any, env: dict[str, Any], size: int) -> Any:
    import numpy as np

    ok = np.ones(size, dtype=bool)
    for name, (lo, hi) in entry.validity.items():
        if name in env:
            values = np.broadcast_to(np.asarray(env[name], dtype=float), (size,))
            ok &= (values >= lo) & (values <= hi)
    return ok


def _published_points(compiled: Any, axis: str, column: str) -> list[tuple[float, float]]:
    points = []
    for e in compiled.entries:
        if e.kind != "recipe":
            continue
        for row in e.table:
            nums = row.get("numbers", {})
            if column not in nums or "N" not in nums:
                continue
            if axis == "N":
                points.append((nums["N"], nums[column]))
            elif "D" in nums:
                points.append((6 * nums["N"] * nums["D"], nums[column]))
    return points


def _disagreement_notes(axis: str, xs: Any, spans: list[tuple[Any, Any, Any]]) -> str:
    """Where the laws disagree by more than 2x, at a few sizes or budgets along the sweep."""
    import numpy as np

    targets = (1e8, 1e9, 7e9, 7e10) if axis == "N" else (1e20, 1e22, 1e24, 1e26)
    notes = []
    for target in targets:
        i = int(np.argmin(np.abs(np.log(xs) - math.log(target))))
        # unusable points are NaN already (the query's rule): they are in no comparison, and said so
        positive = [(entry.id, float(ys[i]), bool(ok[i])) for entry, ys, ok in spans if np.isfinite(ys[i])]
        broken = [entry.id for entry, ys, _ in spans if not np.isfinite(ys[i])]
        if len(positive) >= 2:
            lo, hi = min(v for _, v, _ in positive), max(v for _, v, _ in positive)
            flag = " **more than 2x apart**" if hi / lo > 2 else ""
            inside = sum(1 for item in positive if item[2])
            notes.append(f"- At {axis} = {_q(xs[i])}: {len(positive)} laws give {_q(lo)} to {_q(hi)} "
                         f"({hi / lo:.2g}x){flag}; {inside} of them are inside the range their source fitted."
                         + (f" {', '.join(broken)} {'gives' if len(broken) == 1 else 'give'} no usable value "
                            "here (non-physical, or where the source says the law breaks down)." if broken else ""))
    return "\n".join(notes)


def _comparison_chart(compiled: Any, kb: Any, comp: Comparison, out_dir: Path) -> tuple[str, str] | None:
    """Plot every law giving ``comp.symbol`` along the sweep, with the published configs."""
    import numpy as np

    from ..resolver.api import derive_grid

    sweep = _comparison_sweep(compiled, comp.axis)
    context = derive_grid(sweep, kb=compiled)
    lines = _law_lines(compiled, sweep, comp.symbol)
    if not lines:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    xs = np.asarray(context[comp.axis], dtype=float)
    fig, ax = plt.subplots(figsize=(8, 4.8), dpi=100)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    spans = []
    for i, (entry, values) in enumerate(lines):
        ys = np.broadcast_to(np.asarray(values, dtype=float), xs.shape)
        ok = _in_range(entry, context, xs.size)
        color = colors[i % len(colors)]
        ax.plot(xs, np.where(ok, ys, np.nan), "-", color=color, label=entry.id)
        ax.plot(xs, np.where(ok, np.nan, ys), "--", color=color, alpha=0.5)
        spans.append((entry, ys, ok))
    points = _published_points(compiled, comp.axis, comp.published)
    if points:
        ax.scatter([p[0] for p in points], [p[1] for p in points], s=14, color="black", zorder=5,
                   label=f"published configs ({comp.published})")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(_SWEEP_TEXT[comp.axis][0])
    ax.set_ylabel(f"{comp.symbol} [{kb.registry.symbols[comp.symbol].unit}]")
    ax.grid(True, which="both", alpha=0.2)
    ax.legend(fontsize=7, loc="best")
    fig.tight_layout()
    name = f"compare-{comp.slug}.svg"
    fig.savefig(out_dir / name, metadata={"Date": None})
    plt.close(fig)
    return name, _disagreement_notes(comp.axis, xs, spans)


COMPARISONS = (
    Comparison("learning-rate-vs-params", "Peak learning rate vs model size", "eta", "N",
               "Every learning-rate law of the KB along one family of models, with the peak learning rates "
               "that published models used (black dots; MiniCPM's 0.01 is a muP base learning rate).", "eta"),
    Comparison("batch-size-vs-params", "Batch size vs model size", "B", "N",
               "Every batch-size law along the same family of models, with published batch sizes in tokens.", "B"),
    Comparison("tokens-vs-params", "Compute-optimal tokens vs model size", "D_opt", "N",
               "Compute-optimal training tokens for the compute C = 6 N D of each model of the family, with the "
               "tokens published models were trained on.", "D"),
    Comparison("tokens-vs-compute", "Compute-optimal tokens vs compute", "D_opt", "C",
               "Compute-optimal training tokens for a compute budget: Chinchilla's three approaches and its "
               "20-tokens rule, Epoch's refit and DeepSeek, with the tokens published models were trained on.", "D"),
    Comparison("params-vs-compute", "Compute-optimal model size vs compute", "N_opt", "C",
               "Compute-optimal parameter count for a compute budget, with published models at C = 6 N D.", "N"),
)


def _comparison_page(comp: Comparison, chart: tuple[str, str]) -> str:
    name, notes = chart
    return "\n".join([
        "---", f"title: {json.dumps(comp.title)}", "---", "", f"# {comp.title}", "", comp.caption, "",
        f"![{comp.title}](../assets/plots/{name})", "",
        "Solid: inside the range the source fitted; dashed: extrapolation. " + _SWEEP_TEXT[comp.axis][1], "",
        "## What to notice", "", notes or "-", "",
    ])


#: The page of ``hpguide compare --all``, listed under Comparisons after the charts.
PUBLISHED_MODELS_PAGE = "comparisons/published-models.md"


def _published_models_page(compiled: Any) -> str:
    """Every law against every published model: the tables of ``hpguide compare --all``, as Markdown."""
    from ..resolver.compare import SUMMARY_HEADER, compare_all, summary_rows

    everything = compare_all(compiled)
    title = "Laws against published models"
    entries = {m.entry for m in everything.models}
    lines = ["---", f"title: {json.dumps(title)}", "---", "", f"# {title}", "",
             f"Which laws would have predicted what people used? Each of the {len(everything.models)} published "
             f"models of {len(entries)} recipe entries (the rows of the [published-configs table](../configs.md)) "
             "is run through the resolver at its published N and D, and its d_model, n_layers, vocab_size and "
             "seq_len where the row has them; every law's suggestion for each quantity the model publishes is "
             "set against the published value, as `hpguide compare --all` does (`hpguide compare MODEL` shows one "
             "model law by law).", "",
             "*ratio* = suggested / published. *models*: the models where the law gives a usable value to compare "
             "(*in range*: inside the range its source fitted; the others are extrapolations); *no usable value*: "
             "models where the law gives none (non-physical, or where its source says it breaks down). *within "
             "2x*: the share of the models compared with 1/2 <= ratio <= 2. A law's `N_opt` and `D_opt`, the "
             "compute-optimal size and tokens for the model's compute C = 6 N D, are set against the published N "
             "and D. Laws are listed best first (smallest median miss).", ""]
    if everything.skipped:
        reasons: dict[str, list[str]] = {}
        for item in everything.skipped:
            reasons.setdefault(item["why"], [])
            if item["entry"] not in reasons[item["why"]]:
                reasons[item["why"]].append(item["entry"])
        left = "; ".join(
            f"{sum(1 for item in everything.skipped if item['why'] == why)} row(s), {_md(why)}: "
            + ", ".join(f"[{e}](../entries/{e}.md)" for e in ids) for why, ids in reasons.items())
        lines += [f"Left out: {left}.", ""]
    meanings = {name: str(meta.get("meaning", "")) for name, meta in compiled.symbols.items()}
    header = list(SUMMARY_HEADER)
    for symbol, laws in everything.summary.items():
        lines += [f"## `{symbol}`: {_md(meanings.get(symbol, ''))}", "",
                  f"Published by {everything.published_by[symbol]} of the models compared.", "",
                  "| " + " | ".join(_md(h) for h in header) + " |", "|---|" + "---:|" * (len(header) - 1)]
        for law, cells in zip(laws, summary_rows(everything, symbol)):
            name = f"[{law.entry}](../entries/{law.entry}.md)" + (f" (`{law.output}`)" if law.output != symbol else "")
            lines.append("| " + " | ".join([name] + [_md(c) for c in cells[1:]]) + " |")
        lines.append("")
    return "\n".join(lines)


# ---------------------------------------------------------------------------- other pages

CONFIG_COLUMNS = ("N", "d_model", "n_layers", "n_heads", "n_kv_heads", "d_ff", "vocab_size", "seq_len", "B", "eta",
                  "min_lr_ratio", "warmup", "wd", "beta2", "D")


def _configs_page(kb: Any) -> str:
    lines = ["---", "title: Published configs", "---", "", "# Published configs", "",
             "Every row of every `recipe` entry: the common LLM settings as published, each row with its "
             "source table. Click a column header to sort; type in the box to filter. Blank = not published.", "",
             '<input id="hpg-filter" class="hpg-filter" type="search" '
             'placeholder="Filter rows, e.g. llama, cosine, 4096">',
             "", '<div class="hpg-scroll"><table class="hpg-configs" id="hpg-configs">',
             "<thead><tr><th>model</th><th>entry</th>"
             + "".join(f"<th>{c}</th>" for c in CONFIG_COLUMNS) + "<th>schedule</th><th>source</th></tr></thead>",
             "<tbody>"]
    recipes = [item.entry for item in kb.entries.values() if item.entry.kind == "recipe"]
    # model configs first (rows with a parameter count), sweep grids and the like after them
    recipes.sort(key=lambda e: (not any("N" in row.numbers() for row in e.table or []), e.id))
    for e in recipes:
        for row in e.table or []:
            nums, texts = row.numbers(), row.texts()
            cells = []
            for col in CONFIG_COLUMNS:
                if col in nums:
                    value = nums[col]
                    shown = str(int(value)) if value.is_integer() and value < 1e6 else _q(value)
                    cells.append(f'<td data-sort="{value!r}" title="{_md(row.where)}">{shown}</td>')
                else:
                    cells.append(f'<td title="{_md(row.where)}">{_md(texts.get(col, ""))}</td>')
            where = _md(row.where)
            short = where if len(where) <= 48 else where[:45] + "..."
            lines.append(f"<tr><td>{_md(row.model)}</td><td><a href=\"../entries/{e.id}/\">{e.id}</a></td>"
                         + "".join(cells) + f"<td>{_md(texts.get('schedule', ''))}</td>"
                         f'<td title="{where}">{short}</td></tr>')
    lines += ["</tbody></table></div>", ""]
    return "\n".join(lines)


def _codes_page() -> str:
    from ..core.codes import CODES

    lines = ["---", "title: Validator codes", "---", "", "# Validator codes", "",
             "`hpguide validate` prints one `path:line: CODE message` line per problem. The codes are stable.", "",
             "| code | name | meaning | how to fix |", "|---|---|---|---|"]
    lines += [f"| `{c.code}` | {c.slug} | {_md(c.meaning)} | {_md(c.fix)} |" for c in CODES.values()]
    return "\n".join(lines) + "\n"


def _changelog_page(kb: Any) -> str:
    from ..kb.versioning import changelog_markdown

    body = changelog_markdown(kb, link=lambda entry_id: f"entries/{entry_id}.md")
    return "---\ntitle: KB changelog\n---\n\n" + body


def _topic_pages(kb: Any) -> dict[str, str]:
    topics: dict[str, list[Any]] = {}
    for item in kb.entries.values():
        for topic in item.entry.topics:
            topics.setdefault(topic, []).append(item.entry)
    pages = {}
    for topic, entries in sorted(topics.items()):
        lines = ["---", f"title: {json.dumps(topic)}", "---", "", f"# {topic}", "",
                 "| entry | kind | status | title |", "|---|---|---|---|"]
        lines += [f"| [{e.id}](../entries/{e.id}.md) | {e.kind} | {e.status} | {_md(e.title)} |"
                  for e in sorted(entries, key=lambda x: x.id)]
        pages[topic] = "\n".join(lines) + "\n"
    index = ["---", "title: Topics", "---", "", "# Topics", ""]
    index += [f"- [{t}]({t}.md): {len(topics[t])} entries" for t in sorted(topics)]
    pages["index"] = "\n".join(index) + "\n"
    return pages


def _nav(kb: Any, comparisons: list[Comparison], topics: dict[str, str]) -> list[Any]:
    by_topic: dict[str, list[Any]] = {}
    for item in kb.entries.values():
        by_topic.setdefault(item.entry.topics[0], []).append(item.entry)
    return [
        {"Home": "index.md"},
        {"Calculator": "calculator.md"},
        {"Guide": ["conventions.md", "query.md", "what-hpguide-shows.md", "contributing.md", "codes.md",
                   "bad-inputs.md", "changelog.md", "tags.md"]},
        {"Comparisons": [f"comparisons/{c.slug}.md" for c in comparisons] + [PUBLISHED_MODELS_PAGE]},
        {"Published configs": "configs.md"},
        {"Topics": ["topics/index.md"] + [f"topics/{t}.md" for t in sorted(topics) if t != "index"]},
        {"Entries": [{topic: [f"entries/{e.id}.md" for e in sorted(by_topic[topic], key=lambda x: x.id)]}
                     for topic in sorted(by_topic)]},
    ]


def generate(build_dir: Path, kb_root: str | os.PathLike[str] | None = None,
             site: SiteSources | None = None) -> Path:
    """Write the complete MkDocs project (config and docs) into ``build_dir``; returns its mkdocs.yml."""
    from ruamel.yaml import YAML

    from ..kb.compiled import compile_payload, from_payload
    from ..kb.load import load_kb
    from ..kb.locate import content_hash

    kb = load_kb(kb_root)
    if kb.diagnostics:
        raise UsageError(f"the KB has {len(kb.diagnostics)} problem(s): run 'hpguide validate' before building "
                         "the site")
    site = site or find_site(kb_root=kb.root)
    payload = compile_payload(str(kb.root), content_hash(kb.root))
    compiled = from_payload(str(kb.root), payload)
    docs = build_dir / "docs"
    if docs.exists():
        shutil.rmtree(docs)
    shutil.copytree(site.docs, docs)
    for sub in ("entries", "topics", "comparisons", "assets/plots", "assets/data"):
        (docs / sub).mkdir(parents=True, exist_ok=True)
    for item in kb.entries.values():
        plot = _entry_plot(item, kb, docs / "assets" / "plots")
        (docs / "entries" / f"{item.entry.id}.md").write_text(_entry_page(item, kb, plot), encoding="utf-8")
    topics = _topic_pages(kb)
    for name, text in topics.items():
        (docs / "topics" / f"{name}.md").write_text(text, encoding="utf-8")
    made = []
    for comp in COMPARISONS:
        chart = _comparison_chart(compiled, kb, comp, docs / "assets" / "plots")
        if chart:
            (docs / "comparisons" / f"{comp.slug}.md").write_text(_comparison_page(comp, chart), encoding="utf-8")
            made.append(comp)
    (docs / PUBLISHED_MODELS_PAGE).write_text(_published_models_page(compiled), encoding="utf-8")
    (docs / "configs.md").write_text(_configs_page(kb), encoding="utf-8")
    (docs / "codes.md").write_text(_codes_page(), encoding="utf-8")
    (docs / "changelog.md").write_text(_changelog_page(kb), encoding="utf-8")
    repo = Path(kb.root).resolve().parent
    for source, target in ((repo / "CONTRIBUTING.md", "contributing.md"),
                           (repo / "docs" / "bad-inputs.md", "bad-inputs.md"),
                           (repo / "docs" / "what-hpguide-shows.md", "what-hpguide-shows.md")):
        if source.is_file():  # hand-written at the repository root, shown on the site too
            (docs / target).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    # the calculator's data: the same compiled KB the command line evaluates
    (docs / "assets" / "data" / "kb.json").write_text(json.dumps(payload, separators=(",", ":"), sort_keys=True),
                                                      encoding="utf-8")
    yaml = YAML(typ="rt")
    yaml.width = 4096  # long nav titles must not be folded
    config = yaml.load(site.config.read_text(encoding="utf-8"))
    config["docs_dir"] = "docs"
    config["nav"] = _nav(kb, made, topics)
    config_path = build_dir / "mkdocs.yml"
    with open(config_path, "w", encoding="utf-8") as handle:
        yaml.dump(config, handle)
    return config_path


#: Written into every build; a non-empty --out without it is not replaced (it is not a previous build).
SITE_MARKER = ".hpguide-site"


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check_out_dir(out: str | os.PathLike[str], kb_root: Path, site: SiteSources) -> Path:
    """The real directory a build may replace, or :class:`UsageError` saying why ``out`` may not be replaced.

    Building replaces the whole directory, so ``out`` (after symlinks) must be
    new, empty or a previous build (it holds :data:`SITE_MARKER`), and must
    never be, contain or lie inside the KB, never be or contain the site
    sources or the current directory (the checkout), and never lie inside the
    hand-written pages. ``site/build`` inside the site sources is fine: it is
    the default.
    """
    given = os.fspath(out)
    real = Path(os.path.realpath(given))
    shown = given if os.path.realpath(given) == os.path.abspath(given) else f"{given} (-> {real})"
    fix = "choose a new or empty directory, e.g. --out site/build"
    kb_real = Path(os.path.realpath(kb_root))
    for what, path in (("the knowledge base", kb_real), ("the site sources", Path(os.path.realpath(site.root))),
                       ("the current directory", Path(os.path.realpath(os.getcwd())))):
        if _inside(path, real):
            role = "is" if path == real else "contains"
            raise UsageError(f"--out {shown} {role} {what}, and building replaces the whole directory: {fix}")
    for what, path in (("the knowledge base", kb_real), ("the site's pages", Path(os.path.realpath(site.docs)))):
        if _inside(real, path):
            raise UsageError(f"--out {shown} is inside {what}: {fix}")
    if real.exists():
        if not real.is_dir():
            raise UsageError(f"--out {shown} is a file, not a directory: {fix}")
        marker = real / SITE_MARKER
        if any(real.iterdir()) and not (marker.is_file() and not marker.is_symlink()):
            raise UsageError(f"--out {shown} is not empty and is not an earlier site build (no {SITE_MARKER} in it), "
                             f"and building replaces the whole directory: {fix}, or remove it yourself")
    return real


def _fresh_dir(parent: Path, stem: str) -> Path:
    """A new directory in ``parent`` (0o777 less the umask, like any mkdir; mkdtemp's would be 0o700)."""
    for _ in range(100):
        path = parent / f".{stem}.{os.urandom(4).hex()}"
        try:
            path.mkdir()
        except FileExistsError:
            continue
        return path
    raise UsageError(f"cannot create a temporary directory in {parent}")  # pragma: no cover


def _swap_in(staging: Path, real: Path) -> None:
    """Put the finished build ``staging`` at ``real``; the earlier build there is removed only afterwards."""
    if not real.exists():
        os.rename(staging, real)
        return
    old = real.parent / f".{real.name}.old-{os.urandom(4).hex()}"
    os.rename(real, old)
    try:
        os.rename(staging, real)
    except OSError:
        os.rename(old, real)
        raise
    shutil.rmtree(old, ignore_errors=True)


def build(out: str | os.PathLike[str], kb_root: str | os.PathLike[str] | None = None,
          site: SiteSources | None = None, strict: bool = True, work: Path | None = None) -> Path:
    """Generate the pages and build the static site into ``out`` with MkDocs; returns the real ``out``.

    ``out`` is checked by :func:`check_out_dir` before anything is built. The
    site is built in a new directory beside ``out`` and moved into place when
    MkDocs has finished, so a failed build leaves the earlier one as it was.
    """
    import tempfile

    from ..kb.load import locate_kb

    root = locate_kb(kb_root)
    site = site or find_site(kb_root=root)
    real = check_out_dir(out, root, site)
    try:
        from mkdocs.commands.build import build as mkdocs_build
        from mkdocs.config import load_config
    except ImportError:
        raise UsageError("building the site needs MkDocs: pip install '.[site]'") from None
    try:
        real.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--out {os.fspath(out)}: cannot create {real.parent}: {exc.strerror or exc}") from None
    with tempfile.TemporaryDirectory(prefix="hpguide-site-") as tmp:
        build_dir = work or Path(tmp)
        config_path = generate(build_dir, root, site)
        staging = _fresh_dir(real.parent, f"{real.name}.new")
        try:
            config = load_config(str(config_path), site_dir=str(staging), strict=strict)
            try:
                mkdocs_build(config)
            except Exception as exc:  # noqa: BLE001 - mkdocs' Abort (strict-mode warnings) and build errors
                raise SiteBuildError(f"MkDocs: {exc}") from None
            from ..kb.locate import content_hash

            marker = {"generator": "hpguide site build", "kb_content_hash": content_hash(root)}
            (staging / SITE_MARKER).write_text(json.dumps(marker) + "\n", encoding="utf-8")
            check_out_dir(out, root, site)  # again: the build took a while
            try:
                _swap_in(staging, real)
            except OSError as exc:
                raise UsageError(f"cannot move the new build to {real}: {exc.strerror or exc}") from None
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
    return real


class SiteBuildError(HpguideError):
    """MkDocs could not build the site (its warnings are logged above)."""
