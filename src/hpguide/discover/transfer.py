"""Transfer tuned hyperparameters from a small proxy to a target model, driven by parameterisation entries.

A parameterisation entry (muP, CompleteP, Complete(d)P) writes every
per-group value as an equation of registry symbols: the proxy's tuned values
(``eta_base``, ``init_std_base``, ``wd_base``, ``eps_base``), its shape
(``d_model_base``, ``n_layers_base``), batch and duration (``B_base``,
``D_base``) and the target's (``d_model``, ``n_layers``, ``B``, ``D``,
``d_head``). :func:`transfer` maps the user's ``key=value`` strings to those
symbols, evaluates the entries' equations with :func:`~hpguide.core.derive.derive`
and reads each parameter group's LR, init std, multipliers, weight decay and
Adam epsilon from the registry symbol that names it (:data:`GROUPS`). A
quantity no equation of the entries gives is reported as "not specified by"
those entries, never filled in from elsewhere.

Complete(d)P is two stages (:data:`PARAMETERISATIONS`): its batch/duration
entries turn the proxy's ``eta_base``, ``wd_base`` and ``eps_base`` into the
values at the target's batch and duration, and those values are the base of
CompleteP's width/depth rules: completedp-2025 states that its factor
multiplies every per-module value of completep-2025.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..core.errors import QuantityError, UsageError
from ..core.quantities import format_quantity, parse_quantity
from ..kb.load import KnowledgeBase, load_kb

if TYPE_CHECKING:
    from ..core.derive import Step

__all__ = ["PARAMETERISATIONS", "BASE_KEYS", "TARGET_KEYS", "GROUPS", "Setting", "TransferPlan",
           "parse_assignments", "transfer"]

#: --param name -> stages, each a tuple of entry ids evaluated together.
PARAMETERISATIONS: dict[str, tuple[tuple[str, ...], ...]] = {
    "mup": (("mup-2022-tensor-programs-v",),),
    "completep": (("completep-2025",),),
    "completedp": (("completedp-2025", "completedp-2025-adam-eps"), ("completep-2025",)),
}
#: Outputs of an earlier stage that become the base values of the next stage.
REBASE = {"eta": "eta_base", "wd": "wd_base", "eps": "eps_base"}

#: --base keys -> registry symbols (the proxy run).
BASE_KEYS = {"d_model": "d_model_base", "n_layers": "n_layers_base", "lr": "eta_base", "init_std": "init_std_base",
             "batch": "B_base", "tokens": "D_base", "wd": "wd_base", "eps": "eps_base"}
#: --target keys -> registry symbols (the model to train).
TARGET_KEYS = {"d_model": "d_model", "n_layers": "n_layers", "batch": "B", "tokens": "D", "d_head": "d_head"}
REQUIRED_BASE = ("d_model", "lr")
REQUIRED_TARGET = ("d_model",)

_HIDDEN = {"lr": "eta_hidden", "init_std": "init_std_hidden", "weight_decay": "wd_hidden", "eps": "eps_hidden"}
#: (key, label, {quantity: registry symbol or None}, multiplier symbols). None: no registry symbol
#: names that quantity for that group, so no entry can specify it.
GROUPS: tuple[tuple[str, str, dict[str, str | None], tuple[str, ...]], ...] = (
    ("embedding", "embedding (input)",
     {"lr": "eta_embed", "init_std": "init_std_embed", "weight_decay": None, "eps": "eps_embed"}, ()),
    ("hidden", "hidden: attention q/k/v", dict(_HIDDEN), ("attn_scale",)),
    ("attn_out", "attention output", dict(_HIDDEN), ("residual_mult",)),
    ("ffn", "FFN (MLP)", dict(_HIDDEN), ("residual_mult",)),
    ("unembedding", "unembedding (output)",
     {"lr": "eta_out", "init_std": "init_std_out", "weight_decay": None, "eps": None}, ("output_mult",)),
    ("norms_biases", "norms and biases",
     {"lr": "eta_norm", "init_std": None, "weight_decay": None, "eps": None}, ()),
)
#: Global values of a batch/duration stage (the optimizer's defaults).
GLOBAL = {"lr": "eta", "weight_decay": "wd", "eps": "eps"}
SCALE_FACTORS = ("m_N", "m_L", "m_B", "m_D")
OPTIMIZER_KEYS = ("lr", "weight_decay", "eps")


@dataclass(frozen=True)
class Setting:
    """One quantity of one group: its value (None when not given by the entries), rule and source."""

    quantity: str
    symbol: str | None
    value: float | None
    rule: str
    entry: str | None
    citation: str
    inputs: dict[str, float] = field(default_factory=dict)
    note: str = ""

    def to_dict(self) -> dict:
        return {"symbol": self.symbol, "value": self.value, "rule": self.rule, "entry": self.entry,
                "citation": self.citation, "inputs": dict(self.inputs), "note": self.note}


@dataclass
class TransferPlan:
    """What :func:`transfer` found; :meth:`to_dict` is what ``hpguide transfer --json`` prints."""

    param: str
    kb_version: str
    entries: list[dict]
    base: dict[str, float]
    target: dict[str, float]
    assumptions: list[str]
    scale_factors: dict[str, Setting]
    global_settings: dict[str, Setting]
    groups: list[tuple[str, str, dict[str, Setting]]]
    notes: list[str]
    warnings: list[tuple[str, str]]
    rebased: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "param": self.param, "kb_version": self.kb_version, "entries": self.entries,
            "inputs": {"base": dict(self.base), "target": dict(self.target)},
            "assumptions": list(self.assumptions),
            "scale_factors": {k: s.to_dict() for k, s in self.scale_factors.items()},
            "global": {k: s.to_dict() for k, s in self.global_settings.items()},
            "groups": {key: {"label": label, **{q: s.to_dict() for q, s in settings.items()}}
                       for key, label, settings in self.groups},
            "notes": list(self.notes), "rebased": list(self.rebased),
            "warnings": [{"entry": e, "text": t} for e, t in self.warnings],
        }

    def param_groups(self) -> dict[str, dict[str, float]]:
        """Per group, the optimizer settings the entries give: {"hidden": {"lr": ..., "weight_decay": ...}}."""
        return {key: {q: s.value for q, s in settings.items() if q in OPTIMIZER_KEYS and s.value is not None}
                for key, _, settings in self.groups}


def parse_assignments(text: str | Mapping[str, object], allowed: Mapping[str, str], flag: str) -> dict[str, float]:
    """Read ``"d_model=256 lr=3e-3 batch=256k"`` (or a mapping) into {key: number}; keys must be in ``allowed``."""
    pairs = text.split() if isinstance(text, str) else [f"{k}={v}" for k, v in text.items()]
    out: dict[str, float] = {}
    keys = ", ".join(allowed)
    for token in pairs:
        key, sep, value = token.partition("=")
        if not sep or not key or not value:
            raise UsageError(f"{flag}: {token!r} is not key=value (keys: {keys})")
        if key not in allowed:
            raise UsageError(f"{flag}: unknown key {key!r} (allowed keys: {keys})")
        if key in out:
            raise UsageError(f"{flag}: {key} is given twice")
        try:
            out[key] = parse_quantity(value)
        except QuantityError as exc:
            raise QuantityError(f"{flag}: {key}: {exc}") from None
    if not out:
        raise UsageError(f"{flag} is empty: write key=value pairs (keys: {keys})")
    return out


def _stages(param: str, kb, include_drafts: bool) -> tuple[tuple[str, ...], ...]:
    if param in PARAMETERISATIONS:
        stages = PARAMETERISATIONS[param]
        explicit = False
    elif param in kb.entries and kb.entries[param].entry.kind == "parameterization":
        stages, explicit = ((param,),), True
    else:
        ids = [i for i, item in kb.entries.items() if item.entry.kind == "parameterization"]
        raise UsageError(f"unknown parameterisation {param!r}: use {', '.join(PARAMETERISATIONS)} or a "
                         f"parameterization entry id ({', '.join(ids) or 'none in this KB'})")
    for stage in stages:
        for entry_id in stage:
            if entry_id not in kb.entries:
                raise UsageError(f"{param} needs entry {entry_id!r}, which this KB does not have")
    drafts = [i for stage in stages for i in stage if kb.entries[i].entry.status == "draft"]
    if drafts and not (include_drafts or explicit):
        raise UsageError(f"{param} uses draft entr{'y' if len(drafts) == 1 else 'ies'} {', '.join(drafts)} "
                         "(not confirmed against the paper): pass --include-drafts to use "
                         f"{'it' if len(drafts) == 1 else 'them'}")
    return stages


def _fmt(value: float) -> str:
    return format_quantity(value, sig=3)


def _constants_text(entry, equation: str) -> str:
    names = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", equation)) & set(entry.constants)
    return ", ".join(f"{n} = {entry.constants[n].value:g}" for n in sorted(names))


def _missing_inputs(symbol: str, values: Mapping[str, float], relations, seen: set[str]) -> set[str]:
    """The user inputs (registry symbols) whose absence keeps ``symbol`` from being computed."""
    if symbol in seen:
        return set()
    seen.add(symbol)
    producing = [rel for rel in relations if rel.output == symbol]
    if not producing:
        return {symbol}
    out: set[str] = set()
    for rel in producing:
        for name in rel.inputs:
            if name not in values:
                out |= _missing_inputs(name, values, relations, seen)
    return out


def _input_flag(symbol: str) -> str:
    for key, sym in BASE_KEYS.items():
        if sym == symbol:
            return f"{key} in --base"
    for key, sym in TARGET_KEYS.items():
        if sym == symbol:
            return f"{key} in --target"
    return symbol


def transfer(
    param: str,
    base: str | Mapping[str, float],
    target: str | Mapping[str, float],
    *,
    kb: KnowledgeBase | str | os.PathLike[str] | None = None,
    include_drafts: bool = False,
) -> TransferPlan:
    """Per-group hyperparameters of ``target`` from a proxy tuned at ``base`` under ``param``.

    ``base`` and ``target`` are ``"key=value ..."`` strings or mappings of the
    keys in :data:`BASE_KEYS` / :data:`TARGET_KEYS` (values are numbers or
    quantities such as ``"256k"``). ``param`` is ``mup``, ``completep``,
    ``completedp`` (draft entries: needs ``include_drafts``) or a
    parameterization entry id (naming a draft entry is explicit consent). ``kb`` is a
    loaded :class:`~hpguide.kb.KnowledgeBase` or a KB directory.
    """
    from ..core.derive import derive
    from ..kb.cite import short_reference
    from ..resolver.resolve import range_check

    base_values = parse_assignments(base, BASE_KEYS, "--base")
    target_values = parse_assignments(target, TARGET_KEYS, "--target")
    for key in REQUIRED_BASE:
        if key not in base_values:
            raise UsageError(f"--base needs {key}= (the proxy's {'width' if key == 'd_model' else 'tuned peak LR'})")
    for key in REQUIRED_TARGET:
        if key not in target_values:
            raise UsageError(f"--target needs {key}= (the target model's width)")

    knowledge = kb if isinstance(kb, KnowledgeBase) else load_kb(kb)
    stages = _stages(param, knowledge, include_drafts)
    items = {i: knowledge.entries[i] for stage in stages for i in stage}
    relations = [rel for item in items.values() for rel in item.relations]
    used_symbols = {name for rel in relations for name in rel.inputs}

    known = {BASE_KEYS[k]: v for k, v in base_values.items()}
    known.update({TARGET_KEYS[k]: v for k, v in target_values.items()})
    assumptions, notes = [], []
    for key, target_symbol in TARGET_KEYS.items():
        base_key = key if key in BASE_KEYS else None
        if key in target_values or base_key is None or base_key not in base_values:
            continue
        if target_symbol in used_symbols:
            known[target_symbol] = base_values[base_key]
            assumptions.append(f"target {key} not given: kept at the base value {_fmt(base_values[base_key])}")
    for key in TARGET_KEYS:
        if key in target_values and key in base_values and target_values[key] != base_values[key] \
                and TARGET_KEYS[key] not in used_symbols:
            notes.append(f"{key} changes from {_fmt(base_values[key])} to {_fmt(target_values[key])}, but no "
                         f"equation of {', '.join(items)} depends on it: the values here are not adjusted for it")

    # evaluate stage by stage; each stage's global outputs become the next stage's base values
    values: dict[str, float] = dict(known)
    origin: dict[str, tuple[str, Step]] = {}    # symbol -> (entry id, step)
    rebased: dict[str, str] = {}                # base symbol -> note on where it came from
    blocked: dict[str, set[str]] = {}           # base symbol a stage could not move -> the inputs it lacked
    for index, stage in enumerate(stages):
        stage_relations = [rel for i in stage for rel in items[i].relations]
        derivation = derive(stage_relations, values, allow_backward=False)
        for symbol, step in derivation.steps.items():
            origin[symbol] = (step.relation.entry_id, step)
        values = {k: float(v) for k, v in derivation.values.items()}
        if index + 1 == len(stages):
            break
        for out, base_symbol in REBASE.items():
            if out in values:
                entry_id = origin[out][0]
                equation = items[entry_id].entry.equations[out]
                rebased[base_symbol] = (f"in the groups below, {base_symbol} is this {out} (the proxy's value moved "
                                        f"to the target's batch and duration: {out} = {equation} [{entry_id}])")
                values[base_symbol] = values[out]
            elif base_symbol in values and any(rel.output == out for rel in stage_relations):
                # never let a later stage use the unmoved proxy value as if it had been moved
                blocked[base_symbol] = _missing_inputs(out, values, stage_relations, set())
                del values[base_symbol]

    def setting(quantity: str, symbol: str | None) -> Setting:
        if symbol is None or not any(symbol in items[i].entry.equations for i in items):
            names = ", ".join(items)
            what = "no registry symbol names this value" if symbol is None else f"no equation for {symbol}"
            return Setting(quantity, symbol, None, "", None, "", {}, f"not specified by {names} ({what})")
        entry_id = next(i for stage in reversed(stages) for i in stage if symbol in items[i].entry.equations)
        entry = items[entry_id].entry
        equation = entry.equations[symbol]
        rule = f"{symbol} = {equation}"
        constants = _constants_text(entry, equation)
        if constants:
            rule += f"  ({constants})"
        citation = short_reference(entry.sources[0])
        if symbol not in origin:
            missing: set[str] = set()
            for name in _missing_inputs(symbol, values, relations, set()):
                missing |= blocked.get(name, {name})
            need = ", ".join(sorted(_input_flag(m) for m in missing)) or "inputs this entry cannot get"
            return Setting(quantity, symbol, None, rule, entry_id, citation, {}, f"needs {need}")
        step = origin[symbol][1]
        inputs = {name: values[name] for name in sorted(step.inputs)}
        note = "; ".join(rebased[name] for name in sorted(step.inputs) if name in rebased)
        return Setting(quantity, symbol, values[symbol], rule, origin[symbol][0], citation, inputs, note)

    groups = []
    for key, label, quantities, multipliers in GROUPS:
        settings = {q: setting(q, sym) for q, sym in quantities.items()}
        settings.update({m: setting(m, m) for m in multipliers})
        groups.append((key, label, settings))
    global_settings = {}
    if len(stages) > 1:
        global_settings = {q: setting(q, sym) for q, sym in GLOBAL.items()}
    scale_factors = {m: setting(m, m) for m in SCALE_FACTORS
                     if any(m in item.entry.equations for item in items.values())}

    warnings: list[tuple[str, str]] = []
    entries = []
    for item in items.values():
        entry = item.entry
        entries.append({"id": entry.id, "version": entry.version, "status": entry.status, "title": entry.title,
                        "citation": f"{short_reference(entry.sources[0])}, {entry.sources[0].where}"})
        if entry.status != "stable":
            notes.append(f"{entry.id} is {entry.status}: {' '.join((entry.status_note or '').split())}")
        _, range_notes = range_check(entry, values)
        notes.extend(f"{entry.id}: {text}" for text in range_notes)
        warnings.extend((entry.id, w) for w in entry.warnings)
    return TransferPlan(param, knowledge.version, entries, base_values, target_values, assumptions, scale_factors,
                        global_settings, groups, notes, warnings, [rebased[k] for k in sorted(rebased)])


def python_literal(plan: TransferPlan) -> str:
    """A Python dict literal of the optimizer settings per group, for ``torch.optim`` param groups.

    Comments carry what is not an optimizer setting (init std, multipliers) and
    what the entries do not specify; ``ast.literal_eval`` reads the text. The
    keys and numbers are written by ``repr``; the text in a comment (which
    comes from the KB: the release, equations, notes) goes through
    :func:`~hpguide.core.safewrite.single_line`, so it cannot end the comment.
    """
    from ..core.safewrite import single_line as c

    lines = [f"# hpguide transfer --param {c(plan.param)} (KB {c(plan.kb_version)}); entries: "
             f"{c(', '.join(e['id'] for e in plan.entries))}",
             "# use: [{'params': params_of[name], **settings} for name, settings in groups.items()]",
             "{"]
    for key, label, settings in plan.groups:
        values = {q: s.value for q, s in settings.items() if q in OPTIMIZER_KEYS and s.value is not None}
        body = ", ".join(f"{q!r}: {_py_number(v)}" for q, v in values.items())
        lines.append(f"    {key!r}: {{{body}}},  # {c(label)}")
        for q, s in settings.items():
            if s.value is None:
                lines.append(f"    #   {c(q)}: {c(s.note)}")
            elif q not in OPTIMIZER_KEYS:
                lines.append(f"    #   {c(q)} = {_py_number(s.value)}  ({c(s.rule)}; model-side, not an optimizer "
                             "setting)")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _py_number(value: float) -> str:
    if not math.isfinite(value):
        raise UsageError(f"a transferred value is not finite ({value})")
    return repr(float(value))
