"""The command line, run as a real subprocess: exit codes, output, no tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from ..conftest import CORPUS, KB, ROOT
from ..helpers import assert_clean_error, run


def test_validate_shipped_kb():
    proc = run("validate", "--kb", str(KB))
    assert proc.returncode == 0, proc.stdout
    assert proc.stdout.strip().endswith(": ok")


def test_validate_invalid_kb_exits_1_with_one_line_per_problem(make_kb):
    root = make_kb(copy=[CORPUS / "bad" / "example-mismatch.yaml", CORPUS / "bad" / "unknown-key.yaml"])
    proc = run("validate", "--kb", str(root))
    assert_clean_error(proc, 1)
    lines = [line for line in proc.stdout.splitlines() if ": HPG" in line]
    assert len(lines) == 2
    assert any("HPG030" in line for line in lines) and any("HPG005" in line for line in lines)


def test_validate_json(make_kb):
    root = make_kb(copy=[CORPUS / "bad" / "example-mismatch.yaml"])
    proc = run("validate", "--kb", str(root), "--json")
    payload = json.loads(proc.stdout)
    assert proc.returncode == 1
    assert [p["code"] for p in payload["problems"]] == ["HPG030"]


@pytest.mark.parametrize(
    "args, fragment",
    [
        (("validate", "--kb", "/no/such/dir"), "no such directory"),
        (("list", "--kb", str(KB / "symbols.yaml")), "is a file"),
        (("list", "--kb", str(ROOT / "src")), "not a knowledge base"),
        (("show", "no-such-entry"), "no entry with id"),
        (("show", "compute-6n"), "did you mean 'compute-6nd'"),
        (("cite", "nope"), "no entry with id"),
    ],
)
def test_usage_errors_are_one_line_exit_2(args, fragment):
    proc = run(*args)
    assert_clean_error(proc, 2)
    assert fragment in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_env_var_selects_the_kb(tmp_path):
    proc = run("list", env={"HPGUIDE_KB": str(tmp_path / "missing")})
    assert_clean_error(proc, 2)
    assert "HPGUIDE_KB" in proc.stderr


def test_unknown_command_and_no_command():
    assert_clean_error(run("frobnicate"), 2)
    proc = run()
    assert proc.returncode == 2 and "validate" in proc.stdout


def test_list_and_filters():
    proc = run("list")
    assert proc.returncode == 0
    assert "chinchilla-2022-approach3" in proc.stdout
    only = run("list", "--kind", "definition", "--json")
    kinds = {row["kind"] for row in json.loads(only.stdout)}
    assert kinds == {"definition"}


def test_show_reproduces_examples():
    proc = run("show", "chinchilla-2022-approach3")
    assert proc.returncode == 0
    assert "printed in the source: C=1.26e+24" in proc.stdout
    assert "FAIL" not in proc.stdout and " ok" in proc.stdout
    assert "Eq. 10 (App. D.2) prints 1.69" in proc.stdout


def test_cite_prints_bibtex():
    proc = run("cite", "compute-6nd")
    assert proc.returncode == 0 and proc.stdout.startswith("@article{kaplan2020scaling,")


def test_codes_lists_every_code():
    from hpguide.core.codes import CODES

    proc = run("codes")
    assert all(code in proc.stdout for code in CODES)


def test_help_and_version():
    assert run("--help").returncode == 0
    assert run("validate", "--help").returncode == 0
    assert run("--version").stdout.startswith("hpguide ")


# --------------------------------------------------------------------------- query and explain


def test_query_text_report():
    proc = run("query", "--d-model", "4096", "--tokens", "1T")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "You gave    D = 1T   d_model = 4096" in out
    assert "Learning rate (peak)" in out and "Nearest published configs" in out
    assert "ASSUMED" in out  # n_layers, vocab_size, seq_len are filled in, and said so
    # a band under a row, and who made its draws (Epoch's refits were recomputed by the notebook's method)
    assert "80% band 291B .. 429B (bootstrap, recomputed by hpguide by the source's method, " in out


def test_query_leads_with_the_summary_and_brief_shows_only_it():
    full = run("query", "--d-model", "4096", "--tokens", "1T")
    brief = run("query", "--d-model", "4096", "--tokens", "1T", "--brief")
    assert full.returncode == brief.returncode == 0, full.stderr + brief.stderr
    head = "Summary: hpguide's synthesis per quantity (not a published value"
    assert head in full.stdout and head in brief.stdout
    assert full.stdout.index(head) < full.stdout.index("Learning rate (peak)\n  eta:")  # summary first
    assert "    eta              start " in brief.stdout
    assert "summary rule: start at the log-space median" in full.stdout
    assert "Learning rate (peak)\n  eta:" not in brief.stdout and "Nearest published configs" not in brief.stdout
    md = run("query", "--d-model", "4096", "--tokens", "1T", "--format", "markdown", "--brief")
    assert "### Summary (hpguide's synthesis, not a published value)" in md.stdout and "| `eta` |" in md.stdout
    assert "fitted under" not in md.stdout
    refused = run("query", "--d-model", "4096", "--tokens", "1T", "--brief", "--json")
    assert_clean_error(refused)
    assert "--brief shortens the text and markdown reports" in refused.stderr


def test_query_json_is_the_contract_and_byte_identical():
    first = run("query", "--d-model", "4096", "--tokens", "1T", "--json")
    second = run("query", "--d-model", "4096", "--tokens", "1T", "--format", "json")
    assert first.returncode == 0 and first.stdout == second.stdout
    payload = json.loads(first.stdout)
    assert {"kb_version", "inputs", "assumptions", "results", "spread"} <= set(payload)
    for row in payload["results"]:
        assert {"symbol", "value", "entry", "entry_version", "title", "citation", "formula", "in_range",
                "warnings"} <= set(row)
    for item in payload["assumptions"]:
        assert {"symbol", "value", "entry", "why"} <= set(item)


def test_query_markdown():
    proc = run("query", "--params", "7B", "--tokens", "2T", "--format", "markdown")
    assert proc.returncode == 0
    assert proc.stdout.startswith("## hpguide query")
    assert "| quantity | value | in range | entry | fitted under | source |" in proc.stdout
    # the band, the status and the conditions, as in the terminal report
    assert "(80% band " in proc.stdout and "recomputed by hpguide by the source's method" in proc.stdout
    assert "`chinchilla-2022-approach3` v3 (disputed)" in proc.stdout
    assert "fitted with AdamW, cosine to 10%, N total, on MassiveText" in proc.stdout


def test_query_set_and_filters():
    proc = run("query", "--params", "1B", "--set", "D=20B", "--topic", "learning-rate", "--json")
    payload = json.loads(proc.stdout)
    assert payload["inputs"] == {"D": 2e10, "N": 1e9}
    assert payload["results"] and all(r["group"] for r in payload["results"])


def test_explain():
    proc = run("explain", "C", "--d-model", "4096", "--tokens", "1T")
    assert proc.returncode == 0, proc.stderr
    assert "from compute-6nd: 6*N*D" in proc.stdout and "(given)" in proc.stdout and "ASSUMED" in proc.stdout
    law = run("explain", "eta", "--params", "7B", "--tokens", "2T")
    assert law.returncode == 0 and "formula: eta = " in law.stdout and "in range:" in law.stdout
    assert "with N = 7B   (given)" in law.stdout


@pytest.mark.parametrize(
    "args, fragment",
    [
        (("query",), "give at least one of --params, --d-model, --compute"),
        (("query", "--tokens", "1TT"), "cannot read '1TT'"),
        (("query", "--d-model", "0"), "must be > 0"),
        (("query", "--d-model", "-4096"), "must be > 0"),
        (("query", "--params", "7b"), "'7b'"),
        (("query", "--params", "nan"), "'nan'"),
        (("query", "--params", "7B", "--set", "etaa=1e-3"), "unknown symbol 'etaa'"),
        (("query", "--params", "7B", "--set", "eta"), "write SYMBOL=VALUE"),
        (("query", "--params", "7B", "--set", "N=8B"), "given twice"),
        (("query", "--params", "7B", "--kb", "/no/such/kb"), "no such directory"),
        (("query", "--params", "7B", "--entry", "nope"), "no entry with id 'nope'"),
        (("query", "--seq-len", "4096"), "nothing follows from seq_len alone"),
        (("explain", "etaa", "--params", "7B"), "unknown symbol 'etaa'"),
    ],
)
def test_query_errors_are_one_line_exit_2(args, fragment):
    proc = run(*args)
    assert_clean_error(proc, 2)
    assert fragment in proc.stderr, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "argv",
    [
        ["query", "--d-model", "4096", "--tokens", "1T"],
        ["query", "--params=7B", "-D", "2T", "--json"],
        ["query", "--params", "7B", "-D", "2T", "--brief"],
        ["query", "-N", "7B", "-C", "1e23", "--format", "markdown", "--include-drafts"],
        ["query", "--set", "eta_base=3e-3", "--set", "D_base=5B", "--topic", "learning-rate", "--entry", "x",
         "--kb", "/tmp/kb", "--batch-size", "4M", "--batch-seqs", "1024", "--seq-len", "4k"],
        ["query", "--non-embedding-params", "6B", "--n-layers", "32", "--n-heads", "32", "--n-kv-heads", "8",
         "--d-ff", "11008", "--vocab-size", "32000"],
        ["explain", "eta", "--params", "7B", "--tokens=2T"],
    ],
)
def test_fast_parser_agrees_with_argparse(argv):
    from hpguide.cli.main import build_parser, fast_query_args

    fast = fast_query_args(argv)
    assert fast is not None
    assert vars(fast) == vars(build_parser().parse_args(argv))


@pytest.mark.parametrize(
    "argv",
    [
        ["query", "--help"], ["query", "--d-mod", "4096"], ["query", "--d-model"], ["query", "--d-model", "-1"],
        ["query", "--format", "yaml"], ["explain"], ["explain", "--params", "7B"], ["explain", "eta", "--json"],
        ["query", "-N7B"], ["list"], [],
    ],
)
def test_fast_parser_leaves_the_rest_to_argparse(argv):
    from hpguide.cli.main import fast_query_args

    assert fast_query_args(argv) is None


# ---------------------------------------------------------------------------- the process exit (cli.main.run)


def _run_with_exit_handler(args: list[str]) -> subprocess.CompletedProcess[str]:
    code = ("import atexit, sys; atexit.register(lambda: print('exit handler ran', file=sys.stderr)); "
            f"from hpguide.cli.main import run; run({args!r})")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "HPGUIDE_KB": str(KB)})


def test_run_flushes_the_output_and_runs_exit_handlers_before_ending_the_process():
    proc = _run_with_exit_handler(["query", "--d-model", "4096", "--tokens", "1T", "--json"])
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["kb_version"]  # all of it, not cut off by os._exit
    assert proc.stderr == "exit handler ran\n"


@pytest.mark.parametrize("args, code", [
    (["query"], 2),  # usage error from the resolver
    (["query", "--no-such-flag", "1"], 2),  # argparse's SystemExit(2)
    (["--version"], 0),  # argparse's SystemExit(0)
])
def test_run_exits_with_the_commands_code(args, code):
    proc = _run_with_exit_handler(args)
    assert proc.returncode == code, proc.stderr
    assert proc.stderr.endswith("exit handler ran\n")
    assert "Traceback" not in proc.stderr


def test_run_exits_1_for_an_invalid_kb(make_kb):
    root = make_kb(copy=[CORPUS / "bad" / "unknown-key.yaml"])
    proc = _run_with_exit_handler(["validate", "--kb", str(root)])
    assert proc.returncode == 1
    assert "HPG005" in proc.stdout and proc.stderr.endswith("exit handler ran\n")


def test_a_reader_that_goes_away_is_no_error():
    with subprocess.Popen([sys.executable, "-m", "hpguide", "query", "--d-model", "4096", "--tokens", "1T",
                           "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          env={**os.environ, "HPGUIDE_KB": str(KB)}) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.read(10)
        proc.stdout.close()  # like `hpguide query ... | head -c 10`
        err = proc.stderr.read().decode()
        assert proc.wait(timeout=120) == 0
    assert "Traceback" not in err and "Exception ignored" not in err
