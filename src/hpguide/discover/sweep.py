"""Plan the sweep that checks the heuristics on a small proxy of the target model.

1. **Proxy size.** Unless given, ``N_proxy = N_target * PROXY_FRACTION`` (1/100):
   the ratio of the published transfer experiments the KB's parameterisation
   entries cite (TP5: a 40M proxy for GPT-3 6.7B; Complete(d)P: 50M for 7.2B),
   but never below the smallest proxy muP reports transfer from: width
   ``d_model`` = the lower end of the muP entry's validity (256, TP5 Sec. 6.1),
   turned into parameters by the KB's shape definitions and the shape the
   resolver assumes. The proxy keeps the target's tokens per parameter, so the
   laws that depend on D are read at the same horizon ratio.
2. **Grids.** Every applicable law is evaluated at the proxy with
   :func:`hpguide.resolver.api.query`. The LR grid is the query's own suggested
   sweep range for ``eta`` at the proxy (:func:`hpguide.resolver.summary.summarize`,
   one implementation: the usable in-range answers of the largest comparable
   group and the published configs of comparable scale, widened by ``margin``,
   default the query's 1.5x; extrapolated answers, with a note, when none is in
   range); the batch grid the same over ``B``, rounded to whole sequences. The laws'
   predictions at the target are listed beside, so that after the sweep the
   law whose proxy prediction matched the measured optimum can be read off.
3. **Exports.** A CSV grid, a W&B sweep YAML (``method: grid``), an Optuna
   script using ``GridSampler`` (text; optuna is not imported here), or an LR
   range test: one short run whose LR grows exponentially from the bottom to
   the top of the grid.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

from ..core.errors import UsageError
from ..core.quantities import format_quantity
from ..core.stats import median_high
from ..resolver.summary import WIDEN

TYPE_CHECKING = False  # no run-time typing import
if TYPE_CHECKING:
    from typing import Any

__all__ = ["PROXY_FRACTION", "MUP_ENTRY", "LawValue", "SweepPlan", "RangeTest", "plan_sweep", "log_grid",
           "describe_plan", "to_csv", "to_wandb_yaml", "to_optuna_script"]

PROXY_FRACTION = 0.01
MUP_ENTRY = "mup-2022-tensor-programs-v"
DEFAULT_RANGE_STEPS = 1000


@dataclass(frozen=True)
class LawValue:
    """One law's answer for one symbol at one model size."""

    symbol: str
    entry: str
    value: float
    in_range: bool
    citation: str


@dataclass(frozen=True)
class RangeTest:
    """One run with ``lr(step) = start * multiplier**step`` for ``steps`` steps (start to end)."""

    start: float
    end: float
    steps: int
    multiplier: float
    batch: float | None

    def lr(self, step: int) -> float:
        return self.start * self.multiplier**step


@dataclass
class SweepPlan:
    """A proxy, its LR and batch grids, and the laws they come from."""

    kb_version: str
    target: dict[str, float]
    proxy: dict[str, float]
    proxy_rule: str
    proxy_assumptions: list[str]
    margin: float
    lr_grid: list[float]
    batch_grid: list[float]
    seq_len: float | None
    proxy_laws: list[LawValue]
    target_laws: list[LawValue]
    grid_entries: dict[str, list[str]]
    notes: list[str] = field(default_factory=list)

    def runs(self) -> list[dict[str, float]]:
        """One dict per run of the grid: lr, batch (tokens), steps at that batch."""
        batches: list[float | None] = [*self.batch_grid] or [None]
        out = []
        for lr, batch in itertools.product(self.lr_grid, batches):
            run = {"lr": lr}
            if batch is not None:
                run["batch_tokens"] = batch
                run["steps"] = math.ceil(self.proxy["D"] / batch)
                if self.seq_len:
                    run["batch_seqs"] = batch / self.seq_len
            out.append(run)
        return out

    def range_test(self, steps: int = DEFAULT_RANGE_STEPS) -> RangeTest:
        """The LR range test over the grid's span."""
        if steps < 2:
            raise UsageError("a range test needs at least 2 steps")
        start, end = self.lr_grid[0], self.lr_grid[-1]
        batch = median_high(self.batch_grid) if self.batch_grid else None  # a point of the grid
        return RangeTest(start, end, steps, (end / start) ** (1.0 / (steps - 1)), batch)

    def to_dict(self) -> dict:
        return {
            "kb_version": self.kb_version, "target": dict(self.target), "proxy": dict(self.proxy),
            "proxy_rule": self.proxy_rule, "proxy_assumptions": list(self.proxy_assumptions),
            "margin": self.margin, "lr_grid": list(self.lr_grid), "batch_grid": list(self.batch_grid),
            "seq_len": self.seq_len, "runs": self.runs(),
            "proxy_laws": [_law_dict(v) for v in self.proxy_laws],
            "target_laws": [_law_dict(v) for v in self.target_laws],
            "grid_entries": {k: list(v) for k, v in self.grid_entries.items()}, "notes": list(self.notes),
        }


