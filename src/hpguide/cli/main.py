"""The ``hpguide`` command line: parsing arguments and rendering results only.

All the work happens in the library; this module turns arguments into library
calls and results into text. Bad input never produces a traceback: every
:class:`~hpguide.core.errors.HpguideError` becomes one ``hpguide: error: ...``
line and exit code 2 (1 where the KB itself is invalid).
"""

from __future__ import annotations

import os
import sys

from .. import __version__
from ..core.errors import HpguideError, UsageError

TYPE_CHECKING = False  # neither typing nor the heavy modules are imported at start-up
if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence
    from typing import Any, TextIO

    from ..kb.load import KnowledgeBase, LoadedEntry

__all__ = ["main", "build_parser"]

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def add_kb_option(parser: argparse.ArgumentParser) -> None:
    """The --kb option every command that reads the KB takes."""
    parser.add_argument("--kb", metavar="DIR", help="knowledge-base directory (default: $HPGUIDE_KB, the "
                        "checkout you are in, or the copy installed with hpguide)")


#: Modules that add command groups; each has ``register(subparsers)``, which adds its
#: subcommands with ``set_defaults(handler=function(args, out) -> exit code)``.
EXTENSIONS: tuple[str, ...] = ("hpguide.cli.fit", "hpguide.cli.tools", "hpguide.cli.contrib", "hpguide.cli.site")

QUERY_FLAGS = (
    ("--params", "-N", "params", "total parameters N, embeddings included (e.g. 7B)"),
    ("--non-embedding-params", None, "non_embedding_params", "non-embedding parameters N_ne"),
    ("--d-model", None, "d_model", "model width"),
    ("--n-layers", None, "n_layers", "number of layers"),
    ("--n-heads", None, "n_heads", "attention heads"),
    ("--n-kv-heads", None, "n_kv_heads", "key/value heads"),
    ("--d-ff", None, "d_ff", "feed-forward width"),
    ("--vocab-size", None, "vocab_size", "vocabulary size"),
    ("--seq-len", None, "seq_len", "context length in tokens"),
    ("--tokens", "-D", "tokens", "training tokens D (e.g. 1T)"),
    ("--compute", "-C", "compute", "training FLOPs C (e.g. 1e23)"),
    ("--batch-size", None, "batch_size", "global batch in tokens (e.g. 4M)"),
    ("--batch-seqs", None, "batch_seqs", "global batch in sequences"),
)


_QUERY_VALUE_FLAGS = {flag: dest for flag, _, dest, _ in QUERY_FLAGS}
_QUERY_VALUE_FLAGS.update({short: dest for _, short, dest, _ in QUERY_FLAGS if short})
_QUERY_REPEATED = {"--set": "set", "--topic": "topic", "--entry": "entry"}
_FORMATS = ("text", "markdown", "json")


class _Args:
    """The parsed arguments, as argparse's Namespace holds them (attributes; ``vars()`` gives the dict).
    Not ``types.SimpleNamespace``: importing ``types`` is 0.15 ms of every query."""

    def __init__(self, **values: Any) -> None:
        self.__dict__.update(values)


