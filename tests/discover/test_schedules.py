"""LR schedules: shapes against hand-computed values, KB defaults, errors, and the CLI."""

from __future__ import annotations

import math

import pytest

from hpguide.core.errors import UsageError
from hpguide.discover import schedules

from ..helpers import assert_clean_error, run

PEAK = 1e-3


def test_cosine_to_ten_percent_with_linear_warmup():
    s = schedules.make_schedule("cosine", peak=PEAK, steps=1000, warmup=100, min_ratio=0.1)
    assert s.lr(0) == 0.0
    assert s.lr(50) == pytest.approx(0.5e-3)                 # halfway through warmup
    assert s.lr(100) == pytest.approx(PEAK)                  # warmup end = peak
    assert s.lr(550) == pytest.approx(PEAK * (0.1 + 0.9 * 0.5))  # cosine midpoint: 0.55 of the peak
    assert s.lr(1000) == pytest.approx(0.1 * PEAK)           # final ratio
    assert s.lr(5000) == pytest.approx(0.1 * PEAK)           # held after the end
    quarter = 100 + 900 / 4
    assert s.lr(quarter) == pytest.approx(PEAK * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi / 4))))


def test_cosine_decay_end_before_the_last_step_holds_the_floor():
    # GPT-3: cosine over 260 of 300 units, then 10% (App. B)
    s = schedules.make_schedule("cosine", peak=PEAK, steps=300, warmup=0, min_ratio=0.1, decay_end=260)
    assert s.lr(0) == pytest.approx(PEAK)
    assert s.lr(130) == pytest.approx(0.55 * PEAK)
    assert s.lr(260) == s.lr(280) == pytest.approx(0.1 * PEAK)


def test_linear_decay_to_zero():
    s = schedules.make_schedule("linear", peak=PEAK, steps=1100, warmup=100, min_ratio=0.0)
    assert s.lr(100) == pytest.approx(PEAK)
    assert s.lr(600) == pytest.approx(0.5 * PEAK)
    assert s.lr(1100) == 0.0


@pytest.mark.parametrize("shape, midpoint", [("sqrt", 1 - math.sqrt(0.5)), ("linear", 0.5), ("cosine", 0.5)])
def test_wsd_cooldown_shapes(shape, midpoint):
    s = schedules.make_schedule("wsd", peak=PEAK, steps=1000, warmup=100, cooldown=0.2, decay_shape=shape,
                                min_ratio=0.0)
    assert s.decay_start == 800
    assert s.lr(100) == s.lr(500) == s.lr(800) == pytest.approx(PEAK)   # stable until the cooldown starts
    assert s.lr(900) == pytest.approx(midpoint * PEAK)                     # cooldown midpoint
    assert s.lr(1000) == 0.0                                              # cooldown end


def test_wsd_one_minus_sqrt_with_a_final_floor():
    # Hägele's code: final + (1 - final) * (1 - sqrt(x))
    s = schedules.make_schedule("wsd", peak=2.0, steps=100, warmup=0, cooldown=0.5, min_ratio=0.1)
    x = (60 - 50) / 50  # cooldown from step 50 to 100
    assert s.multiplier(60) == pytest.approx(0.1 + 0.9 * (1 - math.sqrt(x)))
    assert s.lr(100) == pytest.approx(0.2)


def test_wsd_cooldown_length_uses_int_as_the_official_code():
    s = schedules.make_schedule("wsd", peak=PEAK, steps=999, warmup=0, cooldown=0.15, min_ratio=0.0)
    assert s.decay_start == 999 - int(0.15 * 999) == 850


def test_constant_after_warmup():
    s = schedules.make_schedule("constant", peak=PEAK, steps=10, warmup=4)
    assert [s.multiplier(i) for i in (0, 2, 4, 9, 10)] == [0.0, 0.5, 1.0, 1.0, 1.0]


def test_defaults_come_from_the_kb_entries():
    wsd = schedules.make_schedule("wsd", peak=PEAK, steps=100_000)
    assert (wsd.warmup, wsd.decay_start, wsd.min_ratio, wsd.decay_shape) == (2000, 80_000, 0.0, "sqrt")
    assert "hagele-2024-cooldown" in wsd.sources["cooldown"] and "llama-deepseek" in wsd.sources["warmup"]
    cosine = schedules.make_schedule("cosine", peak=PEAK, steps=100_000)
    assert cosine.min_ratio == 0.1 and "cosine-decay-to-10pct" in cosine.sources["min_ratio"]
    linear = schedules.make_schedule("linear", peak=PEAK, steps=100_000)
    assert linear.min_ratio == 0.0 and "draft" in linear.sources["min_ratio"]
    minicpm = schedules.make_schedule("wsd", peak=PEAK, steps=1000, warmup=10, min_ratio=0.0, decay_shape="linear",
                                      source="minicpm-2024-wsd")
    assert minicpm.decay_start == 900