def _law_dict(value: LawValue) -> dict:
    return {"symbol": value.symbol, "entry": value.entry, "value": value.value, "in_range": value.in_range,
            "citation": value.citation}


def _round_sig(value: float, digits: int = 3) -> float:
    return float(f"{value:.{digits - 1}e}")


def log_grid(lo: float, hi: float, points: int) -> list[float]:
    """``points`` log-spaced values from ``lo`` to ``hi`` (3 significant digits)."""
    if points == 1:
        return [_round_sig(math.sqrt(lo * hi))]
    step = math.log(hi / lo) / (points - 1)
    return [_round_sig(lo * math.exp(i * step)) for i in range(points)]


def _laws(result, symbol: str) -> list[LawValue]:
    return [LawValue(r.symbol, r.entry, r.value, r.in_range, r.citation) for r in result.results_for(symbol)]


def _span(result, kb, context: dict, symbol: str, points: int, margin: float, notes: list[str]):
    """The query's summary of ``symbol`` at the proxy, with the sweep's points and margin (None when nothing
    gives it a usable value or a comparable config): one rule for the query's suggested range and the sweep."""
    from ..resolver.summary import quantity_summary

    summary = quantity_summary(kb, symbol, result.results_for(symbol), result.spread_groups.get(symbol), context,
                               points=points, widen=margin)
    if summary.points is None:
        return None
    usable = [r for r in result.results_for(symbol) if r.usable]
    spanned = [r for r in usable if r.in_range] or usable
    if summary.basis != "in-range":
        notes.append(f"no law that gives {symbol} is in its source's range at the proxy: the grid rests on "
                     f"{'the extrapolated answers' if summary.basis == 'extrapolated' else 'the published configs'}")
    return summary, sorted({r.entry for r in spanned})


def _proxy_floor(kb) -> tuple[float, dict[str, float], str] | None:
    """N and shape of the smallest muP proxy (width = lower end of the muP entry's validity), or None."""
    from ..resolver.api import query

    entry = kb.entry(MUP_ENTRY)
    if entry is None or "d_model" not in entry.validity:
        return None
    width = entry.validity["d_model"][0]
    result = query(kb=kb, d_model=width)
    n = next((d.value for d in result.derived if d.symbol == "N"), None)
    if n is None:
        return None
    shape = {"d_model": width, **{a.symbol: a.value for a in result.assumptions if a.symbol == "n_layers"}}
    assumed = ", ".join(f"{a.symbol} = {format_quantity(a.value)}" for a in result.assumptions)
    return n, shape, f"{MUP_ENTRY} validity: d_model >= {width:g} (with {assumed})"