def fast_query_args(argv: list[str]):
    """Parse a plain ``query``/``explain`` command line without argparse, or return None.

    argparse (with the ``re`` module it imports) is a third of a query's start-up
    time. This parser takes only the unambiguous common forms (``--flag VALUE``,
    ``--flag=VALUE``, the boolean flags); anything else (help, abbreviations,
    a value that starts with '-', an unknown option, a missing value) returns
    None and the full argparse parser handles it, errors included. Tests check
    that both parsers give the same namespace.
    """
    if not argv or argv[0] not in ("query", "explain"):
        return None
    ns: dict[str, Any] = {dest: None for _, _, dest, _ in QUERY_FLAGS}
    ns.update(command=argv[0], kb=None, set=[], topic=[], entry=[], include_drafts=False)
    if argv[0] == "query":
        ns.update(format="text", json=False, brief=False)
    rest = argv[1:]
    if argv[0] == "explain":
        if not rest or rest[0].startswith("-"):
            return None
        ns["symbol"], rest = rest[0], rest[1:]
    i = 0
    while i < len(rest):
        token = rest[i]
        name, eq, inline = token.partition("=") if token.startswith("--") else (token, "", "")
        if name in ("--include-drafts", "--json", "--brief") and not eq:
            if name in ("--json", "--brief") and argv[0] != "query":
                return None
            ns[name[2:].replace("-", "_")] = True
            i += 1
            continue
        if name in _QUERY_VALUE_FLAGS or name in _QUERY_REPEATED or name in ("--kb", "--format"):
            if eq:
                value = inline
            elif i + 1 < len(rest):
                value = rest[i + 1]
                i += 1
            else:
                return None
            if value.startswith("-") or (name == "--format" and (argv[0] != "query" or value not in _FORMATS)):
                return None
            if name in _QUERY_REPEATED:
                ns[_QUERY_REPEATED[name]].append(value)
            elif name in ("--kb", "--format"):
                ns[name[2:]] = value
            else:
                ns[_QUERY_VALUE_FLAGS[name]] = value
            i += 1
            continue
        return None
    return _Args(**ns)


