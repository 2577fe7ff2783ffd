"""Learning-rate schedules as plain functions of the step (no torch, no numpy).

Shapes, as the schedule entries and the reference (formulas.md Sec. 13) give them,
with ``W`` the warmup steps, ``S`` the total steps, ``r`` the final LR as a
fraction of the peak and ``m(step)`` the multiplier of the peak LR:

- every kind warms up linearly, ``m = step / W`` for ``step < W`` (GPT-3 App. B,
  MiniCPM Eq. 1, Hägele et al. Eq. 1); ``m(0) = 0``;
- ``cosine`` (GPT-3 App. B, Chinchilla, entry ``cosine-decay-to-10pct``): a half
  cosine from the peak at ``W`` to ``r`` at ``decay_end`` (default ``S``), then
  ``r``: ``m = r + (1 - r) * (1 + cos(pi * x)) / 2``, ``x = (step - W) / (decay_end - W)``.
  The phase is counted from the end of warmup (the sources do not say; see the
  entry's warnings);
- ``linear`` (Defazio et al. 2023, entry ``defazio-2023-linear-decay-to-zero``):
  ``m = r + (1 - r) * (1 - x)`` with the same ``x``; ``r = 0`` is decay to zero;
- ``wsd`` (warmup-stable-decay; Hägele et al. 2024, entry ``hagele-2024-cooldown``;
  MiniCPM, entry ``minicpm-2024-wsd``): the peak is held until
  ``decay_start = S - int(cooldown * S)`` (``int`` as in the official
  epfml/schedules-and-scaling code), then with ``x = (step - decay_start) / (S - decay_start)``
  the cooldown shape ``linear``: ``r + (1 - r) * (1 - x)``; ``sqrt`` (Hägele's
  "1-sqrt"): ``r + (1 - r) * (1 - sqrt(x))``; ``cosine``: ``r + (1 - r) * (1 + cos(pi * x)) / 2``;
- ``constant``: the peak after warmup.

Steps count optimizer updates from 0; ``lr(S)`` is the end point (the final LR)
and every step past the end keeps it.

Parameters that are not given come from the KB's schedule entries
(:data:`DEFAULT_SOURCES`), and :attr:`Schedule.sources` says which entry gave
which value. Use with PyTorch, whose ``LambdaLR`` multiplies the optimizer's
LR by the function's value, so pass the multiplier and set the optimizer's LR
to the peak::

    sched = hpguide.discover.schedules.get("wsd", peak=3e-4, steps=100_000, warmup=2000, as_multiplier=True)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda=sched)   # optimizer lr = 3e-4
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field

from ..core.errors import UsageError

__all__ = ["KINDS", "DECAY_SHAPES", "DEFAULT_SOURCES", "Schedule", "make_schedule", "get", "key_steps", "sample_steps",
           "plot"]

KINDS = ("cosine", "linear", "wsd", "constant")
DECAY_SHAPES = ("linear", "sqrt", "cosine")

#: For each kind and parameter: the KB entry (and its output symbol) that gives the default.
DEFAULT_SOURCES: dict[str, dict[str, tuple[str, str]]] = {
    "cosine": {"min_ratio": ("cosine-decay-to-10pct", "min_lr_ratio"),
               "warmup": ("llama-deepseek-warmup-2000-steps", "warmup")},
    "linear": {"min_ratio": ("defazio-2023-linear-decay-to-zero", "min_lr_ratio"),
               "warmup": ("llama-deepseek-warmup-2000-steps", "warmup")},
    "wsd": {"min_ratio": ("hagele-2024-cooldown", "min_lr_ratio"),
            "cooldown": ("hagele-2024-cooldown", "decay_fraction"),
            "warmup": ("llama-deepseek-warmup-2000-steps", "warmup")},
    "constant": {"warmup": ("llama-deepseek-warmup-2000-steps", "warmup")},
}
#: The cooldown shape no entry encodes as an equation: Hägele et al.'s (1-sqrt),
#: which their Sec. 3.2 finds better than linear (stated in hagele-2024-cooldown).
DEFAULT_DECAY_SHAPE = ("sqrt", "hagele-2024-cooldown (Sec. 3.2: the (1-sqrt) cooldown outperforms linear)")

#: The entry whose equations may replace the default source of the wsd parameters (``source=``).
WSD_SOURCES = ("hagele-2024-cooldown", "minicpm-2024-wsd")


@dataclass(frozen=True)
class Schedule:
    """A complete schedule: call :meth:`lr` or :meth:`multiplier` with the step."""

    kind: str
    peak: float
    steps: int
    warmup: int
    min_ratio: float
    decay_start: int
    decay_end: int
    decay_shape: str
    sources: dict[str, str] = field(default_factory=dict, compare=False)

    def multiplier(self, step: float) -> float:
        """The LR at ``step`` divided by the peak (what ``LambdaLR`` wants)."""
        if step < 0:
            raise UsageError(f"step {step} is negative")
        if step < self.warmup:
            return step / self.warmup
        if self.kind == "constant" or step <= self.decay_start:
            return 1.0
        if step >= self.decay_end:
            return self.min_ratio
        x = (step - self.decay_start) / (self.decay_end - self.decay_start)
        r = self.min_ratio
        if self.decay_shape == "linear":
            return r + (1.0 - r) * (1.0 - x)
        if self.decay_shape == "sqrt":
            return r + (1.0 - r) * (1.0 - math.sqrt(x))
        return r + (1.0 - r) * 0.5 * (1.0 + math.cos(math.pi * x))

    def lr(self, step: float) -> float:
        """The learning rate at ``step``."""
        return self.peak * self.multiplier(step)

    __call__ = lr

    def describe(self) -> str:
        """The formula of this schedule in one line."""
        warm = f"peak*step/{self.warmup} for step < {self.warmup}; " if self.warmup else ""
        if self.kind == "constant":
            return f"{warm}peak after"
        shape = {"linear": "(1 - x)", "sqrt": "(1 - sqrt(x))", "cosine": "(1 + cos(pi*x))/2"}[self.decay_shape]
        hold = f"peak until step {self.decay_start}; " if self.decay_start > self.warmup else ""
        return (f"{warm}{hold}peak*(r + (1 - r)*{shape}) with x = (step - {self.decay_start})/"
                f"{self.decay_end - self.decay_start}, r = {self.min_ratio:g}; r*peak from step {self.decay_end}")


def _whole(name: str, value: float) -> int:
    if value != int(value):
        raise UsageError(f"{name} = {value:g} is not a whole number of steps")
    return int(value)


def _entry_value(entry_id: str, symbol: str, kb: str | os.PathLike[str] | None) -> tuple[float | None, str]:
    """The constant output ``symbol`` of a schedule entry (None when the KB lacks it) and the entry's status."""
    from ..core.derive import derive
    from ..kb.compiled import load_compiled

    entry = load_compiled(kb).entry(entry_id)
    if entry is None:
        return None, ""
    values = derive(entry.relations, {}, allow_backward=False).values
    return (float(values[symbol]) if symbol in values else None), entry.status