def plan_sweep(
    params: float,
    tokens: float,
    *,
    proxy_params: float | None = None,
    proxy_tokens: float | None = None,
    points: int = 7,
    batch_points: int = 3,
    margin: float = WIDEN,
    kb=None,
    include_drafts: bool = False,
) -> SweepPlan:
    """Plan the LR (and batch) sweep at a proxy of a target with ``params`` parameters and ``tokens`` tokens.

    ``kb`` is a KB directory or a :class:`~hpguide.kb.compiled.CompiledKB` (default: the located KB).
    """
    from ..kb.compiled import CompiledKB, load_compiled
    from ..resolver.api import query

    for name, value in (("params", params), ("tokens", tokens), ("proxy params", proxy_params),
                        ("proxy tokens", proxy_tokens)):
        if value is not None and not (math.isfinite(value) and value > 0):
            raise UsageError(f"{name} must be a finite number > 0")
    if not 1 <= points <= 100:
        raise UsageError(f"--points {points}: give between 1 and 100 LR values")
    if not 0 <= batch_points <= 20:
        raise UsageError(f"--batch-points {batch_points}: give between 0 and 20 batch values")
    if not (math.isfinite(margin) and margin >= 1):
        raise UsageError(f"--margin {margin:g}: the margin widens the grid and must be >= 1")
    compiled = kb if isinstance(kb, CompiledKB) else load_compiled(kb)
    notes: list[str] = []
    shape: dict[str, Any] = {}  # passed as **keywords to query(), whose other keywords take no float
    if proxy_params is None:
        proxy_params = params * PROXY_FRACTION
        rule = (f"N_target x {PROXY_FRACTION:g}, the proxy/target ratio of the transfer experiments the "
                "parameterisation entries cite (TP5: 40M for 6.7B; Complete(d)P: 50M for 7.2B)")
        floor = _proxy_floor(compiled)
        if floor is not None and proxy_params < floor[0]:
            proxy_params, shape = floor[0], floor[1]
            rule = f"the smallest muP proxy, N = {format_quantity(floor[0])} from {floor[2]}"
    else:
        rule = "given (--proxy-params)"
    if proxy_params > params:
        raise UsageError(f"the proxy ({format_quantity(proxy_params)}) is larger than the target "
                         f"({format_quantity(params)})")
    if proxy_tokens is None:
        proxy_tokens = tokens * proxy_params / params
        rule += f"; tokens at the target's {tokens / params:.3g} tokens per parameter"
    at_proxy = query(kb=compiled, params=proxy_params, tokens=proxy_tokens, include_drafts=include_drafts, **shape)
    at_target = query(kb=compiled, params=params, tokens=tokens, include_drafts=include_drafts)
    context = {**at_proxy.inputs, **{d.symbol: d.value for d in at_proxy.derived},
               **{a.symbol: a.value for a in at_proxy.assumptions}}
    lr_span = _span(at_proxy, compiled, context, "eta", points, margin, notes)
    if lr_span is None:
        raise UsageError("no law of the KB gives a learning rate (eta) at the proxy size; nothing to sweep")
    lr_grid = sorted({_round_sig(v) for v in lr_span[0].points or ()})
    seq_len = context.get("seq_len")
    batch_grid: list[float] = []
    b_span = _span(at_proxy, compiled, context, "B", batch_points, margin, notes) if batch_points else None
    if batch_points and b_span is None:
        notes.append("no law gives a batch size (B) at the proxy: sweep the LR at your own batch")
    elif b_span is not None:
        raw = b_span[0].points or []
        unit = seq_len or 1.0
        batch_grid = sorted({max(1, round(b / unit)) * unit for b in raw})
    proxy = {"N": proxy_params, "D": proxy_tokens}
    proxy.update({k: context[k] for k in ("d_model", "n_layers", "seq_len", "vocab_size") if k in context})
    assumptions = [f"{a.symbol} = {format_quantity(a.value)} [{a.entry}]" for a in at_proxy.assumptions]
    laws = _laws(at_proxy, "eta") + _laws(at_proxy, "B")
    target_laws = _laws(at_target, "eta") + _laws(at_target, "B")
    grid_entries = {"eta": lr_span[1], "B": b_span[1] if b_span else []}
    return SweepPlan(compiled.kb_version, {"N": params, "D": tokens}, proxy, rule, assumptions, margin, lr_grid,
                     batch_grid, seq_len, laws, target_laws, grid_entries, notes)


# ---------------------------------------------------------------------------- exports


def describe_plan(plan: SweepPlan) -> dict:
    """What a generated sweep file records about its plan: KB version, target, proxy, where the grids come from.

    The values include KB text (the release, entry ids, the proxy rule), so an
    export writes this only through a serialiser (``repr`` in the Optuna
    script, the YAML dumper in the W&B file), never into a comment or code.
    """
    return {
        "generator": "hpguide sweep", "kb_version": plan.kb_version,
        "target": {"N": plan.target["N"], "D": plan.target["D"]}, "proxy": dict(plan.proxy),
        "proxy_rule": plan.proxy_rule, "margin": plan.margin,
        "lr_grid_from": list(plan.grid_entries["eta"]), "batch_grid_from": list(plan.grid_entries["B"]),
    }


def _summary(plan: SweepPlan) -> str:
    proxy = ", ".join(f"{k}={format_quantity(v)}" for k, v in plan.proxy.items())
    return (f"hpguide sweep plan (KB {plan.kb_version}): target N={format_quantity(plan.target['N'])} "
            f"D={format_quantity(plan.target['D'])}; proxy {proxy}. Proxy rule: {plan.proxy_rule}. LR grid spans "
            f"{', '.join(plan.grid_entries['eta'])} at the proxy, widened by x{plan.margin:g}"
            + (f"; batch grid spans {', '.join(plan.grid_entries['B'])}" if plan.grid_entries["B"] else "") + ".")


