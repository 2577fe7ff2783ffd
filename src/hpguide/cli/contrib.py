"""Command line of the contributor tools: `hpguide new`, `fmt`, `diff`, `changelog`.

Parsing and rendering only; the work is done by :mod:`hpguide.kb.scaffold`,
:mod:`hpguide.kb.fmt` and :mod:`hpguide.kb.versioning`.
"""

from __future__ import annotations

import sys

EXIT_OK, EXIT_CHANGED, EXIT_USAGE = 0, 1, 2


def register(sub) -> None:
    """Add `new`, `fmt`, `diff` and `changelog` to the ``hpguide`` parser."""
    from .main import add_kb_option

    p = sub.add_parser(
        "new", help="scaffold a new entry file",
        description="Write heuristics/<topic>/<id>.yaml with the facts given and a TODO wherever the source must "
        "be read; 'hpguide validate' rejects the file (HPG007) until every TODO is filled in. Missing flags are "
        "asked for when stdin is a terminal, and are an error otherwise.",
        epilog="example: hpguide new --id deepseek-2024-lr-batch --kind law --topic learning-rate "
        "--title 'DeepSeek LLM: peak LR vs compute' --arxiv 2401.02954 --equation 'eta=c_eta*C_M**(-a_eta)'")
    add_kb_option(p)
    p.add_argument("--id", help="entry id: kebab-case, author-year-topic (never reused)")
    p.add_argument("--kind", help="definition, law, rule, recipe, parameterization or schedule")
    p.add_argument("--topic", help="topic, also the folder under heuristics/ (e.g. learning-rate)")
    p.add_argument("--title", help="one-line title")
    p.add_argument("--arxiv", help="arXiv id of the source (e.g. 2401.02954)")
    p.add_argument("--equation", action="append", default=[], metavar="OUTPUT=EXPRESSION",
                   help="an equation, e.g. 'eta=c*N**(-a)' (repeatable; names that are not registered symbols "
                   "become constants)")
    p.set_defaults(handler=cmd_new)

    p = sub.add_parser(
        "fmt", help="normalise key order and number formatting of entry files",
        description="Rewrite entry files in one layout: keys in the order of the entry format, numbers written one "
        "way (digits unchanged), comments kept. Refuses a file hpguide cannot read, and never changes a value. "
        "Formats only entry files (a mapping whose id is the file name and whose kind is an entry kind), never "
        "through a symlink; each file is replaced atomically.")
    add_kb_option(p)
    p.add_argument("files", nargs="*", metavar="FILE",
                   help="entry files or directories (default: every entry of the KB)")
    p.add_argument("--check", action="store_true", help="change nothing; exit 1 if a file would be reformatted")
    p.add_argument("--force", action="store_true",
                   help="also format the YAML files named on the command line that are not entries")
    p.set_defaults(handler=cmd_fmt)

    p = sub.add_parser(
        "diff", help="what changed in the KB between two git revisions",
        description="Per entry: added, removed, changed keys and constants (old -> new); then how the answers of "
        "a few standard queries (7B/1T, 1B/20B, d_model 4096/1T) moved.",
        epilog="example: hpguide diff origin/main    (origin/main against the working tree)")
    add_kb_option(p)
    p.add_argument("rev1", metavar="REV1", help="the old revision (branch, tag, commit)")
    p.add_argument("rev2", metavar="REV2", nargs="?", help="the new revision (default: the working tree)")
    p.add_argument("--json", action="store_true", help="print the diff as JSON")
    p.set_defaults(handler=cmd_diff)

    p = sub.add_parser(
        "changelog", help="print the KB's changelog (Markdown)",
        description="Print a Markdown changelog of the KB built from every entry's changelog, grouped by date, "
        "newest first (the site's changelog page is the same text).")
    add_kb_option(p)
    p.set_defaults(handler=cmd_changelog)


def _terminal_input(prompt: str) -> str:
    return input(prompt)


