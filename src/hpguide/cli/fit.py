"""Command line of `hpguide fit` (fitting laws to your own runs).

Parsing and rendering only; the work is done by :mod:`hpguide.discover.fitdata`,
:mod:`hpguide.discover.fit` and :mod:`hpguide.discover.fitentry`.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import Any, TextIO

    from ..discover.fit import FitResult

EXIT_OK = 0
SOURCE_KEYS = ("arxiv", "url", "doi", "title", "authors", "year", "venue", "where")

_DESCRIPTION = """\
Fit a law to your own runs and get the constants with 95% intervals, the residuals, the
compute-optimal allocation (chinchilla form) and, with --emit-entry, a draft KB entry.

Forms:
  power       y = a * x1**b1 * x2**b2 ...  least squares of log y on log x.
  chinchilla  L = E + A/N**alpha + B/D**beta  (two --x: parameters, then tokens), fitted as in
              Hoffmann et al. 2022: sum of Huber losses (delta 1e-3) on log L, L-BFGS from the
              paper's 4,500-start grid; the best objective wins.

Columns: --x/--y NAME=COLUMN takes the column whose header is COLUMN exactly (spaces allowed:
--x 'N=Model Size'); otherwise COLUMN is an expression over other mapped names and headers
(--x 'D=Training_FLOP/(6*N)'), read by hpguide's safe formula parser. In expressions a header
is written with every run of characters other than letters, digits and _ replaced by _
('Training FLOP' -> Training_FLOP); a mapped name takes precedence over a header.

