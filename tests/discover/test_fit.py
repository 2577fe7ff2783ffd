"""hpguide fit: the Epoch AI reference refit, power laws, bootstrap, emitted entries, the CLI."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hpguide.core.errors import HpguideError, UsageError
from hpguide.core.schema import Entry
from hpguide.core.yamlio import load_yaml_text
from hpguide.discover.fit import BUDGETS, chinchilla_grid, fit, result_json
from hpguide.discover.fitdata import FitData, load_points, parse_filter
from hpguide.discover.fitentry import emit_entry, example_tolerance
from hpguide.kb.fmt import format_text
from hpguide.kb.load import load_kb
from hpguide.kb.scaffold import find_placeholders
from hpguide.kb.validate import validate_kb

from ..conftest import ROOT
from ..helpers import assert_clean_error, run

EPOCH_CSV = ROOT.parent / "shared" / "data" / "chinchilla-fig4-epoch-extracted.csv"
#: Besiroglu et al. 2024 (arXiv 2404.10102), Table 1: the refit on these points, 5 highest losses dropped.
EPOCH_REFIT = {"A": 482.01, "B": 2085.43, "E": 1.817, "alpha": 0.3478, "beta": 0.3658}
EPOCH_X = ["N=Model Size", "D=Training_FLOP/(6*N)"]
SOURCE = {"arxiv": "2404.10102", "title": "Chinchilla Scaling: A replication attempt",
          "authors": ["Tamay Besiroglu", "Ege Erdil"], "year": 2024, "where": "Figure 4 data, Table 1"}
TODAY = dt.date(2026, 1, 2)


def epoch_csv() -> str:
    if not EPOCH_CSV.is_file():
        pytest.fail(f"reference data missing: {EPOCH_CSV} (the shared/ folder belongs beside the clone)")
    return str(EPOCH_CSV)


@pytest.fixture(scope="module")
def epoch_fit():
    """The paper's full 4,500-start fit on Epoch's 240 points, with 100 bootstrap resamples (seed 7)."""
    data = load_points(epoch_csv(), EPOCH_X, "L=loss", drop_top=5)
    return fit(data, "chinchilla", bootstrap=100, seed=7)


def write_csv(path, header, rows) -> str:
    def cell(value) -> str:
        return value if isinstance(value, str) else repr(float(value))

    lines = [",".join(header)] + [",".join(map(cell, row)) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def synthetic_chinchilla(tmp_path, n_side=6, noise=0.0, seed=0) -> str:
    rng = np.random.default_rng(seed)
    rows = []
    for n in np.geomspace(5e7, 5e9, n_side):
        for d in np.geomspace(1e9, 2e11, n_side):
            loss = 1.7 + 400.0 / n**0.34 + 1500.0 / d**0.37
            rows.append((n, d, loss * np.exp(rng.normal(0.0, noise))))
    return write_csv(tmp_path / "runs.csv", ["params", "tokens", "loss"], rows)


# ---------------------------------------------------------------------------- the reference check


def test_chinchilla_form_recovers_epochs_refit(epoch_fit):
    assert epoch_fit.n_points == 240
    assert epoch_fit.details["starts"] == 4500  # the paper's full grid, not a reduced one
    for name, published in EPOCH_REFIT.items():
        got = epoch_fit.constants[name]
        assert abs(got - published) / published < 0.05, (name, got, published)


def test_reference_intervals_cover_the_estimate_and_say_their_method(epoch_fit):
    assert epoch_fit.interval_method.startswith("percentile bootstrap, 95%")
    assert "seed 7" in epoch_fit.interval_method
    for name, value in epoch_fit.constants.items():
        lo, hi = epoch_fit.intervals[name]
        assert lo <= value <= hi, name


def test_reference_allocation_matches_epochs_exponent(epoch_fit):
    alloc = epoch_fit.allocation
    c = epoch_fit.constants
    assert alloc["a"]["value"] == pytest.approx(c["beta"] / (c["alpha"] + c["beta"]))
    assert alloc["a"]["value"] == pytest.approx(0.513, rel=0.02)  # Epoch: N_opt ~ C^0.513
    first = alloc["budgets"][0]
    assert first["C"] == BUDGETS[0]
    assert 6 * first["N_opt"] * first["D_opt"] == pytest.approx(first["C"])
    assert first["tokens_per_param"] == pytest.approx(21.5, rel=0.03)  # Epoch's 21.5 at 1e21 FLOPs
    lo, hi = first["tokens_per_param_ci"]
    assert lo < first["tokens_per_param"] < hi


def test_reference_residuals(epoch_fit):
    res = epoch_fit.residuals
    assert 0 < res["rms"] < res["max_abs"] < 0.1
    assert res["r2"] > 0.99
    assert res["huber_objective"] == pytest.approx(epoch_fit.details["objective_value"])


def test_default_grid_is_the_papers():
    grid = chinchilla_grid()
    assert grid.shape == (4500, 5)
    a, b, e, alpha, beta = grid.T
    assert sorted(set(alpha)) == sorted(set(beta)) == [0.0, 0.5, 1.0, 1.5, 2.0]
    assert sorted(set(e)) == [-1.0, -0.5, 0.0, 0.5, 1.0]
    assert sorted(set(a)) == sorted(set(b)) == [0.0, 5.0, 10.0, 15.0, 20.0, 25.0]


def test_chinchilla_recovers_known_constants_on_clean_synthetic_data(tmp_path):
    path = synthetic_chinchilla(tmp_path)
    data = load_points(path, ["N=params", "D=tokens"], "L=loss")
    result = fit(data, "chinchilla", grid=chinchilla_grid(a=(5.0, 10.0), b=(5.0, 10.0), e=(0.0, 0.5)))
    truth = {"A": 400.0, "B": 1500.0, "E": 1.7, "alpha": 0.34, "beta": 0.37}
    for name, value in truth.items():
        assert result.constants[name] == pytest.approx(value, rel=1e-3), name


# ---------------------------------------------------------------------------- power law


def test_power_law_recovers_known_constants(tmp_path):
    rng = np.random.default_rng(3)
    x1, x2 = np.geomspace(1e7, 1e10, 12), rng.uniform(1e3, 1e5, 12)
    y = 3.0 * x1**-0.3 * x2**0.5
    path = write_csv(tmp_path / "p.csv", ["size", "batch", "lr"], zip(x1, x2, y))
    result = fit(load_points(path, ["N=size", "B=batch"], "eta=lr"), "power")
    assert result.constants["a"] == pytest.approx(3.0, rel=1e-9)
    assert result.constants["b1"] == pytest.approx(-0.3, abs=1e-10)
    assert result.constants["b2"] == pytest.approx(0.5, abs=1e-10)
    assert result.residuals["rms"] < 1e-10 and result.allocation is None


def test_power_law_bootstrap_is_deterministic_for_a_seed(tmp_path):
    rng = np.random.default_rng(4)
    x = np.geomspace(1e8, 1e11, 20)
    y = 0.13 * x**-0.3 * np.exp(rng.normal(0, 0.1, x.size))
    path = write_csv(tmp_path / "p.csv", ["N", "eta"], zip(x, y))
    data = load_points(path, ["N=N"], "eta=eta")
    one, two, other = (fit(data, "power", bootstrap=200, seed=s) for s in (1, 1, 2))
    assert one.intervals == two.intervals
    assert one.intervals != other.intervals
    lo, hi = one.intervals["b1"]
    assert lo < -0.3 < hi and lo < one.constants["b1"] < hi


def test_chinchilla_bootstrap_is_deterministic_for_a_seed(tmp_path):
    data = load_points(synthetic_chinchilla(tmp_path, n_side=4, noise=0.01), ["N=params", "D=tokens"], "L=loss")
    grid = chinchilla_grid(alpha=(0.5,), beta=(0.5,), e=(0.5,), a=(5.0, 10.0), b=(5.0, 10.0))
    one, two = (fit(data, "chinchilla", bootstrap=30, seed=5, grid=grid) for _ in range(2))
    assert one.constants == two.constants
    assert one.intervals == two.intervals
    assert result_json(one) == result_json(two)


def test_degenerate_power_law_inputs_are_usage_errors(tmp_path):
    flat = write_csv(tmp_path / "flat.csv", ["N", "eta"], [(1e9, 1e-3), (1e9, 2e-3), (1e9, 3e-3)])
    with pytest.raises(UsageError, match="N takes a single value"):
        fit(load_points(flat, ["N=N"], "eta=eta"), "power")
    with pytest.raises(UsageError, match="constants are named a, b1"):
        fit(load_points(flat, ["a=N"], "eta=eta"), "power")
    with pytest.raises(UsageError, match="unknown form"):
        fit(load_points(flat, ["N=N"], "eta=eta"), "cubic")


# ---------------------------------------------------------------------------- data: mapping and filters


def test_mapping_headers_with_spaces_expressions_and_precedence(tmp_path):
    path = write_csv(tmp_path / "d.csv", ["Model Size", "Training FLOP", "N", "loss"],
                     [(1e8, 6e18, 7, 3.0), (2e8, 2.4e19, 7, 2.9), (4e8, 9.6e19, 7, 2.8)])
    data = load_points(path, ["N=Model Size", "D=Training_FLOP/(6*N)"], "L=loss")
    # N in the expression is the mapped N ('Model Size'), not the header N
    assert data.column("D").tolist() == pytest.approx([1e10, 2e10, 4e10])
    assert data.mappings == {"N": "Model Size", "D": "Training_FLOP/(6*N)", "L": "loss"}
    with pytest.raises(UsageError, match="in a circle"):
        load_points(path, ["N=D*2", "D=N/2"], "L=loss")


def test_where_filters_then_drop_top(tmp_path):
    rows = [(n, 10.0 - i) for i, n in enumerate([1e7, 1e8, 2e8, 3e8, 4e8, 5e8])]
    path = write_csv(tmp_path / "d.csv", ["N", "loss"], rows)
    data = load_points(path, ["N=N"], "L=loss", where=["N > 1e7", "log10(N) <= 8.61"], drop_top=1)
    assert data.column("N").tolist() == [2e8, 3e8, 4e8]  # 1e7 and 5e8 filtered, then the top loss (1e8) dropped
    assert data.lines == [4, 5, 6]
    assert len(data.selection) == 3


@pytest.mark.parametrize("text, op, bound", [
    ("N > 1e8", ">", 1e8), ("log(D/N)<=3", "<=", 3.0), (" L >= -2 ", ">=", -2.0), ("N < 100M", "<", 1e8),
])
def test_parse_filter(text, op, bound):
    flt = parse_filter(text)
    assert (flt.op, flt.bound) == (op, bound)


@pytest.mark.parametrize("text", ["N", "N > ", "> 3", "N > 3 > 2", "N == 3", "N > x", "N >> 3", "__import__('os') > 1",
                                  "N.real > 1", "N if N else 1 > 2", "(lambda: 1)() > 0", "N > nan", "1 < N"])
def test_parse_filter_refuses(text):
    with pytest.raises(UsageError):
        parse_filter(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60) | st.from_regex(r"[A-Za-z_()*+/ .0-9e-]{0,20}\s*(<=|>=|<|>|=|!)\s*[-+0-9.eEkMBT]{0,8}",
                                            fullmatch=True))
def test_parse_filter_garbage_raises_only_hpguide_errors(text):
    try:
        flt = parse_filter(text)
    except HpguideError:
        return
    assert flt.op in ("<", "<=", ">", ">=")
    values = np.array([1.0, 2.0, np.nan])
    assert flt.holds(values).dtype == bool


# ---------------------------------------------------------------------------- the emitted entry


def place(make_kb, text: str, entry_id: str):
    return make_kb({f"fits/{entry_id}.yaml": text})


def symbols():
    return load_kb(ROOT / "heuristics").registry.symbols


def test_emitted_entry_validates_and_its_examples_are_its_data(epoch_fit, make_kb):
    registry = {name: {"group": s.group} for name, s in symbols().items()}
    text = emit_entry(epoch_fit, "epoch-refit-by-hpguide", symbols=registry, source=SOURCE, today=TODAY)
    root = place(make_kb, text, "epoch-refit-by-hpguide")
    kb, problems = validate_kb(root)
    assert problems == [], "\n".join(map(str, problems))
    entry = kb.entries["epoch-refit-by-hpguide"].entry
    assert (entry.kind, entry.status) == ("law", "draft")
    assert entry.constants["alpha"].where.startswith("hpguide fit of data: (240 points)")
    assert "percentile bootstrap" in entry.constants["A"].note
    assert {"L", "N_opt", "D_opt", "tokens_per_param"} <= set(entry.equations)
    rows = {tuple(row) for row in entry.data.rows}
    assert len(rows) == 240 and entry.data.columns == ["N", "D", "L"]
    assert len(entry.examples) == 6
    for example in entry.examples:
        assert (example.given["N"], example.given["D"], example.expect["L"]) in rows
        assert example.rel_tol <= 0.05
    assert entry.validity["N"] == [float(epoch_fit.data.x[:, 0].min()), float(epoch_fit.data.x[:, 0].max())]


def test_emitted_entry_without_source_is_flagged_only_for_its_todo_citation(epoch_fit, make_kb):
    text = emit_entry(epoch_fit, "my-fit", today=TODAY)
    _kb, problems = validate_kb(place(make_kb, text, "my-fit"))
    assert problems and {p.code for p in problems} == {"HPG007"}
    assert all(p.message.startswith("sources.0.") for p in problems)
    loaded, _ = load_yaml_text(text)
    loaded.data["sources"] = [SOURCE]  # the contributor fills in the citation: nothing else is missing
    assert find_placeholders(loaded.data) == []
    Entry.model_validate(loaded.data)


def test_emitted_power_law_entry_validates(tmp_path, make_kb):
    x = np.geomspace(1.25e8, 1.75e11, 8)
    y = 0.13 * x**-0.3 * np.exp(np.random.default_rng(0).normal(0, 0.1, x.size))
    path = write_csv(tmp_path / "gpt3.csv", ["params", "lr"], zip(x, y))
    result = fit(load_points(path, ["N=params"], "eta=lr"), "power", bootstrap=50)
    registry = {name: {"group": s.group} for name, s in symbols().items()}
    text = emit_entry(result, "lr-fit", symbols=registry, source=SOURCE, today=TODAY, command="hpguide fit ...")
    kb, problems = validate_kb(place(make_kb, text, "lr-fit"))
    assert problems == [], "\n".join(map(str, problems))
    entry = kb.entries["lr-fit"].entry
    assert entry.topics == ["learning-rate"] and entry.equations == {"eta": "a * N**b1"}
    assert "Command: hpguide fit" in entry.data.fit
    assert format_text(text) == text  # hpguide fmt --check passes on it as written
    assert "N: [1.25e8, 1.75e11]" in text  # shortest digits: not repr's 125000000.0 nor 1.250000000e8


def test_emit_entry_refuses_unregistered_names_and_bad_ids(tmp_path):
    path = write_csv(tmp_path / "d.csv", ["x", "y"], [(1, 2), (2, 3), (3, 5)])
    result = fit(load_points(path, ["size=x"], "loss=y"), "power")
    with pytest.raises(UsageError, match="size, loss are not registered"):
        emit_entry(result, "ok-id", symbols={"N": {}, "L": {}})
    with pytest.raises(UsageError, match="kebab-case"):
        emit_entry(result, "Not An Id")
    with pytest.raises(UsageError, match="--source: year"):
        emit_entry(result, "ok-id", source={**SOURCE, "year": "2024"})


@pytest.mark.parametrize("error, tol", [(0.0, 1e-4), (0.0123, 0.016), (0.5, 0.63)])
def test_example_tolerance_covers_the_residual(error, tol):
    assert example_tolerance(error) == pytest.approx(tol)
    assert example_tolerance(error) > error


# ---------------------------------------------------------------------------- the real CLI


def test_cli_chinchilla_json_plot_and_entry(tmp_path, make_kb):
    path = synthetic_chinchilla(tmp_path, n_side=5, noise=0.002)
    root = make_kb()
    entry = root / "fits" / "synthetic-loss-fit.yaml"
    entry.parent.mkdir()
    proc = run("fit", path, "--form", "chinchilla", "--x", "N=params", "--x", "D=tokens", "--y", "L=loss",
               "--bootstrap", "20", "--seed", "3", "--json", "--plot", str(tmp_path / "fit.png"),
               "--emit-entry", str(entry), "--kb", str(root), *(f"--source={k}={v}" for k, v in [
                   ("arxiv", "2404.10102"), ("title", "Synthetic runs"), ("authors", "A. Person; B. Person"),
                   ("year", "2025"), ("where", "runs.csv")]))
    assert proc.returncode == 0, proc.stderr
    payload = json.loads(proc.stdout)
    assert payload["form"] == "chinchilla" and payload["n_points"] == 25
    assert set(payload) >= {"constants", "residuals", "allocation", "interval_method"}
    assert payload["constants"]["alpha"]["value"] == pytest.approx(0.34, rel=0.1)
    assert len(payload["constants"]["alpha"]["ci"]) == 2
    assert payload["interval_method"].startswith("percentile bootstrap, 95%")
    assert (tmp_path / "fit.png").read_bytes()[:4] == b"\x89PNG"
    assert "entry:" in proc.stderr
    check = run("validate", "--kb", str(root))
    assert check.returncode == 0, check.stdout


def test_cli_power_human_report_and_entry_to_stdout(tmp_path):
    x = np.geomspace(1e8, 1e11, 6)
    path = write_csv(tmp_path / "lr.csv", ["params", "lr"], zip(x, 0.1 * x**-0.3))
    proc = run("fit", path, "--form", "power", "--x", "N=params", "--y", "eta=lr", "--emit-entry", "-")
    assert proc.returncode == 0, proc.stderr
    assert "b1" in proc.stderr and "-0.3" in proc.stderr and "residuals" in proc.stderr
    assert proc.stdout.startswith("# yaml-language-server") and "id: my-fit" in proc.stdout
    report = run("fit", path, "--form", "power", "--x", "N=params", "--y", "eta=lr")
    assert report.returncode == 0 and "constant" in report.stdout and "intervals: none" in report.stdout


BAD_CSVS = {
    "missing": None,
    "directory": "DIR",
    "latin1.csv": b"N,L\n1e8,3\xe9\n",
    "columns.csv": "params,tokens,loss\n1e8,1e9,3\n2e8,2e9,2.9\n3e8,3e9,2.8\n",
    "zero.csv": "N,L\n1e8,3\n2e8,0\n3e8,2.5\n",
    "negative.csv": "N,L\n1e8,3\n-2e8,2.8\n3e8,2.5\n",
    "nan.csv": "N,L\n1e8,3\n2e8,NaN\n3e8,2.5\n",
    "two.csv": "N,L\n1e8,3\n2e8,2.9\n",
    "four.csv": "N,D,L\n1e8,1e9,3\n2e8,2e9,2.9\n4e8,4e9,2.8\n8e8,8e9,2.7\n",
    "number.csv": "N,L\n1e8,3\n2e8,2.9x\n3e8,2.5\n",
    "empty.csv": "",
    "header-only.csv": "N,L\n",
    "short-row.csv": "N,L\n1e8,3\n2e8\n3e8,2.5\n",
}
BAD_CASES = [
    ("missing", "power", "no such file"),
    ("directory", "power", "is a directory"),
    ("latin1.csv", "power", "not UTF-8"),
    ("columns.csv", "power", "'params', 'tokens', 'loss'"),
    ("zero.csv", "power", "L = 0 is not positive"),
    ("negative.csv", "power", "N = -2e+08 is not positive"),
    ("nan.csv", "power", "line 3: column 'L' is NaN"),
    ("two.csv", "power", "only 2 point(s) remain"),
    ("four.csv", "chinchilla", "5 parameters but only 4 points"),
    ("number.csv", "power", "holds '2.9x', not a number"),
    ("empty.csv", "power", "is empty"),
    ("header-only.csv", "power", "no data rows"),
    ("short-row.csv", "power", "line 3: column 'L' is empty"),
]


@pytest.mark.parametrize("name, form, fragment", BAD_CASES)
def test_cli_bad_csv_is_one_line_exit_2(tmp_path, name, form, fragment):
    content = BAD_CSVS[name]
    path = tmp_path / name
    if content == "DIR":
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    xs = ["--x", "N=N"] + (["--x", "D=D"] if form == "chinchilla" else [])
    proc = run("fit", str(path), "--form", form, *xs, "--y", "L=L")
    assert_clean_error(proc, 2)
    assert fragment in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("args, fragment", [
    (("--where", "N >> 3"), "write EXPR OP NUMBER"),
    (("--where", "__import__('os') > 1"), "not allowed"),
    (("--drop-top-loss", "3"), "would drop all 3"),
    (("--json", "--emit-entry", "-"), "both print to stdout"),
    (("--source", "year=2024"), "goes with --emit-entry"),
    (("--bootstrap", "-1"), "--bootstrap takes a whole number"),
])
def test_cli_bad_options_are_one_line_exit_2(tmp_path, args, fragment):
    path = write_csv(tmp_path / "ok.csv", ["N", "L"], [(1e8, 3), (2e8, 2.9), (3e8, 2.8)])
    proc = run("fit", path, "--form", "power", "--x", "N=N", "--y", "L=L", *args)
    assert_clean_error(proc, 2)
    assert fragment in proc.stderr


def test_cli_fit_help_explains_mapping():
    proc = run("fit", "--help")
    assert proc.returncode == 0
    assert "Training_FLOP" in proc.stdout and "--drop-top-loss" in proc.stdout and "chinchilla" in proc.stdout


def test_fitdata_is_plain_data():
    data = FitData(["N"], "L", np.array([[1.0], [2.0]]), np.array([3.0, 4.0]), [2, 3])
    assert data.n_points == 2 and data.column("L").tolist() == [3.0, 4.0]


def test_cli_plot_and_entry_replace_an_existing_file_only_with_force(tmp_path):
    x = np.geomspace(1e8, 1e11, 6)
    path = write_csv(tmp_path / "lr.csv", ["params", "lr"], zip(x, 0.1 * x**-0.3))
    plot, entry = tmp_path / "fit.png", tmp_path / "lr-fit.yaml"
    plot.write_text("my plot\n")
    entry.write_text("my entry\n")
    args = ("fit", path, "--form", "power", "--x", "N=params", "--y", "eta=lr")
    for extra in (("--plot", str(plot)), ("--emit-entry", str(entry))):
        proc = run(*args, *extra)
        assert_clean_error(proc, 2)
        assert "already exists: pass --force" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert plot.read_text() == "my plot\n" and entry.read_text() == "my entry\n"
    same = run(*args, "--plot", str(plot), "--emit-entry", str(plot), "--force")
    assert_clean_error(same, 2)
    assert "same file" in same.stderr and plot.read_text() == "my plot\n"
    proc = run(*args, "--plot", str(plot), "--emit-entry", str(entry), "--force")
    assert proc.returncode == 0, proc.stderr
    assert plot.read_bytes()[:4] == b"\x89PNG" and "id: lr-fit" in entry.read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fit.png", "lr-fit.yaml", "lr.csv"]  # no temp files
