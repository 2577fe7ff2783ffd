"""Transfer from a proxy, checked against the parameterisation entries' formulas by hand."""

from __future__ import annotations

import ast
import dataclasses
import json
import math
import shutil

import pytest

from hpguide.core.errors import HpguideError, UsageError
from hpguide.discover.transfer import BASE_KEYS, parse_assignments, python_literal
from hpguide.discover.transfer import transfer as _transfer
from hpguide.kb.load import load_kb

from ..conftest import KB
from ..helpers import assert_clean_error, run


@pytest.fixture(scope="module")
def kb():
    return load_kb(KB)  # loaded once: reading the KB takes about a second


def transfer(kb, *args, **kwargs):
    return _transfer(*args, kb=kb, **kwargs)


BASE = "d_model=256 n_layers=4 lr=3e-3 init_std=0.02 batch=256k tokens=5B wd=0.1 eps=1e-8"
TARGET = "d_model=4096 n_layers=32 tokens=1T d_head=128"


def values(plan, group):
    settings = next(s for key, _, s in plan.groups if key == group)
    return {q: s.value for q, s in settings.items()}


def test_completep_by_hand(kb):
    plan = transfer(kb, "completep", BASE, TARGET)
    m_n, m_l, alpha = 4096 / 256, 32 / 4, 1.0  # completep-2025: alpha_L = 1
    hidden = values(plan, "hidden")
    assert hidden["lr"] == pytest.approx(3e-3 / m_n * m_l ** (alpha - 1))
    assert hidden["init_std"] == pytest.approx(0.02 / math.sqrt(m_n))
    assert hidden["weight_decay"] == pytest.approx(0.1 * m_n)
    assert hidden["eps"] == pytest.approx(1e-8 / m_n * m_l**-alpha)
    assert hidden["attn_scale"] == pytest.approx(1 / 128)
    assert values(plan, "ffn")["residual_mult"] == values(plan, "attn_out")["residual_mult"] == pytest.approx(1 / m_l)
    embedding = values(plan, "embedding")
    assert embedding["lr"] == 3e-3 and embedding["init_std"] == 0.02 and embedding["eps"] == pytest.approx(1e-8 / m_n)
    unembedding = values(plan, "unembedding")
    assert unembedding["lr"] == 3e-3 and unembedding["output_mult"] == pytest.approx(1 / m_n)
    assert values(plan, "norms_biases")["lr"] == pytest.approx(3e-3 * m_l ** (alpha - 1))
    assert plan.scale_factors["m_N"].value == 16 and plan.scale_factors["m_L"].value == 8
    rule = next(s for k, _, s in plan.groups if k == "hidden")["lr"]
    assert rule.entry == "completep-2025" and rule.rule.startswith("eta_hidden = eta_base/m_N")
    assert "alpha_L = 1" in rule.rule
    assert "arXiv:2505.01618" in rule.citation


def test_unspecified_values_are_said_not_invented(kb):
    plan = transfer(kb, "completep", BASE, TARGET)
    settings = {key: s for key, _, s in plan.groups}
    assert settings["unembedding"]["weight_decay"].value is None
    assert settings["unembedding"]["weight_decay"].note.startswith("not specified by completep-2025")
    assert settings["unembedding"]["init_std"].note == "not specified by completep-2025 (no equation for init_std_out)"
    mup = {key: s for key, _, s in transfer(kb, "mup", BASE, TARGET).groups}
    assert mup["ffn"]["residual_mult"].note.startswith("not specified by mup-2022-tensor-programs-v")


def test_mup_by_hand_and_depth_is_not_transferred(kb):
    plan = transfer(kb, "mup", BASE, TARGET)
    hidden = values(plan, "hidden")
    assert hidden["lr"] == pytest.approx(3e-3 / 16) and hidden["eps"] == pytest.approx(1e-8 / 16)
    assert hidden["attn_scale"] == pytest.approx(8 / 128)  # microsoft/mup README: 8/d
    assert values(plan, "unembedding")["init_std"] == 0.02
    assert any("n_layers changes from 4 to 32" in note for note in plan.notes)


def test_missing_inputs_are_named(kb):
    plan = transfer(kb, "completep", "d_model=256 n_layers=4 lr=3e-3", "d_model=1024 n_layers=8")
    hidden = next(s for k, _, s in plan.groups if k == "hidden")
    assert hidden["weight_decay"].value is None and hidden["weight_decay"].note == "needs wd in --base"
    assert hidden["attn_scale"].note == "needs d_head in --target"


def test_completedp_needs_drafts_and_composes_with_completep(kb):
    with pytest.raises(UsageError, match="--include-drafts"):
        transfer(kb, "completedp", BASE, TARGET + " batch=4M")
    plan = transfer(kb, "completedp", BASE, TARGET + " batch=4M", include_drafts=True)
    factor = math.sqrt((4e6 / 256e3) / (1e12 / 5e9))  # completedp-2025: sqrt(m_B/m_D)
    assert plan.global_settings["lr"].value == pytest.approx(3e-3 * factor)
    assert values(plan, "hidden")["lr"] == pytest.approx(3e-3 * factor / 16)
    assert values(plan, "hidden")["weight_decay"] == pytest.approx(0.1 * factor * 16)
    eps_factor = math.sqrt((1e12 / 5e9) / (4e6 / 256e3))  # completedp-2025-adam-eps: (m_D/m_B)**0.5
    assert values(plan, "hidden")["eps"] == pytest.approx(1e-8 * eps_factor / 16 / 8)
    assert any("completedp-2025 is draft" in note for note in plan.notes)


