"""Sweep planning: proxy rule, grids spanning the laws, exports, LR range test, errors."""

from __future__ import annotations

import ast
import csv
import dataclasses
import io
import itertools
import json
import math
import shutil
import statistics

import pytest
from ruamel.yaml import YAML

from hpguide.core.errors import UsageError
from hpguide.discover.sweep import (
    PROXY_FRACTION,
    describe_plan,
    log_grid,
    plan_sweep,
    to_csv,
    to_optuna_script,
    to_wandb_yaml,
)
from hpguide.kb.compiled import load_compiled

from ..conftest import KB
from ..helpers import assert_clean_error, run


@pytest.fixture(scope="module")
def kb():
    return load_compiled(KB)


@pytest.fixture(scope="module")
def plan(kb):
    return plan_sweep(7e9, 1e12, kb=kb)


def test_log_grid_is_log_spaced_between_the_ends():
    grid = log_grid(1e-4, 1e-2, 5)
    assert grid == [1e-4, 3.16e-4, 1e-3, 3.16e-3, 1e-2]
    assert log_grid(1e-4, 1e-2, 1) == [1e-3]


def test_proxy_is_a_hundredth_with_the_targets_tokens_per_parameter(plan):
    assert plan.proxy["N"] == pytest.approx(7e9 * PROXY_FRACTION)
    assert plan.proxy["D"] / plan.proxy["N"] == pytest.approx(1e12 / 7e9)
    assert "TP5" in plan.proxy_rule


# The proxy of a 7B / 1T target, worked by hand from the entries' published formulas and constants (never
# from hpguide.query): N = 7e9 / 100 = 7e7, D = 1e12 / 100 = 1e10 (the target's 143 tokens per parameter), and
# the shape hpguide assumes at 7e7 parameters, Pythia-70M's (Pythia Table 1: 6 layers, d_model 512, context 2048).
N_NE = 12 * 6 * 512**2                          # Kaplan Eq. 2.1: 18,874,368
C_M = (72 * 6 * 512**2 + 12 * 6 * 512 * 2048) * 1e10  # DeepSeek Sec. 3.1: M = 188,743,680 FLOPs/token; C_M = M D
ETA = {  # in range at the proxy (kaplan-2020-lr-rule and steplaw-2025-lr-batch are drafts: no printed example)
    "deepseek-2024-lr-batch": 0.3118 * C_M**-0.1250,             # Formula 1; C_M 1.9e18 in [1e17, 1e20]: 1.620e-3
    "porian-2024-lr-batch": 0.0047 * (7e7 / 1.08e8) ** (-1 / 3),  # rounded fit; N 7e7 in [2.5e7, 1.1e8]: 5.431e-3
}  # out of range: gpt3-2020-lr-trend (N 7e7 < 1.25e8)
KAPLAN_ETA = 0.003239 - 0.0001395 * math.log(N_NE)  # Eq. D.1 (a draft, not planned on): 9.019e-4
BATCH = {  # tokens, in range at the proxy
    "deepseek-2024-lr-batch": 0.2920 * C_M**0.3271,                # Formula 1: 277,601
    "porian-2024-lr-batch": 160 * (7e7 / 1.08e8) ** (2 / 3) * 2048,  # 160 sequences at 108M, x (N/108M)^(2/3): 245,414
}


def test_the_oracle_numbers():
    assert (18_874_368, pytest.approx(1.8874368e18, rel=1e-12)) == (N_NE, C_M)
    assert [round(v, 7) for v in ETA.values()] == [1.6195e-3, 5.4309e-3] and round(KAPLAN_ETA, 7) == 9.019e-4
    assert [round(v) for v in BATCH.values()] == [277_601, 245_414]


def test_proxy_shape_is_pythia_70m(plan):
    assert {k: plan.proxy[k] for k in ("d_model", "n_layers", "seq_len")} == {"d_model": 512, "n_layers": 6,
                                                                              "seq_len": 2048}


def test_lr_grid_spans_the_in_range_laws_at_the_proxy_widened_by_the_margin(plan):
    # the query summary's range at the proxy (no published config has N within 2x of 70M and D within 2x of
    # 10B): margin 1.5 (the summary's): 1.0797e-3 .. 8.1464e-3
    lo, hi = min(ETA.values()) / 1.5, max(ETA.values()) * 1.5
    # 7 points, log-spaced: ratio (hi / lo)**(1/6) = 7.5452**(1/6) = 1.4005, 3 significant digits
    assert plan.lr_grid == [1.08e-3, 1.51e-3, 2.12e-3, 2.97e-3, 4.15e-3, 5.82e-3, 8.15e-3]
    assert plan.lr_grid[0] == pytest.approx(lo, rel=5e-3) and plan.lr_grid[-1] == pytest.approx(hi, rel=5e-3)
    assert plan.grid_entries["eta"] == sorted(ETA)
    laws = {(v.entry, v.symbol): (v.value, v.in_range) for v in plan.proxy_laws}
    for entry, value in ETA.items():
        assert laws[(entry, "eta")] == (pytest.approx(value, rel=1e-9), True)
    assert laws[("gpt3-2020-lr-trend", "eta")][1] is False
    assert ("kaplan-2020-lr-rule", "eta") not in laws and ("steplaw-2025-lr-batch", "eta") not in laws  # drafts