def cmd_new(args, out) -> int:
    from ..kb.compiled import load_compiled
    from ..kb.load import locate_kb
    from ..kb.scaffold import collect_fields, write_new_entry

    root = locate_kb(args.kb)
    symbols = load_compiled(root).symbols
    given = {name: getattr(args, name) for name in ("id", "kind", "topic", "title", "arxiv", "equation")}
    new = collect_fields(given, symbols, ask=_terminal_input if sys.stdin.isatty() else None)
    path = write_new_entry(root, new, symbols)
    out.write(f"wrote {path}\nnext: replace every TODO from the source, then run 'hpguide validate' "
              "(it lists what is left, one line per TODO)\n")
    return EXIT_OK


def cmd_fmt(args, out) -> int:
    from pathlib import Path

    from ..core.errors import HpguideError
    from ..kb.fmt import files_to_format, format_file

    files = files_to_format(args.files, args.kb)
    named = {Path(name) for name in args.files if not (Path(name).is_dir() and not Path(name).is_symlink())}
    changed, failed = 0, 0
    for path in files:
        try:
            if format_file(path, check=args.check, force=args.force and path in named):
                changed += 1
                out.write(f"{'would reformat' if args.check else 'reformatted'} {path}\n")
        except HpguideError as exc:
            failed += 1
            sys.stderr.write(f"hpguide: error: {exc}\n")
    verb = "would be reformatted" if args.check else "reformatted"
    not_done = f", {failed} not formatted" if failed else ""
    out.write(f"{len(files)} file(s) checked, {changed} {verb}{not_done}\n")
    if failed:
        return EXIT_USAGE
    return EXIT_CHANGED if args.check and changed else EXIT_OK


def _shown(value, show) -> str:
    """``show(value)`` for a number, ``(none)`` for a value that is missing on one side of the diff."""
    return "(none)" if value is None else show(value) if isinstance(value, (int, float)) else str(value)


def render_diff(diff) -> str:
    """The text ``hpguide diff`` prints for a :class:`~hpguide.resolver.kbdiff.KBDiff`."""
    from ..core.quantities import format_number
    from .report import q

    lines = [f"KB {diff.old_label} (release {diff.old_release}) -> {diff.new_label} (release {diff.new_release})"]
    if not diff.entries:
        lines.append("no entry changed")
    for c in diff.entries:
        if c.change == "changed":
            bump = (f"v{c.old_version} -> v{c.new_version}" if c.old_version != c.new_version
                    else f"v{c.new_version} (same version)")
            lines.append(f"changed  {c.id}  {bump}")
            for label, keys in (("keys added", c.keys_added), ("keys removed", c.keys_removed),
                                ("keys changed", c.keys_changed)):
                if keys:
                    lines.append(f"    {label}: {', '.join(keys)}")
            for name, old, new in c.constants:
                lines.append(f"    constant {name}: {_shown(old, format_number)} -> {_shown(new, format_number)}")
        else:
            lines.append(f"{c.change:<8} {c.id}  v{c.new_version or c.old_version}")
    if diff.effects:
        lines.append("Effect on the standard queries")
        for e in diff.effects:
            if e.old is not None and e.new is not None:
                lines.append(f"    {e.symbol} for {e.query} moved from {_shown(e.old, q)} to {_shown(e.new, q)} "
                             f"({e.entry})")
            elif e.new is not None:
                lines.append(f"    {e.symbol} for {e.query}: new answer {_shown(e.new, q)} ({e.entry})")
            else:
                lines.append(f"    {e.symbol} for {e.query}: no longer answered (was {_shown(e.old, q)}, {e.entry})")
    else:
        lines.append("No answer of the standard queries moved")
    return "\n".join(lines) + "\n"


def cmd_diff(args, out) -> int:
    from ..resolver.kbdiff import diff_revisions

    diff = diff_revisions(args.kb, args.rev1, args.rev2)
    if args.json:
        import dataclasses
        import json

        out.write(json.dumps(dataclasses.asdict(diff), indent=2, default=str) + "\n")
    else:
        out.write(render_diff(diff))
    return EXIT_OK


def cmd_changelog(args, out) -> int:
    from ..kb.load import load_kb
    from ..kb.versioning import changelog_markdown

    out.write(changelog_markdown(load_kb(args.kb)))
    return EXIT_OK