def to_csv(plan: SweepPlan) -> str:
    """One line per run: run, lr, batch_tokens, batch_seqs, steps."""
    runs = plan.runs()
    keys = [k for k in ("lr", "batch_tokens", "batch_seqs", "steps") if k in runs[0]]
    lines = ["run," + ",".join(keys)]
    for i, run in enumerate(runs, 1):
        lines.append(f"{i}," + ",".join(_plain(run[k]) for k in keys))
    return "\n".join(lines) + "\n"


def _plain(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _yaml_float(representer, value: float):
    """A float both YAML 1.1 (PyYAML, which the W&B agent uses) and 1.2 read as a float: 1e-07 -> 1.0e-07."""
    text = repr(float(value))
    if "e" in text and "." not in text.split("e")[0]:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}.0e{exponent}"
    if not math.isfinite(value):
        raise UsageError(f"a sweep value is not finite ({value})")
    return representer.represent_scalar("tag:yaml.org,2002:float", text)


def _yaml_dump(data: dict) -> str:
    import io

    from ruamel.yaml import YAML
    from ruamel.yaml.representer import SafeRepresenter

    class Representer(SafeRepresenter):
        pass

    Representer.add_representer(float, _yaml_float)
    yaml = YAML(typ="safe", pure=True)
    yaml.Representer = Representer
    yaml.default_flow_style = None
    yaml.sort_base_mapping_type_on_output = False  # type: ignore[assignment]  # ruamel's stub types it None; keep W&B's order
    yaml.width = 4096
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def to_wandb_yaml(plan: SweepPlan, program: str = "train.py", metric: str = "val_loss") -> str:
    """A W&B sweep configuration (``wandb sweep FILE``), grid method.

    Built as data and written by a YAML dumper: the plan's text (KB release,
    entry ids) is one quoted ``description`` string, and can add no key.
    """
    parameters: dict = {"lr": {"values": [float(v) for v in plan.lr_grid]}}
    if plan.batch_grid:
        parameters["batch_tokens"] = {"values": [round(v) for v in plan.batch_grid]}
    parameters["params"] = {"value": round(plan.proxy["N"])}
    parameters["tokens"] = {"value": round(plan.proxy["D"])}
    config = {"program": program, "name": "hpguide-proxy-sweep", "description": _summary(plan), "method": "grid",
              "metric": {"name": metric, "goal": "minimize"}, "parameters": parameters}
    return "# W&B sweep planned by `hpguide sweep --format wandb`; the plan is in description.\n" + _yaml_dump(config)


def to_optuna_script(plan: SweepPlan) -> str:
    """A Python script running the grid with ``optuna.samplers.GridSampler`` (fill in ``train``).

    Every value in the script is written by ``repr`` (the plan's text in
    ``PLAN``, a string literal): no KB text is ever part of a comment or code.
    """
    import pprint

    space = {"lr": plan.lr_grid}
    if plan.batch_grid:
        space["batch_tokens"] = [int(b) for b in plan.batch_grid]
    n_trials = len(plan.lr_grid) * max(1, len(plan.batch_grid))
    batch_arg = "    batch_tokens = trial.suggest_int(\"batch_tokens\", {lo}, {hi})\n".format(
        lo=min(space["batch_tokens"]), hi=max(space["batch_tokens"])) if plan.batch_grid else ""
    call = "train(lr, batch_tokens)" if plan.batch_grid else "train(lr)"
    signature = "lr: float, batch_tokens: int" if plan.batch_grid else "lr: float"
    described = pprint.pformat(describe_plan(plan), width=100, sort_dicts=False)
    proxy = {"params": round(plan.proxy["N"]), "tokens": round(plan.proxy["D"])}
    return f'''"""Grid sweep of the proxy planned by hpguide (see PLAN); fill in train() and run this file."""

import optuna

#: What hpguide planned: KB version, target, proxy, and the laws the grids come from.
PLAN = {described}
SEARCH_SPACE = {space!r}
PROXY = {proxy!r}


def train({signature}) -> float:
    """Train the proxy with these settings and return its final validation loss."""
    raise NotImplementedError("plug in your training run")


def objective(trial: optuna.Trial) -> float:
    lr = trial.suggest_float("lr", {min(plan.lr_grid)!r}, {max(plan.lr_grid)!r}, log=True)
{batch_arg}    return {call}


if __name__ == "__main__":
    study = optuna.create_study(direction="minimize", sampler=optuna.samplers.GridSampler(SEARCH_SPACE))
    study.optimize(objective, n_trials={n_trials})
    print(study.best_params)
'''