def _default(kind: str, name: str, source: str | None, kb, sources: dict[str, str]) -> float:
    """A parameter's default from the KB; ``source`` replaces the default entry for wsd."""
    entry_id, symbol = DEFAULT_SOURCES[kind][name]
    if source and name != "warmup":
        entry_id = source
    value, status = _entry_value(entry_id, symbol, kb)
    flag = {"min_ratio": "--min-ratio", "cooldown": "--cooldown", "warmup": "--warmup"}[name]
    if value is None:
        raise UsageError(f"{entry_id} gives no {symbol} for the {name} of a {kind} schedule: give {flag}")
    draft = f", entry status: {status}" if status != "stable" else ""
    sources[name] = f"{entry_id} ({symbol} = {value:g}{draft})"
    return value


def make_schedule(
    kind: str,
    *,
    peak: float,
    steps: float,
    warmup: float | None = None,
    cooldown: float | None = None,
    decay_shape: str | None = None,
    min_ratio: float | None = None,
    decay_end: float | None = None,
    source: str | None = None,
    kb: str | os.PathLike[str] | None = None,
) -> Schedule:
    """Build a :class:`Schedule`; parameters left as None come from the KB (see :data:`DEFAULT_SOURCES`).

    ``cooldown`` (wsd) is the fraction of all steps spent in the final decay;
    ``decay_end`` (cosine, linear) is the step where the decay reaches the final
    LR (default: ``steps``; GPT-3 decays over 260B of its 300B tokens);
    ``source`` picks the entry that gives the wsd defaults (one of :data:`WSD_SOURCES`).
    The KB is read only when a default is needed.
    """
    if kind not in KINDS:
        raise UsageError(f"unknown schedule kind {kind!r}; use one of {', '.join(KINDS)}")
    if source is not None and (kind != "wsd" or source not in WSD_SOURCES):
        raise UsageError(f"source {source!r}: only a wsd schedule takes its defaults from another entry "
                         f"({', '.join(WSD_SOURCES)})")
    sources: dict[str, str] = {}
    if not (isinstance(peak, (int, float)) and math.isfinite(peak) and peak > 0):
        raise UsageError(f"peak LR {peak!r} must be a finite number > 0")
    total = _whole("steps", steps)
    if total < 1:
        raise UsageError("steps must be at least 1")
    if warmup is None:
        warmup = _default(kind, "warmup", None, kb, sources)
    warm = _whole("warmup", warmup)
    if not 0 <= warm < total:
        raise UsageError(f"warmup = {warm} steps must be >= 0 and below the {total} steps of the run"
                         + (f" (default from {sources['warmup']}): give --warmup" if "warmup" in sources else ""))
    if kind == "constant":
        return Schedule(kind, float(peak), total, warm, 1.0, total, total, "linear", sources)
    if min_ratio is None:
        min_ratio = _default(kind, "min_ratio", source, kb, sources)
    if not 0 <= min_ratio <= 1:
        raise UsageError(f"min ratio {min_ratio:g} must lie between 0 and 1 (final LR / peak LR)")
    if kind == "wsd":
        if decay_end is not None:
            raise UsageError("decay_end is for cosine and linear schedules; a wsd schedule ends its cooldown at steps")
        if cooldown is None:
            cooldown = _default(kind, "cooldown", source, kb, sources)
        if not 0 < cooldown <= 1:
            raise UsageError(f"cooldown {cooldown:g} must be a fraction of the steps, 0 < cooldown <= 1")
        start = total - int(cooldown * total)
        if start < warm or start == total:
            raise UsageError(f"a cooldown of {cooldown:g} x {total} steps leaves no room after the {warm}-step "
                             "warmup (or is shorter than one step)")
        if decay_shape is None and source not in (None, "hagele-2024-cooldown"):
            raise UsageError(f"{source} leaves the shape of the decay open: give --decay-shape")
        if decay_shape is None:
            decay_shape = DEFAULT_DECAY_SHAPE[0]
            sources["decay_shape"] = DEFAULT_DECAY_SHAPE[1]
        if decay_shape not in DECAY_SHAPES:
            raise UsageError(f"unknown decay shape {decay_shape!r}; use one of {', '.join(DECAY_SHAPES)}")
        return Schedule(kind, float(peak), total, warm, float(min_ratio), start, total, decay_shape, sources)
    if cooldown is not None or decay_shape is not None:
        raise UsageError(f"cooldown and decay shape are for wsd schedules; a {kind} schedule decays from the "
                         "end of warmup")
    end = total if decay_end is None else _whole("decay end", decay_end)
    if not warm < end <= total:
        raise UsageError(f"decay end {end} must lie after the warmup ({warm}) and at most at steps ({total})")
    return Schedule(kind, float(peak), total, warm, float(min_ratio), warm, end, kind, sources)


