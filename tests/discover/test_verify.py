"""verify: refits from the entries' data, the tolerance rule, user CSVs, examples, the CLI's exit codes."""

from __future__ import annotations

import json

import numpy as np
import pytest

from hpguide.core.errors import UsageError
from hpguide.discover.verify import fit_power_law, printed_tolerance, read_csv_columns, verify
from hpguide.kb.load import load_kb

from ..conftest import CORPUS, KB
from ..helpers import assert_clean_error, run

GPT3 = KB / "learning-rate" / "gpt3-2020-lr-trend.yaml"
GPT3_ROWS = [(1.25e8, 6.0e-4), (3.5e8, 3.0e-4), (7.6e8, 2.5e-4), (1.3e9, 2.0e-4), (2.7e9, 1.6e-4), (6.7e9, 1.2e-4),
             (1.3e10, 1.0e-4), (1.75e11, 0.6e-4)]


@pytest.fixture(scope="module")
def kb():
    return load_kb(KB)  # loaded once: reading the KB takes about a second


def write_csv(path, header, rows):
    path.write_text(header + "\n" + "".join(",".join(repr(float(v)) for v in row) + "\n" for row in rows))
    return path


@pytest.mark.parametrize(
    "value, tolerance",
    [(0.3176, 5e-5), (0.5781, 5e-5), (128.0, 0.5), (2000.0, 0.5), (1e-8, 5e-9), (0.95, 5e-3),
     (0.13246370727459456, 0.13246370727459456 * 1e-9)],
)
def test_printed_tolerance_is_half_a_unit_of_the_last_digit(value, tolerance):
    assert printed_tolerance(value) == pytest.approx(tolerance)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_printed_tolerance_of_a_non_finite_number_is_a_clear_error(value):
    # Decimal gives NaN and infinity a str exponent; it used to reach `exponent < 0` as a TypeError
    with pytest.raises(ValueError, match="finite"):
        printed_tolerance(value)


def test_fit_power_law_recovers_exact_data():
    n, d = (a.ravel() for a in np.meshgrid(np.geomspace(1e6, 1e10, 4), np.geomspace(1e8, 1e12, 3)))
    intercept, slopes = fit_power_law([n, d], 3.0 * n**-0.3 * d**0.1)
    assert intercept == pytest.approx(np.log(3.0)) and slopes == pytest.approx([-0.3, 0.1])
    with pytest.raises(UsageError, match="collinear"):
        fit_power_law([n, n**2], n)


def test_shipped_data_entries_reproduce_their_constants(kb):
    report = verify(kb)
    by_constant = {(r.entry, r.constant): r for r in report.refits}
    assert {e for e, _ in by_constant} == {"gpt3-2020-lr-trend", "aspect-ratio-published-fit",
                                           "aspect-ratio-published-median", "head-dim-published-median",
                                           "adamw-defaults-published-configs"}
    assert all(r.ok for r in report.refits) and report.skipped == []
    eta = by_constant[("gpt3-2020-lr-trend", "c_eta")]
    assert eta.method.startswith("least squares of ln y on ln x") and eta.rel_error < 1e-9
    assert by_constant[("gpt3-2020-lr-trend", "b_eta")].refit == pytest.approx(0.30513000624211284, rel=1e-12)
    fit = by_constant[("aspect-ratio-published-fit", "p_L")]
    assert fit.refit == pytest.approx(0.57805, abs=5e-6) and fit.encoded == 0.5781  # rounded to 4 digits: ok
    assert by_constant[("aspect-ratio-published-median", "ar_med")].method.startswith("median")
    assert by_constant[("adamw-defaults-published-configs", "wd_rec")].method.startswith("mode")
    assert report.ok and len(report.examples) > 200 and all(e.ok for e in report.examples)


def test_changed_source_data_is_not_reproduced(make_kb):
    text = GPT3.read_text().replace("- [1.25e8, 6.0e-4]", "- [1.25e8, 9.0e-4]")
    root = make_kb({"gpt3-2020-lr-trend.yaml": text})
    report = verify(load_kb(root))
    assert not report.ok and all(e.ok for e in report.examples)
    assert {r.constant for r in report.refits if not r.ok} == {"c_eta", "b_eta"}
    proc = run("verify", "--kb", str(root))
    assert_clean_error(proc, 1)
    assert "NOT REPRODUCED" in proc.stdout and proc.stdout.rstrip().endswith("FAILED")


def test_an_example_that_does_not_reproduce_exits_1(make_kb):
    root = make_kb(copy=[CORPUS / "bad" / "example-mismatch.yaml", GPT3])
    report = verify(load_kb(root))
    (bad,) = [e for e in report.examples if not e.ok]
    assert bad.entry == "example-mismatch" and bad.expected == 6e-4 and bad.got == pytest.approx(5e-4)
    proc = run("verify", "--kb", str(root), "--json")
    assert_clean_error(proc, 1)
    payload = json.loads(proc.stdout)
    assert payload["ok"] is False and any(not e["ok"] for e in payload["examples"])
    assert run("verify", "gpt3-2020-lr-trend", "--kb", str(root)).returncode == 0