def test_naming_a_draft_entry_is_explicit_consent(kb):
    plan = transfer(kb, "completedp-2025", BASE, TARGET + " batch=4M")
    assert plan.global_settings == {} and [e["id"] for e in plan.entries] == ["completedp-2025"]


def test_missing_target_batch_is_kept_at_the_base_and_said(kb):
    plan = transfer(kb, "completedp", BASE, TARGET, include_drafts=True)
    assert plan.assumptions == ["target batch not given: kept at the base value 256k"]
    assert plan.scale_factors["m_B"].value == 1.0


def test_a_stage_that_cannot_run_blocks_the_next(kb):
    # no batch anywhere: completedp cannot move the LR, so CompleteP must not use the unmoved proxy LR
    plan = transfer(kb, "completedp", "d_model=256 n_layers=4 lr=3e-3 tokens=5B", TARGET, include_drafts=True)
    lr = next(s for k, _, s in plan.groups if k == "hidden")["lr"]
    assert lr.value is None and "batch in --base" in lr.note


def test_python_literal_is_a_dict_of_optimizer_settings(kb):
    plan = transfer(kb, "completep", BASE, TARGET)
    text = python_literal(plan)
    groups = ast.literal_eval(text)
    assert groups == plan.param_groups()
    assert set(groups["hidden"]) == {"lr", "weight_decay", "eps"}
    assert "init_std = 0.005" in text


@pytest.mark.parametrize(
    "base, target, fragment",
    [
        ("d_model=256 lr=3e-3 depth=4", "d_model=1024", "unknown key 'depth' (allowed keys: " + ", ".join(BASE_KEYS)),
        ("d_model=256 lr=3e-3", "d_model=1024 lr=1", "--target: unknown key 'lr'"),
        ("d_model=256", "d_model=1024", "--base needs lr="),
        ("d_model=256 lr=3e-3", "n_layers=8", "--target needs d_model="),
        ("d_model=256 lr=3e-3 lr=1e-3", "d_model=1024", "given twice"),
        ("d_model=256 lr=3e-3b", "d_model=1024", "--base: lr:"),
        ("d_model=256 lr", "d_model=1024", "is not key=value"),
        ("", "d_model=1024", "--base is empty"),
    ],
)
def test_bad_assignments(kb, base, target, fragment):
    with pytest.raises(HpguideError) as info:
        transfer(kb, "mup", base, target)
    assert fragment in str(info.value)


def test_parse_assignments_takes_mappings():
    assert parse_assignments({"d_model": 256, "lr": "3e-3"}, BASE_KEYS, "--base") == {"d_model": 256.0, "lr": 3e-3}


def test_unknown_parameterisation(kb):
    with pytest.raises(UsageError, match="use mup, completep, completedp"):
        transfer(kb, "mu-p", BASE, TARGET)


# --------------------------------------------------------------------------- CLI


def test_cli_text_json_and_python():
    args = ("transfer", "--param", "completep", "--base", BASE, "--target", TARGET)
    text = run(*args)
    assert text.returncode == 0, text.stderr
    assert "eta_hidden = eta_base/m_N*m_L**(alpha_L - 1)" in text.stdout and "[completep-2025]" in text.stdout
    assert "not specified by completep-2025" in text.stdout
    payload = json.loads(run(*args, "--json").stdout)
    assert payload["groups"]["hidden"]["lr"]["value"] == pytest.approx(3e-3 / 16)
    assert ast.literal_eval(run(*args, "--python").stdout)["ffn"]["lr"] == pytest.approx(3e-3 / 16)


@pytest.mark.parametrize(
    "args, fragment",
    [
        (("--param", "completedp", "--base", BASE, "--target", TARGET), "--include-drafts"),
        (("--param", "mup", "--base", "d_model=256 lr=3e-3 width=3", "--target", "d_model=1k"), "allowed keys"),
        (("--param", "mup", "--base", "d_model=256 lr=3e-3", "--target", "d_model=1kk"), "--target: d_model"),
    ],
)
def test_cli_bad_input_exits_2_in_one_line(args, fragment):
    proc = run("transfer", *args)
    assert_clean_error(proc, 2)
    assert fragment in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


#: Text an entry author controls (the release, an equation, a note), as hostile as it gets.
HOSTILE = '0.1\nimport os; os.system("id")\r\x85\u2028 }\n{"lr": 1}  # """'


def test_python_literal_keeps_kb_text_in_comments_it_cannot_leave(kb):
    plan = transfer(kb, "completep", BASE, TARGET)
    hostile_groups = [(key, HOSTILE, {q: dataclasses.replace(s, rule=HOSTILE, note=HOSTILE)
                                      for q, s in settings.items()}) for key, _, settings in plan.groups]
    hostile = dataclasses.replace(plan, param=HOSTILE, kb_version=HOSTILE, groups=hostile_groups,
                                  entries=[{**e, "id": HOSTILE} for e in plan.entries])
    text = python_literal(hostile)
    [statement] = ast.parse(text).body  # one expression: the dict, and nothing after a line break in a comment
    assert isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Dict)
    assert ast.literal_eval(text) == plan.param_groups() == hostile.param_groups()
    assert all(line.lstrip().startswith(("#", "{", "}", "'")) for line in text.splitlines())


def test_cli_python_of_a_kb_with_a_hostile_release(tmp_path):
    root = tmp_path / "kb"
    shutil.copytree(KB, root)
    (root / "kb.yaml").write_text('release: "0.1.0\\nimport os; os.system(\\"id\\")"\n')
    proc = run("transfer", "--param", "completep", "--base", BASE, "--target", TARGET, "--python", "--kb", str(root))
    assert proc.returncode == 0, proc.stderr
    assert len(ast.parse(proc.stdout).body) == 1 and "os.system" not in proc.stdout and "(KB invalid+" in proc.stdout