def get(kind: str, *, as_multiplier: bool = False, **params) -> Callable[[float], float]:
    """``lr(step)`` (or, with ``as_multiplier=True``, ``lr(step) / peak`` for ``LambdaLR``).

    Takes the keyword parameters of :func:`make_schedule`, e.g.
    ``get("cosine", peak=3e-4, steps=100_000, warmup=2000)``.
    """
    schedule = make_schedule(kind, **params)
    return schedule.multiplier if as_multiplier else schedule.lr


def key_steps(schedule: Schedule) -> list[tuple[int, str]]:
    """The steps worth showing in a summary, each with the phase it marks."""
    s = schedule
    marks: list[tuple[int, str]] = [(0, "start")]
    if s.warmup:
        marks += [(s.warmup // 2, "warmup midpoint"), (s.warmup, "end of warmup (peak)")]
    if s.kind != "constant":
        if s.decay_start > s.warmup:
            marks.append((s.decay_start, "decay starts"))
        span = s.decay_end - s.decay_start
        marks += [(s.decay_start + span // 2, "decay midpoint"), (s.decay_start + (9 * span) // 10, "90% of decay"),
                  (s.decay_end, "end of decay")]
    marks.append((s.steps, "last step (final LR)"))
    seen: dict[int, str] = {}
    for step, label in marks:
        seen.setdefault(step, label)
    return sorted(seen.items())


def sample_steps(schedule: Schedule, max_points: int = 2000) -> list[int]:
    """Steps 0..S, thinned to about ``max_points`` evenly spaced ones, with the key steps kept."""
    stride = max(1, -(-schedule.steps // max_points))
    steps = set(range(0, schedule.steps + 1, stride)) | {s for s, _ in key_steps(schedule)}
    return sorted(steps)


def plot(schedule: Schedule, path: str | os.PathLike[str], force: bool = False) -> None:
    """Write a plot of the schedule (needs matplotlib: ``pip install 'hpguide[plot]'``).

    The format follows the extension of ``path`` (PNG without one). An existing
    ``path`` is replaced only with ``force`` (see :func:`hpguide.core.safewrite.write_file`).
    """
    import io

    from ..core.safewrite import check_target, write_file

    check_target(path, force)
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise UsageError("--plot needs matplotlib: pip install 'hpguide[plot]'") from None
    ext = os.path.splitext(os.fspath(path))[1].lstrip(".").lower() or "png"
    steps = sample_steps(schedule)
    fig, ax = plt.subplots(figsize=(7, 3.5))
    if ext not in fig.canvas.get_supported_filetypes():
        plt.close(fig)
        raise UsageError(f"--plot {os.fspath(path)}: matplotlib cannot write .{ext} files; use .png, .svg or .pdf")
    buffer = io.BytesIO()
    try:
        ax.plot(steps, [schedule.lr(s) for s in steps])
        ax.set_xlabel("optimizer step")
        ax.set_ylabel("learning rate")
        shape = f", {schedule.decay_shape} cooldown" if schedule.kind == "wsd" else ""
        ax.set_title(f"{schedule.kind} schedule{shape}, peak {schedule.peak:g}")
        ax.grid(alpha=0.3)
        fig.tight_layout()
        fig.savefig(buffer, dpi=120, format=ext)
    finally:
        plt.close(fig)
    write_file(path, buffer.getvalue(), force)