def test_user_csv_with_the_papers_data_reproduces(kb, tmp_path):
    path = write_csv(tmp_path / "gpt3.csv", "N,eta", GPT3_ROWS)
    report = verify(kb, ["gpt3-2020-lr-trend"], data_file=path)
    assert report.ok and {r.constant for r in report.refits} == {"c_eta", "b_eta"} and report.examples == []
    assert report.refits[0].data == "gpt3.csv"


def test_user_csv_nonlinear_refit_recovers_its_own_constants(kb, tmp_path):
    n, d = (a.ravel() for a in np.meshgrid(np.geomspace(7e7, 1.6e10, 6), np.geomspace(5e9, 5e11, 5)))
    loss = 1.82 + 482.01 / n**0.3478 + 2085.43 / d**0.3658  # Epoch's Table 1 as printed, not the notebook's
    path = write_csv(tmp_path / "loss.csv", "N,D,L", zip(n, d, loss))
    report = verify(kb, ["epoch-2024-chinchilla-refit"], data_file=path)
    refit = {r.constant: r.refit for r in report.refits}
    assert refit == pytest.approx({"E": 1.82, "A": 482.01, "B": 2085.43, "alpha": 0.3478, "beta": 0.3658}, rel=1e-6)
    assert report.refits[0].method.startswith("nonlinear least squares")
    assert not report.ok  # the entry encodes the notebook's unrounded values, e.g. E = 1.81686
    assert verify(kb, ["epoch-2024-chinchilla-refit"], data_file=path, rel_tol=0.01).ok


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("N,other\n1,2\n2,3\n3,4\n", "the data has no column eta"),
        ("N,eta\n1e8,abc\n2e8,1e-4\n3e8,1e-4\n", "column 'eta', data row 1"),
        ("N,eta\n1e8,nan\n2e8,1e-4\n3e8,1e-4\n", "'nan'"),
        ("N,eta\n1e8,1e-4\n2e8,1e-4\n", "2 data row(s)"),
        ("N,eta\n1e8,1e-4\n2e8\n3e8,1e-4\n", "line 3 has 1 cells"),
        ("N,eta\n1e8,1e-4\n0,1e-4\n3e8,1e-4\n", "values <= 0"),
        ("x,y\n1,2\n", "no column is named by a registry symbol"),
        ("", "is empty"),
    ],
)
def test_bad_csvs_are_usage_errors(kb, tmp_path, text, fragment):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(UsageError) as info:
        verify(kb, ["gpt3-2020-lr-trend"], data_file=path)
    assert fragment in str(info.value)


def test_more_constants_than_points_is_a_usage_error(kb, tmp_path):
    path = write_csv(tmp_path / "few.csv", "N,D,L", [(1e8, 1e9, 3.0), (1e9, 1e10, 2.5), (1e10, 1e11, 2.2)])
    with pytest.raises(UsageError, match="3 rows cannot determine 5 constants"):
        verify(kb, ["epoch-2024-chinchilla-refit"], data_file=path)


def test_read_csv_ignores_unknown_columns(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("N,notes,eta\n7B,big,1e-4\n1B,small,2e-4\n100M,tiny,3e-4\n")
    columns = read_csv_columns(path, {"N", "eta"})
    assert set(columns) == {"N", "eta"} and list(columns["N"]) == [7e9, 1e9, 1e8]


def test_usage_errors(kb, tmp_path):
    with pytest.raises(UsageError, match="exactly one entry id"):
        verify(kb, [], data_file=tmp_path / "x.csv")
    with pytest.raises(UsageError, match="no entry with id"):
        verify(kb, ["nope"])


@pytest.mark.parametrize(
    "args, fragment",
    [
        (("verify", "gpt3-2020-lr-trnd"), "did you mean 'gpt3-2020-lr-trend'"),
        (("verify", "--data", "missing.csv"), "exactly one entry id"),
        (("verify", "gpt3-2020-lr-trend", "--data", "/no/such.csv"), "no such file: /no/such.csv"),
        (("verify", "gpt3-2020-lr-trend", "--rel-tol", "2"), "between 0 and 1"),
    ],
)
def test_cli_bad_input_exits_2_in_one_line(args, fragment):
    proc = run(*args)
    assert_clean_error(proc, 2)
    assert fragment in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_cli_reproduction_table():
    proc = run("verify", "gpt3-2020-lr-trend", "aspect-ratio-published-median")
    assert proc.returncode == 0, proc.stderr
    assert "Refits from source data" in proc.stdout and "c_eta" in proc.stdout
    assert "entry" in proc.stdout and "expected" in proc.stdout and "rel.error" in proc.stdout
    assert proc.stdout.rstrip().endswith(": ok")