def test_explicit_parameters_need_no_kb():
    s = schedules.make_schedule("wsd", peak=PEAK, steps=100, warmup=10, cooldown=0.2, decay_shape="linear",
                                min_ratio=0.0, kb="/no/such/kb")
    assert s.sources == {}


def test_get_returns_lr_or_the_lambdalr_multiplier():
    lr = schedules.get("cosine", peak=3e-4, steps=1000, warmup=100, min_ratio=0.1)
    mult = schedules.get("cosine", peak=3e-4, steps=1000, warmup=100, min_ratio=0.1, as_multiplier=True)
    for step in (0, 10, 100, 550, 999):
        assert mult(step) * 3e-4 == pytest.approx(lr(step))
    assert mult(100) == 1.0


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        ({"kind": "step"}, "unknown schedule kind"),
        ({"warmup": 1000}, "below the 1000 steps"),
        ({"steps": 10.5}, "not a whole number"),
        ({"kind": "wsd", "cooldown": 1.5}, "0 < cooldown <= 1"),
        ({"min_ratio": 1.5}, "between 0 and 1"),
        ({"kind": "cosine", "cooldown": 0.2}, "for wsd schedules"),
        ({"kind": "wsd", "source": "minicpm-2024-wsd", "min_ratio": None}, "give --min-ratio"),
        ({"kind": "wsd", "source": "minicpm-2024-wsd", "min_ratio": 0.0}, "give --decay-shape"),
        ({"peak": -1.0}, "finite number > 0"),
    ],
)
def test_bad_parameters(kwargs, fragment):
    params = {"kind": "linear", "peak": PEAK, "steps": 1000, "warmup": 10, "min_ratio": 0.0, **kwargs}
    with pytest.raises(UsageError, match=fragment):
        schedules.make_schedule(params.pop("kind"), **params)


def test_negative_step_is_refused():
    with pytest.raises(UsageError):
        schedules.make_schedule("constant", peak=PEAK, steps=10, warmup=0).lr(-1)


# --------------------------------------------------------------------------- CLI


def test_cli_table_names_the_default_sources():
    proc = run("schedule", "--kind", "wsd", "--peak", "3e-4", "--steps", "100k", "--warmup", "2k", "--cooldown", "0.2")
    assert proc.returncode == 0, proc.stderr
    assert "hagele-2024-cooldown" in proc.stdout and "decay starts" in proc.stdout
    line = next(line for line in proc.stdout.splitlines() if line.startswith("90000 "))
    assert float(line.split()[1]) == pytest.approx(3e-4 * (1 - math.sqrt(0.5)), rel=1e-3)


def test_cli_csv_every_kth_step_and_the_last():
    proc = run("schedule", "--kind", "cosine", "--peak", "1e-3", "--steps", "1000", "--warmup", "100", "--csv",
               "--every", "300")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert lines[0] == "step,lr"
    assert [int(line.split(",")[0]) for line in lines[1:]] == [0, 300, 600, 900, 1000]
    assert float(lines[-1].split(",")[1]) == pytest.approx(1e-4)


def test_cli_plot_writes_a_png(tmp_path):
    out = tmp_path / "lr.png"
    proc = run("schedule", "--kind", "linear", "--peak", "1e-3", "--steps", "500", "--warmup", "50", "--plot", str(out))
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    "args, fragment",
    [
        (("--kind", "wsd", "--peak", "3e-4x", "--steps", "100k"), "--peak"),
        (("--kind", "wsd", "--peak", "3e-4", "--steps", "10.5"), "not a whole number"),
        (("--kind", "cosine", "--peak", "3e-4", "--steps", "1000"), "give --warmup"),
        (("--kind", "wsd", "--peak", "3e-4", "--steps", "1k", "--warmup", "10", "--cooldown", "2"), "cooldown"),
        (("--kind", "constant", "--peak", "3e-4", "--steps", "1k", "--warmup", "10", "--csv", "--every", "0"),
         "--every"),
    ],
)
def test_cli_bad_input_exits_2_in_one_line(args, fragment):
    proc = run("schedule", *args)
    assert_clean_error(proc, 2)
    assert fragment in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_cli_plot_replaces_an_existing_file_only_with_force(tmp_path):
    out = tmp_path / "lr.png"
    out.write_text("my own file\n")
    args = ("schedule", "--kind", "linear", "--peak", "1e-3", "--steps", "500", "--warmup", "50", "--plot", str(out))
    proc = run(*args)
    assert_clean_error(proc, 2)
    assert "already exists: pass --force" in proc.stderr and out.read_text() == "my own file\n"
    proc = run(*args, "--force")
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_plot_format_follows_the_extension(tmp_path):
    svg, bad = tmp_path / "lr.svg", tmp_path / "lr.xyz"
    args = ("schedule", "--kind", "linear", "--peak", "1e-3", "--steps", "500", "--warmup", "50", "--plot")
    assert run(*args, str(svg)).returncode == 0 and b"<svg" in svg.read_bytes()[:500]
    proc = run(*args, str(bad))
    assert_clean_error(proc, 2)
    assert "cannot write .xyz" in proc.stderr and not bad.exists()