def test_batch_grid_spans_the_in_range_laws_in_whole_sequences(plan):
    # 245,414 / 1.5 .. 277,601 x 1.5, 3 points log-spaced: 163,609, 261,011, 416,402 tokens; then whole
    # 2048-token sequences: 79.9 -> 80, 127.4 -> 127, 203.3 -> 203 sequences
    assert plan.batch_grid == [80 * 2048, 127 * 2048, 203 * 2048]
    assert plan.grid_entries["B"] == sorted(BATCH)


def test_small_targets_get_the_smallest_mup_proxy(kb):
    small = plan_sweep(1e9, 2e10, kb=kb)
    assert small.proxy["d_model"] == 256 and "mup-2022-tensor-programs-v" in small.proxy_rule
    # width 256 (TP5 Sec. 6.1), 6 layers, vocab 32000: 12 x 6 x 256^2 + 32000 x 256 = 4,718,592 + 8,192,000
    assert small.proxy["N"] == 12_910_592 > 1e9 * PROXY_FRACTION
    assert small.proxy["D"] == pytest.approx(12_910_592 * 20)  # the target's 2e10 / 1e9 = 20 tokens per parameter


def test_given_proxy_and_no_batch_grid(kb):
    given = plan_sweep(7e9, 1e12, proxy_params=1e8, proxy_tokens=2e9, points=3, batch_points=0, kb=kb)
    assert given.proxy["N"] == 1e8 and given.proxy["D"] == 2e9 and given.proxy_rule.startswith("given")
    assert given.batch_grid == [] and [set(r) for r in given.runs()] == [{"lr"}] * 3


def test_exports(plan):
    rows = list(csv.DictReader(io.StringIO(to_csv(plan))))
    assert len(rows) == len(plan.lr_grid) * len(plan.batch_grid) == len(plan.runs())
    assert float(rows[0]["lr"]) == 1.08e-3 and int(rows[0]["steps"]) == 61_036  # ceil(1e10 / 163,840 = 61,035.2)
    config = YAML(typ="safe").load(to_wandb_yaml(plan))
    assert config["method"] == "grid" and config["metric"] == {"name": "val_loss", "goal": "minimize"}
    assert config["parameters"]["lr"]["values"] == plan.lr_grid
    assert config["parameters"]["batch_tokens"]["values"] == [int(b) for b in plan.batch_grid]
    script = to_optuna_script(plan)
    compile(script, "sweep.py", "exec")  # valid Python; optuna itself is not needed to check that
    assert "optuna.samplers.GridSampler(SEARCH_SPACE)" in script and repr(plan.lr_grid) in script


def test_range_test_ramps_exponentially_across_the_grid(plan):
    test = plan.range_test(500)
    assert test.lr(0) == plan.lr_grid[0] and test.lr(499) == pytest.approx(plan.lr_grid[-1])
    assert test.lr(10) / test.lr(9) == pytest.approx(test.multiplier)
    # the batch is a point of the grid: the middle one, the larger middle one of an even count
    assert test.batch in plan.batch_grid and test.batch == statistics.median_high(plan.batch_grid)
    even = dataclasses.replace(plan, batch_grid=[0.5e6, 1e6, 2e6, 4e6])
    assert even.range_test(500).batch == 2e6


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        ({"proxy_params": 1e10}, "larger than the target"),
        ({"margin": 0.5}, "must be >= 1"),
        ({"points": 0}, "between 1 and 100"),
        ({"batch_points": -1}, "between 0 and 20"),
        ({"params": -1.0}, "finite number > 0"),
    ],
)
def test_bad_requests(kb, kwargs, fragment):
    args = {"params": 7e9, "tokens": 1e12, **kwargs}
    with pytest.raises(UsageError, match=fragment):
        plan_sweep(args.pop("params"), args.pop("tokens"), kb=kb, **args)


# --------------------------------------------------------------------------- CLI


@pytest.mark.parametrize("fmt", ["text", "wandb", "json"])
def test_cli_formats(fmt):
    proc = run("sweep", "--params", "7B", "--tokens", "1T", "--format", fmt)
    assert proc.returncode == 0, proc.stderr
    if fmt == "json":
        assert len(json.loads(proc.stdout)["runs"]) == 21
    elif fmt == "wandb":
        assert YAML(typ="safe").load(proc.stdout)["method"] == "grid"
    else:
        assert "LR grid (7)" in proc.stdout and "21 runs" in proc.stdout


