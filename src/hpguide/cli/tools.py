"""Command line of `hpguide verify`, `transfer`, `schedule` and `sweep`.

Parsing and rendering only; the work is done by the library modules
(:mod:`hpguide.discover.verify`, :mod:`hpguide.discover.transfer`, :mod:`hpguide.discover.schedules`,
:mod:`hpguide.discover.sweep`), imported inside the handlers to keep start-up fast.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import TextIO

EXIT_OK, EXIT_FAILED = 0, 1


def _quantity(flag: str, text: str | None, positive: bool = True) -> float | None:
    from ..core.errors import QuantityError
    from ..core.quantities import parse_quantity

    if text is None:
        return None
    try:
        return parse_quantity(text, positive=positive)
    except QuantityError as exc:
        raise QuantityError(f"{flag}: {exc}") from None


def _required_quantity(flag: str, text: str, positive: bool = True) -> float:
    """:func:`_quantity` of a flag that argparse requires or defaults, so never None."""
    value = _quantity(flag, text, positive)
    assert value is not None
    return value


def _widths(rows: list[list[str]]) -> list[int]:
    return [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]


def _table(rows: list[list[str]], indent: str = "  ", widths: list[int] | None = None) -> str:
    widths = widths or _widths(rows)
    return "".join(indent + "  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() + "\n" for row in rows)


def _json(payload: object) -> str:
    import json

    return json.dumps(payload, indent=2, sort_keys=True, allow_nan=False) + "\n"


def register(sub) -> None:
    """Add ``verify``, ``transfer``, ``schedule`` and ``sweep`` to the ``hpguide`` parser."""
    from .main import add_kb_option

    p = sub.add_parser(
        "verify", help="refit constants from source data and re-run every example (exit 1 if one fails)",
        description="For entries that carry their source data (data:), refit each equation's constants and "
        "compare them with the encoded values; for every entry (or the given ids), reproduce the examples. "
        "Tolerance of a refit: a constant written with k significant digits is reproduced when the refit rounds "
        "to it (half a unit of its last digit), never tighter than 1e-9 relative; --rel-tol replaces the rule. "
        "Exit 0 when everything reproduces, 1 when something does not, 2 on a usage error.",
        epilog="examples: hpguide verify; hpguide verify gpt3-2020-lr-trend; "
        "hpguide verify gpt3-2020-lr-trend --data my-copy.csv (columns named by registry symbols, e.g. N,eta)")
    p.add_argument("ids", nargs="*", metavar="ID", help="entry ids (default: every entry)")
    p.add_argument("--data", metavar="FILE", help="refit the one given entry against this CSV instead of its data: "
                   "(header = registry symbols; other columns are ignored)")
    p.add_argument("--rel-tol", metavar="X", help="accept a refit constant within this relative error")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    add_kb_option(p)
    p.set_defaults(handler=cmd_verify)

    p = sub.add_parser(
        "transfer", help="per-group LR, init, multipliers, weight decay and eps from a tuned proxy",
        description="Transfer the hyperparameters of a tuned proxy to a target model under a parameterisation "
        "entry (muP, CompleteP, Complete(d)P). Every value is computed from the entry's equations and shown with "
        "the rule and the entry it comes from; a value an entry does not give is reported as not specified. "
        "--base keys: d_model n_layers lr init_std batch tokens wd eps (d_model and lr required); "
        "--target keys: d_model n_layers batch tokens d_head (d_model required). Quantities take K/M/B/T.",
        epilog='example: hpguide transfer --param completep --base "d_model=256 n_layers=4 lr=3e-3 init_std=0.02 '
        'batch=256k tokens=5B wd=0.1 eps=1e-8" --target "d_model=4096 n_layers=32 tokens=1T"')
    p.add_argument("--param", required=True, metavar="P",
                   help="mup, completep, completedp (draft entries: needs --include-drafts) or a parameterization "
                   "entry id")
    p.add_argument("--base", required=True, metavar='"k=v ..."', help="the tuned proxy")
    p.add_argument("--target", required=True, metavar='"k=v ..."', help="the model to train")
    p.add_argument("--include-drafts", action="store_true", help="allow draft entries (completedp)")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print the plan as JSON")
    out.add_argument("--python", action="store_true",
                     help="print a Python dict literal of the optimizer settings per parameter group")
    add_kb_option(p)
    p.set_defaults(handler=cmd_transfer)

    p = sub.add_parser(
        "schedule", help="LR schedules (cosine, linear, wsd, constant) as a table, CSV or plot",
        description="Learning-rate schedules with linear warmup. Defaults come from the KB: warmup 2000 steps "
        "(llama-deepseek-warmup-2000-steps); cosine decays to 10% (cosine-decay-to-10pct); linear decays to 0 "
        "(defazio-2023-linear-decay-to-zero, draft); wsd holds the peak and cools down over 20% of the steps to 0 "
        "with the 1-sqrt shape (hagele-2024-cooldown), or over 10% with --from minicpm-2024-wsd. From Python: "
        "hpguide.discover.schedules.get(kind, peak=..., steps=..., as_multiplier=True) is a lr_lambda for "
        "torch.optim.lr_scheduler.LambdaLR (set the optimizer's lr to the peak).",
        epilog="example: hpguide schedule --kind wsd --peak 3e-4 --steps 100k --warmup 2k --cooldown 0.2")
    p.add_argument("--kind", required=True, choices=("cosine", "linear", "wsd", "constant"))
    p.add_argument("--peak", required=True, metavar="LR", help="peak learning rate, e.g. 3e-4")
    p.add_argument("--steps", required=True, metavar="S", help="total optimizer steps, e.g. 100k")
    p.add_argument("--warmup", metavar="W", help="warmup steps (default 2000, from the KB)")
    p.add_argument("--cooldown", metavar="F", help="wsd: fraction of the steps spent in the final decay")
    p.add_argument("--decay-shape", choices=("linear", "sqrt", "cosine"),
                   help="wsd: cooldown shape; sqrt is Hägele's 1-sqrt (default)")
    p.add_argument("--min-ratio", metavar="R", help="final LR / peak LR")
    p.add_argument("--decay-end", metavar="S", help="cosine, linear: the step where the decay ends (default: steps)")
    p.add_argument("--from", dest="source", metavar="ENTRY", choices=("hagele-2024-cooldown", "minicpm-2024-wsd"),
                   help="wsd: the entry that gives the defaults (hagele-2024-cooldown or minicpm-2024-wsd)")
    p.add_argument("--csv", action="store_true", help="print step,lr for every step (see --every)")
    p.add_argument("--every", type=int, default=1, metavar="K", help="with --csv: every K-th step (and the last)")
    p.add_argument("--plot", metavar="PNG", help="also write a plot (needs matplotlib; .png, .svg or .pdf)")
    p.add_argument("--force", action="store_true", help="replace the --plot file if it exists (default: refuse)")
    add_kb_option(p)
    p.set_defaults(handler=cmd_schedule)

    p = sub.add_parser(
        "sweep", help="plan the LR/batch sweep that checks the heuristics on a small proxy",
        description="Suggest a proxy (1/100 of the target, as in the transfer experiments the parameterisation "
        "entries cite, never below muP's smallest proxy width 256; same tokens per parameter as the target), "
        "evaluate every applicable law at the proxy and build a log-spaced LR (and batch) grid over the query's "
        "suggested sweep range at the proxy (in-range laws and published configs of comparable scale, widened by "
        "the margin). Export as text, CSV, a W&B sweep YAML, an Optuna script, JSON, "
        "or an LR range test plan.",
        epilog="example: hpguide sweep --params 7B --tokens 1T --format wandb > sweep.yaml")
    p.add_argument("--params", required=True, metavar="N", help="target parameters, e.g. 7B")
    p.add_argument("--tokens", required=True, metavar="D", help="target training tokens, e.g. 1T")
    p.add_argument("--proxy-params", metavar="N", help="proxy parameters (default: see above)")
    p.add_argument("--proxy-tokens", metavar="D", help="proxy tokens (default: the target's tokens per parameter)")
    p.add_argument("--points", type=int, default=7, help="LR values in the grid (default 7)")
    p.add_argument("--batch-points", type=int, default=3, help="batch values in the grid (default 3; 0: no batch)")
    p.add_argument("--margin", default="1.5", metavar="M",
                   help="widen the span of the laws and configs by this factor each side (default 1.5, the "
                        "query summary's)")
    p.add_argument("--format", choices=("text", "csv", "wandb", "optuna", "json"), default="text")
    p.add_argument("--lr-range-test", action="store_true",
                   help="plan one short run with the LR ramped exponentially across the grid instead")
    p.add_argument("--range-steps", type=int, default=1000, metavar="S", help="steps of the range test (1000)")
    p.add_argument("--include-drafts", action="store_true", help="also use draft entries")
    add_kb_option(p)
    p.set_defaults(handler=cmd_sweep)


# ---------------------------------------------------------------------------- verify


def cmd_verify(args: argparse.Namespace, out: TextIO) -> int:
    from ..core.quantities import format_number
    from ..discover.verify import TOLERANCE_RULE, check_request, verify
    from ..kb.load import load_kb
    from ..kb.validate import ORIGINS
    from .main import find_entry

    rel_tol = _quantity("--rel-tol", args.rel_tol)
    check_request(args.ids, args.data, rel_tol)
    kb = load_kb(args.kb)
    ids = [find_entry(kb, i).entry.id for i in args.ids]
    report = verify(kb, ids, data_file=args.data, rel_tol=rel_tol)
    if args.json:
        out.write(_json(report.to_dict()))
        return EXIT_OK if report.ok else EXIT_FAILED
    w = out.write
    w(f"hpguide verify  (KB {report.kb_version})\n")
    if report.refits:
        rule = f"relative error <= {rel_tol:g}" if rel_tol is not None else TOLERANCE_RULE
        w(f"\nRefits from source data (tolerance: {rule})\n")
        rows = [["entry", "constant", "encoded", "refit", "rel.error", "rel.tol", "ok"]]
        for r in report.refits:
            rows.append([r.entry, r.constant, f"{r.encoded:.8g}", f"{r.refit:.8g}", f"{r.rel_error:.2g}",
                         f"{r.tolerance:.2g}", "ok" if r.ok else "NOT REPRODUCED"])
        w(_table(rows))
        w("  how:\n")
        seen = set()
        for r in report.refits:
            if (r.entry, r.equation) in seen:
                continue
            seen.add((r.entry, r.equation))
            rms = ""
            if r.rms_encoded is not None and r.rms_refit is not None:
                rms = f"; rms residual {r.rms_encoded:.3g} with the encoded constants, {r.rms_refit:.3g} refitted"
            w(f"    {r.entry}: {r.equation}: {r.method}, {r.n_points} rows of {r.data}{rms}\n")
    if report.skipped:
        w("\nNot refitted\n")
        for s in report.skipped:
            w(f"  {s.entry}: {s.equation}: {s.reason}\n")
    if report.examples:
        w("\nExamples, reproduced by the entries' equations ('from': source = printed by the source, "
          "computed = computed by hpguide, tautology = echoes the entry's own constant)\n")
        rows = [["entry", "example", "symbol", "expected", "from", "got", "rel.error", "rel_tol", "ok"]]
        for e in report.examples:
            rows.append([e.entry, str(e.example), e.symbol, format_number(e.expected), e.origin,
                         "-" if e.got is None else format_number(e.got),
                         "-" if e.rel_error is None else f"{e.rel_error:.2g}", f"{e.rel_tol:.2g}",
                         "ok" if e.ok else "FAIL"])
        w(_table(rows))
    for note in report.notes:
        w(f"\nnote: {note}\n")
    bad_refits = sum(not r.ok for r in report.refits)
    entries = len({e.entry for e in report.examples})
    parts = []
    if report.refits:
        parts.append(f"{len(report.refits)} refitted constant(s): {len(report.refits) - bad_refits} reproduced, "
                     f"{bad_refits} not")
    if report.examples:
        for origin, label in ORIGINS.items():
            rows_of = [e for e in report.examples if e.origin == origin]
            if rows_of:
                bad = sum(not e.ok for e in rows_of)
                parts.append(f"{len(rows_of)} example value(s) {label}: {len(rows_of) - bad} reproduced, {bad} not")
        parts.append(f"({entries} entries)")
    w(f"\n{'; '.join(parts) or 'nothing to verify'}: {'ok' if report.ok else 'FAILED'}\n")
    return EXIT_OK if report.ok else EXIT_FAILED


# ---------------------------------------------------------------------------- transfer


def cmd_transfer(args: argparse.Namespace, out: TextIO) -> int:
    from ..core.quantities import format_number
    from ..discover.transfer import python_literal, transfer

    plan = transfer(args.param, args.base, args.target, kb=args.kb, include_drafts=args.include_drafts)
    if args.json:
        out.write(_json(plan.to_dict()))
        return EXIT_OK
    if args.python:
        out.write(python_literal(plan))
        return EXIT_OK
    w = out.write
    w(f"hpguide transfer --param {plan.param}  (KB {plan.kb_version})\n")
    w(f"base    {' '.join(args.base.split())}\ntarget  {' '.join(args.target.split())}\n")
    for text in plan.assumptions:
        w(f"ASSUMED {text}\n")
    factors = list(plan.scale_factors.values())
    if factors:
        w("scale   " + "   ".join(f"{s.symbol} = {format_number(s.value)}" if s.value is not None else
                                  f"{s.symbol}: {s.note}" for s in factors) + "\n")
    sections = ([("global (optimizer defaults at the target's batch and duration)", plan.global_settings)]
                if plan.global_settings else [])
    sections += [(label, settings) for _, label, settings in plan.groups]
    tables = []
    for title, settings in sections:
        rows = []
        for quantity, s in settings.items():
            if s.value is None:
                rows.append([quantity, "-", s.note + (f": {s.rule}" if s.rule else ""), ""])
            else:
                rows.append([quantity, format_number(s.value), s.rule, f"[{s.entry}]"])
        tables.append((title, settings, rows))
    widths = _widths([row for _, _, rows in tables for row in rows if row[1] != "-"] or [["", "", "", ""]])
    for index, (title, _, rows) in enumerate(tables):
        w(f"\n{title}\n")
        w(_table(rows, widths=widths))
        if index == 0 and plan.rebased:
            w("".join(f"  note: {text}\n" for text in plan.rebased))
    w("\nSources\n")
    for e in plan.entries:
        w(f"  {e['id']} v{e['version']} ({e['status']}): {e['citation']}\n")
    if plan.notes:
        w("\nNotes\n")
        for note in plan.notes:
            w(f"  - {note}\n")
    if plan.warnings:
        w("\nWarnings of the entries\n")
        for entry_id, text in plan.warnings:
            w(f"  - [{entry_id}] {text}\n")
    return EXIT_OK


# ---------------------------------------------------------------------------- schedule


def cmd_schedule(args: argparse.Namespace, out: TextIO) -> int:
    from ..core.errors import UsageError
    from ..discover import schedules

    if args.every < 1:
        raise UsageError("--every must be at least 1")
    schedule = schedules.make_schedule(
        args.kind, peak=_required_quantity("--peak", args.peak), steps=_required_quantity("--steps", args.steps),
        warmup=_quantity("--warmup", args.warmup, positive=False), cooldown=_quantity("--cooldown", args.cooldown),
        decay_shape=args.decay_shape, min_ratio=_quantity("--min-ratio", args.min_ratio, positive=False),
        decay_end=_quantity("--decay-end", args.decay_end), source=args.source, kb=args.kb)
    if args.plot:
        schedules.plot(schedule, args.plot, force=args.force)
    w = out.write
    if args.csv:
        w("step,lr\n")
        steps = list(range(0, schedule.steps + 1, args.every))
        if steps[-1] != schedule.steps:
            steps.append(schedule.steps)
        w("".join(f"{s},{schedule.lr(s)!r}\n" for s in steps))
        return EXIT_OK
    w(f"hpguide schedule: {schedule.kind}, peak {schedule.peak:g}, {schedule.steps} steps, warmup {schedule.warmup}")
    if schedule.kind == "wsd":
        w(f", cooldown from step {schedule.decay_start} ({schedule.decay_shape})")
    w(f"\nlr(step) = {schedule.describe()}\n")
    for name, source in schedule.sources.items():
        w(f"default {name} from {source}\n")
    rows = [["step", "lr", "lr/peak", ""]]
    rows += [[str(s), f"{schedule.lr(s):.4g}", f"{schedule.multiplier(s):.4f}", label]
             for s, label in schedules.key_steps(schedule)]
    w("\n" + _table(rows, indent=""))
    if args.plot:
        w(f"\nwrote {args.plot}\n")
    return EXIT_OK


# ---------------------------------------------------------------------------- sweep


def cmd_sweep(args: argparse.Namespace, out: TextIO) -> int:
    from ..core.errors import UsageError
    from ..core.quantities import format_quantity
    from ..discover import sweep

    if args.lr_range_test and args.format in ("wandb", "optuna"):
        raise UsageError("an LR range test is one run: use --format text, csv or json")
    plan = sweep.plan_sweep(
        _required_quantity("--params", args.params), _required_quantity("--tokens", args.tokens),
        proxy_params=_quantity("--proxy-params", args.proxy_params),
        proxy_tokens=_quantity("--proxy-tokens", args.proxy_tokens), points=args.points,
        batch_points=args.batch_points, margin=_required_quantity("--margin", args.margin), kb=args.kb,
        include_drafts=args.include_drafts)
    w = out.write
    if args.lr_range_test:
        test = plan.range_test(args.range_steps)
        if args.format == "csv":
            w("step,lr\n" + "".join(f"{s},{test.lr(s)!r}\n" for s in range(test.steps)))
        elif args.format == "json":
            w(_json({**plan.to_dict(), "range_test": {"start": test.start, "end": test.end, "steps": test.steps,
                                                      "multiplier": test.multiplier, "batch_tokens": test.batch}}))
        else:
            _sweep_header(plan, w)
            batch = f" at batch {format_quantity(test.batch)} tokens" if test.batch else ""
            w(f"\nLR range test: one run of {test.steps} steps{batch}, lr(step) = {test.start:.3g} * "
              f"{test.multiplier:.6g}**step, from {test.start:.3g} to {test.end:.3g} (the sweep grid's span).\n"
              "Log the training loss every step; the LR where the loss falls fastest, and the one where it "
              "starts to rise, bound the useful range. Compare them with the laws' predictions above.\n")
        return EXIT_OK
    if args.format == "csv":
        w(sweep.to_csv(plan))
    elif args.format == "wandb":
        w(sweep.to_wandb_yaml(plan))
    elif args.format == "optuna":
        w(sweep.to_optuna_script(plan))
    elif args.format == "json":
        w(_json(plan.to_dict()))
    else:
        _sweep_header(plan, w)
        w(f"\nLR grid ({len(plan.lr_grid)}): {', '.join(f'{v:.3g}' for v in plan.lr_grid)}\n")
        if plan.batch_grid:
            w(f"batch grid ({len(plan.batch_grid)}, tokens): "
              f"{', '.join(format_quantity(v) for v in plan.batch_grid)}\n")
        w(f"{len(plan.runs())} runs; export with --format csv, wandb or optuna\n")
    return EXIT_OK


def _sweep_header(plan, w) -> None:
    from ..core.quantities import format_quantity

    w(f"hpguide sweep  (KB {plan.kb_version})\n")
    w(f"target  N = {format_quantity(plan.target['N'])}, D = {format_quantity(plan.target['D'])}\n")
    w("proxy   " + ", ".join(f"{k} = {format_quantity(v)}" for k, v in plan.proxy.items()) + "\n")
    w(f"        rule: {plan.proxy_rule}\n")
    for text in plan.proxy_assumptions:
        w(f"        ASSUMED {text}\n")
    at_target = {(v.entry, v.symbol): v for v in plan.target_laws}
    rows = [["symbol", "entry", "at proxy", "", "at target", ""]]
    for v in plan.proxy_laws:
        t = at_target.get((v.entry, v.symbol))
        rows.append([v.symbol, v.entry, format_quantity(v.value, sig=3), "" if v.in_range else "!",
                     "-" if t is None else format_quantity(t.value, sig=3), "" if t is None or t.in_range else "!"])
    w("\nThe laws at the proxy and at the target (! = outside the source's range)\n" + _table(rows))
    grid = f"LR grid from {', '.join(plan.grid_entries['eta'])}"
    if plan.grid_entries["B"]:
        grid += f"; batch grid from {', '.join(plan.grid_entries['B'])}"
    w(f"{grid}; widened by x{plan.margin:g} each side\n")
    for note in plan.notes:
        w(f"note: {note}\n")