def _add_query_inputs(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("model and budget")
    for flag, short, dest, text in QUERY_FLAGS:
        names = [flag] + ([short] if short else [])
        group.add_argument(*names, dest=dest, metavar="Q", help=text)
    group.add_argument("--set", action="append", default=[], metavar="SYMBOL=VALUE",
                       help="any registry symbol, e.g. --set eta_base=3e-3 (repeatable)")
    pick = parser.add_argument_group("which entries")
    pick.add_argument("--topic", action="append", default=[], help="only entries with this topic (repeatable)")
    pick.add_argument("--entry", action="append", default=[], metavar="ID", help="only this entry (repeatable)")
    pick.add_argument("--include-drafts", action="store_true", help="also evaluate draft entries")
    add_kb_option(parser)


def build_parser() -> argparse.ArgumentParser:
    import argparse

    parser = argparse.ArgumentParser(
        prog="hpguide",
        description="Published LLM training heuristics, cited and machine-evaluable.",
        epilog="Run 'hpguide COMMAND --help' for the options of one command.",
    )
    parser.add_argument("--version", action="version", version=f"hpguide {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser(
        "query", help="every applicable heuristic for a model and data budget",
        description="Evaluate every applicable entry for the given model and budget and show each answer with its "
        "source, whether it extrapolates, the spread between sources, the assumptions made and the nearest "
        "published configs. Quantities take K (1e3), M (1e6), B (1e9) and T (1e12) suffixes or scientific "
        "notation: 7B, 1.5T, 4k, 1e23.",
        epilog="example: hpguide query --d-model 4096 --tokens 1T",
    )
    _add_query_inputs(p)
    p.add_argument("--format", choices=("text", "markdown", "json"), default="text", help="output format")
    p.add_argument("--json", action="store_true", help="same as --format json (the stable contract for scripts)")
    p.add_argument("--brief", action="store_true",
                   help="only hpguide's summary per quantity (start and sweep range), not the rows beneath it "
                        "(text and markdown; --json always has both)")

    p = sub.add_parser("explain", help="show how one value of a query was obtained",
                       description="Print the derivation chain of one symbol for the given inputs: which entry "
                       "gave it, with which formula and inputs, and where each input came from.",
                       epilog="example: hpguide explain eta --d-model 4096 --tokens 1T")
    p.add_argument("symbol", help="registry symbol, e.g. eta, B, N, C, D_opt")
    _add_query_inputs(p)

    p = sub.add_parser("validate", help="check every entry of the KB (exit 1 if any is invalid)",
                       description="Load every entry, check it against the format, the symbol registry and the "
                       "other entries, and reproduce every example. Prints one 'path:line: CODE message' line per "
                       "problem; 'hpguide codes' explains the codes.")
    add_kb_option(p)
    p.add_argument("--json", action="store_true", help="print the diagnostics as JSON")
    p.add_argument("--against", metavar="REV", help="also check the versioning rules against git revision REV "
                   "(e.g. origin/main): HPG050 unbumped change, HPG051 removed id, HPG052 reused id")

    p = sub.add_parser("list", help="list the entries", description="List the entries of the KB.")
    add_kb_option(p)
    p.add_argument("--topic", help="only entries with this topic")
    p.add_argument("--kind", help="only entries of this kind (definition, law, rule, recipe, ...)")
    p.add_argument("--status", help="only entries with this status (draft, stable, disputed, ...)")
    p.add_argument("--json", action="store_true", help="print a JSON list")

    p = sub.add_parser("show", help="show one entry with its reproduced examples",
                       description="Show an entry: formula, constants with locators, sources, validity range and "
                       "its examples with the value hpguide reproduces beside the source's.")
    add_kb_option(p)
    p.add_argument("id", help="entry id (see 'hpguide list')")

    p = sub.add_parser("cite", help="print BibTeX for an entry's sources")
    add_kb_option(p)
    p.add_argument("id", help="entry id")

    p = sub.add_parser(
        "compare", help="every law against what a published model actually used",
        description="Run the resolver at a published model (a row of a recipe entry's table: its published N "
        "and D, and d_model, n_layers, vocab_size and seq_len where the row has them) and print, for each "
        "quantity the row publishes (eta, B, D, N, ...), every law's usable suggestion beside the published "
        "value, with the ratio suggested / published and '!' where the law extrapolates. A law's N_opt and D_opt "
        "(compute-optimal for the model's C = 6 N D) are set against the published N and D. --all does this for "
        "every published model and prints, per quantity and law, the models compared, the median ratio, the "
        "median |log10 ratio| and the share within 2x.",
        epilog='examples: hpguide compare "Llama 2 7B"; hpguide compare "Chinchilla 70B" --json; '
        "hpguide compare --all; hpguide compare --all --entry recipe-pythia-2023")
    p.add_argument("model", nargs="?", help="model name as the recipe table writes it, case-insensitive "
                   "(e.g. 'Llama 2 7B'; '-' and '_' count as spaces)")
    p.add_argument("--all", action="store_true", help="every published model, one table per quantity")
    p.add_argument("--entry", metavar="ID", help="only the models of this recipe entry (picks one of several "
                   "models with the same name; with --all, compares only that entry's models)")
    p.add_argument("--include-drafts", action="store_true", help="also draft recipe entries (their models) and "
                   "draft laws, as 'hpguide query --include-drafts'")
    p.add_argument("--json", action="store_true", help="print the comparison as JSON")
    add_kb_option(p)
    p.set_defaults(handler=cmd_compare)

    for module_name in EXTENSIONS:
        import importlib

        importlib.import_module(module_name).register(sub)

    sub.add_parser("schema", help="print the JSON Schema of an entry file",
                   description="Print the JSON Schema of an entry (committed as schema/entry.schema.json).")
    sub.add_parser("codes", help="explain the validator's diagnostic codes")
    return parser


# ---------------------------------------------------------------------------- commands


def find_entry(kb: KnowledgeBase, entry_id: str) -> LoadedEntry:
    """The entry with ``entry_id``, or a UsageError with a did-you-mean hint."""
    import difflib

    if entry_id in kb.entries:
        return kb.entries[entry_id]
    close = difflib.get_close_matches(entry_id, list(kb.entries), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else " (see 'hpguide list')"
    raise UsageError(f"no entry with id {entry_id!r}{hint}")


def cmd_validate(args: argparse.Namespace, out: TextIO) -> int:
    import json

    from ..kb.validate import ORIGINS, example_counts, validate_kb

    kb, problems = validate_kb(args.kb)
    if args.against:
        from ..kb.versioning import check_against

        problems = sorted(set(problems) | set(check_against(kb.root, args.against, kb=kb)))
    if args.json:
        payload = {
            "kb": str(kb.root), "kb_version": kb.version, "entries": len(kb.entries),
            "problems": [{"path": d.path, "line": d.line, "code": d.code, "message": d.message} for d in problems],
            "examples": example_counts(item.entry for item in kb.entries.values()),
        }
        out.write(json.dumps(payload, indent=2) + "\n")
    else:
        for problem in problems:
            out.write(f"{problem}\n")
        counts = example_counts(item.entry for item in kb.entries.values())
        origins = ", ".join(f"{n} {ORIGINS[k]}" for k, n in counts.items())
        verdict = "ok" if not problems else f"{len(problems)} problem(s)"
        out.write(f"{kb.root}: {len(kb.entries)} entries, {sum(counts.values())} examples checked "
                  f"({origins}): {verdict}\n")
    return EXIT_INVALID if problems else EXIT_OK


def cmd_list(args: argparse.Namespace, out: TextIO) -> int:
    import json

    from ..kb.load import load_kb

    kb = load_kb(args.kb)
    rows = [
        item.entry for item in kb.entries.values()
        if (args.topic is None or args.topic in item.entry.topics)
        and (args.kind is None or item.entry.kind == args.kind)
        and (args.status is None or item.entry.status == args.status)
    ]
    if args.json:
        out.write(json.dumps([
            {"id": e.id, "version": e.version, "kind": e.kind, "status": e.status, "topics": e.topics,
             "title": e.title} for e in rows], indent=2) + "\n")
        return EXIT_OK
    if not rows:
        out.write("no entries match\n")
        return EXIT_OK
    width = max(len(e.id) for e in rows)
    for e in rows:
        out.write(f"{e.id:<{width}}  {e.kind:<16} {e.status:<10} {e.title}  [{', '.join(e.topics)}]\n")
    topics = {t for e in rows for t in e.topics}
    out.write(f"{len(rows)} entries, {len(topics)} topics\n")
    return EXIT_OK


def cmd_show(args: argparse.Namespace, out: TextIO) -> int:
    from ..core.quantities import format_number
    from ..kb.cite import short_citation
    from ..kb.load import load_kb
    from ..kb.validate import ORIGINS, example_counts, example_origin, reproduce_example

    kb = load_kb(args.kb)
    item = find_entry(kb, args.id)
    e = item.entry
    w = out.write
    w(f"{e.title}\n{'=' * len(e.title)}\n")
    w(f"id: {e.id}   version: {e.version}   kind: {e.kind}   status: {e.status}   topics: {', '.join(e.topics)}\n")
    if e.status_note:
        w(f"status note: {e.status_note}\n")
    if e.superseded_by:
        w(f"superseded by: {e.superseded_by}\n")
    w(f"\n{e.summary}\n")
    if e.equations:
        w("\nEquations\n")
        for output, formula in e.equations.items():
            unit = kb.registry.symbols[output].unit if output in kb.registry.symbols else "?"
            w(f"  {output} = {formula}    [{unit}]\n")
    if e.constants:
        w("\nConstants\n")
        for name, c in e.constants.items():
            printed = f" (printed {format_number(c.printed)})" if c.printed is not None else ""
            w(f"  {name} = {format_number(c.value)}{printed}    {c.where}\n")
            if c.note:
                w(f"      {c.note}\n")
    if e.validity:
        w("\nValidity (range the source fitted or tested)\n")
        for name, (lo, hi) in e.validity.items():
            w(f"  {name}: {format_number(lo)} .. {format_number(hi)}\n")
    if e.warnings:
        w("\nWarnings\n")
        for warning in e.warnings:
            w(f"  - {warning}\n")
    w("\nSources\n")
    for source in e.sources:
        w(f"  - {source.title}. {short_citation(source)}\n")
    if e.no_printed_example:
        w(f"\nNo example printed by the source: {e.no_printed_example}\n")
    if e.examples:
        counts = example_counts([e])
        w("\nExamples (" + ", ".join(f"{n} {ORIGINS[k]}" for k, n in counts.items() if n) + ")\n")
        for index, example in enumerate(e.examples, 1):
            given = ", ".join(f"{k}={format_number(v)}" for k, v in example.given.items())
            tag = f" [{ORIGINS[example_origin(e, example)]}]"
            w(f"  {index}. {example.where}{tag}\n     given {given}\n")
            for rep in reproduce_example(item, example):
                got = "not computable" if rep.got is None else format_number(rep.got)
                err = "" if rep.rel_error is None else f", error {rep.rel_error:.2%}"
                mark = "ok" if rep.ok else "FAIL"
                w(f"     {rep.symbol}: expected {format_number(rep.expected)}, hpguide {got}{err} "
                  f"(tol {example.rel_tol:.1%}) {mark}\n")
            if example.printed:
                printed = ", ".join(f"{k}={format_number(v)}" for k, v in example.printed.items())
                w(f"     printed in the source: {printed}\n")
            if example.note:
                w(f"     note: {' '.join(example.note.split())}\n")
    if e.table:
        w(f"\nTable ({len(e.table)} published configs)\n")
        for row in e.table:
            cells = ", ".join(f"{k}={format_number(v)}" for k, v in row.numbers().items())
            w(f"  {row.model}: {cells}  [{row.where}]\n")
    if e.related:
        w("\nRelated\n")
        for rel in e.related:
            w(f"  {rel.type}: {rel.id}\n")
    w("\nChangelog\n")
    for change in e.changelog:
        w(f"  v{change.version} {change.date}: {change.change}\n")
    w(f"\nfile: {item.path}\n")
    return EXIT_OK


def cmd_cite(args: argparse.Namespace, out: TextIO) -> int:
    from ..kb.cite import bibtex
    from ..kb.load import load_kb

    kb = load_kb(args.kb)
    out.write(bibtex(find_entry(kb, args.id).entry))
    return EXIT_OK


def cmd_compare(args: argparse.Namespace, out: TextIO) -> int:
    from ..kb.compiled import load_compiled
    from ..resolver.compare import compare_all, compare_model
    from . import compare as render

    if args.all and args.model is not None:
        raise UsageError(f"give a MODEL or --all, not both (got {args.model!r} and --all)")
    if not args.all and args.model is None:
        raise UsageError("give the name of a published model, e.g. hpguide compare \"Llama 2 7B\", or --all "
                         "for every model")
    kb = load_compiled(args.kb)
    meanings = {k: str(v.get("meaning", "")) for k, v in kb.symbols.items()}
    if args.all:
        everything = compare_all(kb, entry=args.entry, include_drafts=args.include_drafts)
        out.write(render.all_to_json(everything) if args.json else render.all_to_text(everything, meanings))
    else:
        one = compare_model(kb, args.model, entry=args.entry, include_drafts=args.include_drafts)
        out.write(render.to_json(one) if args.json else render.to_text(one, meanings))
    return EXIT_OK


def cmd_schema(args: argparse.Namespace, out: TextIO) -> int:
    from ..core.schema import entry_json_schema_text

    out.write(entry_json_schema_text())
    return EXIT_OK


def cmd_codes(args: argparse.Namespace, out: TextIO) -> int:
    from ..core.codes import CODES

    for code in CODES.values():
        out.write(f"{code.code} {code.slug}\n    {code.meaning}\n    fix: {code.fix}\n")
    return EXIT_OK


def _run_query(args: argparse.Namespace):
    from ..kb.compiled import load_compiled
    from ..resolver.api import parse_inputs
    from ..resolver.resolve import resolve

    extra: dict[str, str] = {}
    for item in args.set:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise UsageError(f"--set {item!r}: write SYMBOL=VALUE, e.g. --set eta_base=3e-3")
        if name.strip() in extra:
            raise UsageError(f"--set {name.strip()} given twice")
        extra[name.strip()] = value.strip()
    kb = load_compiled(args.kb)
    flags = {dest: getattr(args, dest) for _, _, dest, _ in QUERY_FLAGS}
    inputs = parse_inputs(flags, extra, kb.symbols)
    result = resolve(kb, inputs, topics=args.topic, entries=args.entry, include_drafts=args.include_drafts)
    return kb, result


def cmd_query(args: argparse.Namespace, out: TextIO) -> int:
    from . import report

    fmt = "json" if args.json else args.format
    if args.brief and fmt == "json":
        raise UsageError("--brief shortens the text and markdown reports; --json always carries both the "
                         "summary and the rows: drop one of them")
    kb, result = _run_query(args)
    if fmt == "json":
        out.write(report.to_json(result))
    elif fmt == "markdown":
        out.write(report.to_markdown(result, brief=args.brief))
    else:
        out.write(report.to_text(result, {k: v.get("meaning", "") for k, v in kb.symbols.items()},
                                 brief=args.brief))
    return EXIT_OK


def cmd_explain(args: argparse.Namespace, out: TextIO) -> int:
    from . import report

    kb, result = _run_query(args)
    if args.symbol not in kb.symbols:
        raise UsageError(f"unknown symbol {args.symbol!r} (see heuristics/symbols.yaml)")
    text = report.explain(result, args.symbol)
    if not text:
        raise UsageError(f"no value of {args.symbol} follows from these inputs (try 'hpguide query' to see what does)")
    out.write(text)
    return EXIT_OK


COMMANDS = {
    "query": cmd_query,
    "explain": cmd_explain,
    "validate": cmd_validate,
    "list": cmd_list,
    "show": cmd_show,
    "cite": cmd_cite,
    "schema": cmd_schema,
    "codes": cmd_codes,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    words = list(sys.argv[1:] if argv is None else argv)
    args = fast_query_args(words)
    if args is None:
        parser = build_parser()
        args = parser.parse_args(words)
        if not args.command:
            parser.print_help()
            return EXIT_USAGE
    handler = COMMANDS.get(args.command) or getattr(args, "handler", None)
    assert handler is not None  # every subcommand is in COMMANDS or sets its handler
    try:
        return handler(args, sys.stdout)
    except HpguideError as exc:
        message = " ".join(str(exc).split()) if "\n    " not in str(exc) else str(exc)
        sys.stderr.write(f"hpguide: error: {message}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        sys.stderr.write("hpguide: interrupted\n")
        return 130
    except BrokenPipeError:
        return EXIT_OK


def run(argv: Sequence[str] | None = None) -> None:
    """The ``hpguide`` command: :func:`main`, then exit the process with its code.

    A query's own work takes a few milliseconds; tearing the interpreter down
    afterwards (freeing every module and the compiled KB one object at a
    time) took another 1.5 ms, a sixth of the command's time over bare
    ``python`` (benchmarks/bench_query.py). So once the output is flushed and
    the exit handlers have run (coverage, logging), the process ends with
    ``os._exit``. Not when another thread is still running (``site serve``)
    or the handlers cannot be run: then the usual exit.

    A query or explain also runs without the cyclic garbage collector: it
    creates no reference cycles worth collecting and ends within
    milliseconds, but every collection it triggered walked the whole
    compiled KB (half a millisecond in all).
    """
    words = sys.argv[1:] if argv is None else list(argv)
    if words[:1] == ["query"] or words[:1] == ["explain"]:
        import gc  # built into the interpreter

        gc.disable()
    try:
        code = main(words)
    except SystemExit as exc:  # argparse's usage errors (2) and --help (0); any other code as Python treats it
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if exc.code is not None and not isinstance(exc.code, int):
            sys.stderr.write(f"{exc.code}\n")
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # the reader went away (hpguide query | head): not an error
        pass
    import atexit  # built into the interpreter: no start-up cost

    threading = sys.modules.get("threading")
    exit_funcs = getattr(atexit, "_run_exitfuncs", None)
    if exit_funcs is None or (threading is not None and threading.active_count() > 1):
        raise SystemExit(code)
    exit_funcs()
    os._exit(code)