def test_cli_range_test_csv():
    proc = run("sweep", "--params", "7B", "--tokens", "1T", "--lr-range-test", "--range-steps", "50", "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert lines[0] == "step,lr" and len(lines) == 51
    lrs = [float(line.split(",")[1]) for line in lines[1:]]
    assert all(b > a for a, b in itertools.pairwise(lrs))


@pytest.mark.parametrize(
    "args, fragment",
    [
        (("--params", "7b", "--tokens", "1T"), "--params"),
        (("--params", "7B", "--tokens", "1T", "--lr-range-test", "--format", "wandb"), "one run"),
        (("--params", "7B", "--tokens", "1T", "--margin", "0.5"), "must be >= 1"),
    ],
)
def test_cli_bad_input_exits_2_in_one_line(args, fragment):
    proc = run("sweep", *args)
    assert_clean_error(proc, 2)
    assert fragment in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


# --------------------------------------------------------------------------- KB text in the exports

#: Text an entry author controls (the release, a rule, an id), as hostile as it gets.
HOSTILE = ('0.1.0\nimport os; os.system("id")\ncommand: [sh, -c, id]\n"""\'\'\'\r\x85\u2028 # \\" end')
OPTUNA_TOP_LEVEL = [("Expr", None), ("Import", "optuna"), ("Assign", "PLAN"), ("Assign", "SEARCH_SPACE"),
                    ("Assign", "PROXY"), ("FunctionDef", "train"), ("FunctionDef", "objective"), ("If", None)]


def top_level(script: str) -> list[tuple[str, str | None]]:
    out = []
    for node in ast.parse(script).body:
        name = {ast.Import: lambda n: n.names[0].name, ast.Assign: lambda n: n.targets[0].id,
                ast.FunctionDef: lambda n: n.name}.get(type(node), lambda n: None)(node)
        out.append((type(node).__name__, name))
    return out


def code_names(script: str) -> set[str]:
    """Every name and attribute the script's code uses (string literals excluded)."""
    tree = ast.parse(script)
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | {
        n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}


@pytest.fixture(scope="module")
def hostile_plan(plan):
    return dataclasses.replace(plan, kb_version=HOSTILE, proxy_rule=HOSTILE,
                               grid_entries={"eta": [HOSTILE, "kaplan-2020-lr-rule"], "B": [HOSTILE]})


def test_optuna_script_carries_kb_text_only_in_string_literals(plan, hostile_plan):
    for p in (plan, hostile_plan):
        script = to_optuna_script(p)
        assert top_level(script) == OPTUNA_TOP_LEVEL
        assert {"os", "system"}.isdisjoint(code_names(script))
        comments = [line for line in script.splitlines() if line.lstrip().startswith("#")]
        assert comments == ["#: What hpguide planned: KB version, target, proxy, and the laws the grids come from."]
        plan_node = next(n for n in ast.parse(script).body if isinstance(n, ast.Assign) and n.targets[0].id == "PLAN")
        assert ast.literal_eval(plan_node.value) == describe_plan(p)  # the text is there, intact, as data
    assert describe_plan(hostile_plan)["kb_version"] == HOSTILE


def test_wandb_yaml_has_exactly_the_expected_keys_whatever_the_kb_says(plan, hostile_plan):
    for p in (plan, hostile_plan):
        text = to_wandb_yaml(p)
        for config in (YAML(typ="safe", pure=True).load(text), pyyaml_load(text)):
            assert list(config) == ["program", "name", "description", "method", "metric", "parameters"]
            assert list(config["parameters"]) == ["lr", "batch_tokens", "params", "tokens"]
            assert config["parameters"]["lr"]["values"] == p.lr_grid
            assert all(type(v) is float for v in config["parameters"]["lr"]["values"])
            assert config["program"] == "train.py" and config["method"] == "grid"
        assert [line for line in text.splitlines() if line.startswith("#")] == [text.splitlines()[0]]
    assert HOSTILE in YAML(typ="safe", pure=True).load(to_wandb_yaml(hostile_plan))["description"]


def pyyaml_load(text: str):
    """PyYAML (YAML 1.1) reads the file as W&B's agent does: 1e-07 without a dot would be a string there."""
    yaml = pytest.importorskip("yaml")
    return yaml.safe_load(text)


def test_wandb_floats_are_floats_in_yaml_1_1(plan):
    tiny = dataclasses.replace(plan, lr_grid=[1e-7, 2.5e-05, 3.0])
    config = pyyaml_load(to_wandb_yaml(tiny))
    assert config["parameters"]["lr"]["values"] == [1e-7, 2.5e-05, 3.0]


def test_cli_exports_of_a_kb_with_a_hostile_release(tmp_path):
    root = tmp_path / "kb"
    shutil.copytree(KB, root)
    (root / "kb.yaml").write_text('release: "0.1.0\\nimport os; os.system(\\"id\\")\\ncommand: [sh]"\n')
    optuna = run("sweep", "--params", "7B", "--tokens", "1T", "--format", "optuna", "--kb", str(root))
    assert optuna.returncode == 0, optuna.stderr
    assert top_level(optuna.stdout) == OPTUNA_TOP_LEVEL and "os.system" not in optuna.stdout
    assert "'kb_version': 'invalid+" in optuna.stdout
    wandb = run("sweep", "--params", "7B", "--tokens", "1T", "--format", "wandb", "--kb", str(root))
    assert wandb.returncode == 0, wandb.stderr
    assert "command" not in YAML(typ="safe").load(wandb.stdout) and "os.system" not in wandb.stdout