Rows: every --where 'EXPR OP NUMBER' (OP one of < <= > >=) must hold; then --drop-top-loss K
drops the K rows with the largest y."""

_EPILOG = """\
examples:
  hpguide fit runs.csv --form chinchilla --x 'N=Model Size' --x 'D=Training_FLOP/(6*N)' \\
      --y L=loss --drop-top-loss 5 --bootstrap 200
  hpguide fit sweep.csv --form power --x N=params --y eta=best_lr --where 'N > 1e8' --json
  hpguide fit runs.csv --form chinchilla --x N=params --x D=tokens --y L=loss \\
      --emit-entry heuristics/loss/my-lab-2025-loss.yaml --source arxiv=2501.01234 \\
      --source 'title=My paper' --source 'authors=Ada Lovelace; Alan Turing' --source year=2025 \\
      --source 'where=Table 3'"""


def register(sub) -> None:
    """Add ``hpguide fit`` to the ``hpguide`` parser."""
    import argparse

    from .main import add_kb_option

    p = sub.add_parser("fit", help="fit a power law or the Chinchilla loss to your own runs (CSV)",
                       description=_DESCRIPTION, epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("data", metavar="DATA.csv", help="CSV file with a header line, one run per row")
    p.add_argument("--form", required=True, choices=("power", "chinchilla"), help="the law to fit")
    p.add_argument("--x", action="append", default=[], metavar="NAME=COLUMN",
                   help="a predictor: a header or an expression (repeatable; chinchilla: N first, then D)")
    p.add_argument("--y", required=True, metavar="NAME=COLUMN", help="the response (e.g. L=loss)")
    p.add_argument("--where", action="append", default=[], metavar="EXPR",
                   help="keep rows where EXPR OP NUMBER holds, e.g. 'N > 1e8' (repeatable; all must hold)")
    p.add_argument("--drop-top-loss", type=int, default=0, metavar="K",
                   help="drop the K rows with the largest y, after --where (Epoch AI dropped 5)")
    p.add_argument("--bootstrap", type=int, default=0, metavar="N",
                   help="95%% percentile-bootstrap intervals from N resamples of the rows (e.g. 200)")
    p.add_argument("--seed", type=int, default=0, metavar="S",
                   help="seed of the bootstrap resampling (default 0; same seed, same intervals)")
    p.add_argument("--plot", metavar="PNG", help="save a plot of fitted vs observed and the residuals "
                   "(needs matplotlib: pip install 'hpguide[plot]')")
    p.add_argument("--emit-entry", metavar="PATH", help="write a draft KB entry (kind law, the data, the fitted "
                   "constants, its own points as examples) to PATH, whose stem becomes the id; '-' prints it "
                   "(the report then goes to stderr). Variables must be registered symbols (N, D, L, eta ...)")
    p.add_argument("--source", action="append", default=[], metavar="KEY=VALUE",
                   help=f"with --emit-entry: the citation ({', '.join(SOURCE_KEYS)}; authors separated by ';'). "
                   "Without it the citation is left as TODO placeholders, which 'hpguide validate' reports "
                   "until filled in")
    p.add_argument("--force", action="store_true",
                   help="replace the files of --plot and --emit-entry if they exist (default: refuse)")
    p.add_argument("--json", action="store_true",
                   help='print {"form", "constants": {NAME: {"value", "ci"}}, "n_points", "residuals", '
                   '"allocation", "interval_method", ...}')
    add_kb_option(p)
    p.set_defaults(handler=cmd_fit)


def _source(items: list[str]) -> dict[str, Any] | None:
    from ..core.errors import UsageError

    if not items:
        return None
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or key not in SOURCE_KEYS or not value:
            raise UsageError(f"--source {item!r}: write KEY=VALUE with KEY one of {', '.join(SOURCE_KEYS)}")
        if key in out:
            raise UsageError(f"--source {key} given twice")
        if key == "authors":
            out[key] = [a.strip() for a in value.split(";") if a.strip()]
        elif key == "year":
            if not value.isdigit():
                raise UsageError(f"--source year={value!r}: write the year as digits, e.g. year=2025")
            out[key] = int(value)
        else:
            out[key] = value
    return out


def _command(args: argparse.Namespace) -> str:
    """The command line that redoes this fit (recorded in an emitted entry)."""
    import os
    import shlex

    words = ["hpguide", "fit", os.path.basename(args.data), "--form", args.form]
    for text in args.x:
        words += ["--x", text]
    words += ["--y", args.y]
    for text in args.where:
        words += ["--where", text]
    if args.drop_top_loss:
        words += ["--drop-top-loss", str(args.drop_top_loss)]
    if args.bootstrap:
        words += ["--bootstrap", str(args.bootstrap), "--seed", str(args.seed)]
    return shlex.join(words)


def _interval(ci: Any) -> str:
    return f"[{ci[0]:.4g}, {ci[1]:.4g}]" if ci else ""


def render(result: FitResult, payload: dict[str, Any], out: TextIO) -> None:
    """The human report of a fit."""
    from ..core.quantities import format_quantity

    w = out.write
    data = result.data
    w(f"hpguide fit: {result.form} form, {payload['equation']}\n")
    mapped = ", ".join(f"{k} = {v!r}" for k, v in data.mappings.items())
    w(f"data: {data.path}, {data.n_points} points ({mapped})\n")
    for line in data.selection:
        w(f"  {line}\n")
    w(f"method: {result.method}\n\n")
    width = max(8, *(len(name) for name in payload["constants"]))
    w(f"{'constant':<{width}}  {'value':>14}  95% interval\n")
    for name, item in payload["constants"].items():
        w(f"{name:<{width}}  {item['value']:>14.6g}  {_interval(item['ci']) or '-'}\n")
    w(f"intervals: {result.interval_method or 'none (add --bootstrap 200 for 95% percentile-bootstrap intervals)'}\n")
    res = result.residuals
    r2 = "n/a (y is constant)" if res["r2"] is None else f"{res['r2']:.5f}"
    w(f"\nresiduals (log fitted - log observed): rms {res['rms']:.4g}, max |r| {res['max_abs']:.4g}, "
      f"R^2 {r2} (log space), max relative error {res['max_rel_error']:.2%}\n")
    if "huber_objective" in res:
        w(f"objective (sum of Huber losses): {res['huber_objective']:.8g} from {result.details['starts']} starts, "
          f"{result.details['converged_starts']} converged\n")
    alloc = result.allocation
    if alloc:
        w(f"\ncompute-optimal allocation: {alloc['assumes']}\n")
        for key in ("G", "a", "b"):
            w(f"  {key} = {alloc[key]['value']:.6g} {_interval(alloc[key]['ci'])}\n")
        n_name, d_name = data.x_names
        w(f"  {'C':>8}  {n_name + '_opt':>10}  {d_name + '_opt':>10}  tokens/param\n")
        for row in alloc["budgets"]:
            w(f"  {row['C']:>8.0e}  {format_quantity(row['N_opt']):>10}  {format_quantity(row['D_opt']):>10}  "
              f"{row['tokens_per_param']:.3g} {_interval(row['tokens_per_param_ci'])}\n")
    elif result.form == "chinchilla":
        w("\ncompute-optimal allocation: none (needs alpha > 0 and beta > 0)\n")


def cmd_fit(args: argparse.Namespace, out: TextIO) -> int:
    import json
    import os

    from ..core.errors import UsageError
    from ..core.safewrite import check_target, write_file
    from ..discover.fit import fit, plot_fit, result_json
    from ..discover.fitdata import load_points
    from ..discover.fitentry import emit_entry

    emit = args.emit_entry
    if emit == "-" and args.json:
        raise UsageError("--json and --emit-entry - both print to stdout; give --emit-entry a file path")
    if args.source and not emit:
        raise UsageError("--source is the citation of an emitted entry: it goes with --emit-entry")
    source = _source(args.source)
    entry_id = None
    if args.plot and emit and os.path.abspath(args.plot) == os.path.abspath(emit):
        raise UsageError("--plot and --emit-entry name the same file: give them different paths")
    if args.plot:  # refuse before the fit, which can take a while
        check_target(args.plot, args.force)
    if emit and emit != "-":
        check_target(emit, args.force)
        entry_id = os.path.splitext(os.path.basename(emit))[0]
    data = load_points(args.data, args.x, args.y, where=args.where, drop_top=args.drop_top_loss)
    result = fit(data, args.form, bootstrap=args.bootstrap, seed=args.seed)
    payload = result_json(result)
    # stdout carries one thing: the JSON, the entry (--emit-entry -) or the report; notes go where they do not mix
    report = sys.stderr if emit == "-" else out
    notes = sys.stderr if args.json or emit == "-" else out
    if args.json:
        out.write(json.dumps(payload, indent=2) + "\n")
    else:
        render(result, payload, report)
    if args.plot:
        plot_fit(result, args.plot, force=args.force)
        notes.write(f"plot: {args.plot}\n")
    if emit:
        from ..kb.compiled import load_compiled

        symbols = load_compiled(args.kb).symbols
        text = emit_entry(result, entry_id or "my-fit", symbols=symbols, source=source, command=_command(args))
        if emit == "-":
            out.write(text)
            return EXIT_OK
        write_file(emit, text, args.force)
        todo = "" if source else " fill in the TODO citation (--source), then"
        notes.write(f"entry: {emit} (status draft;{todo} run 'hpguide validate')\n")
    return EXIT_OK
