#!/usr/bin/env python3
"""Write the shared query corpus, tests/corpus/queries/: one JSON file per case.

    python tools/gen_query_corpus.py            # write missing cases; refuse to change existing ones
    python tools/gen_query_corpus.py --check    # exit 1 if any file is missing, stale or left over
    python tools/gen_query_corpus.py --update   # rewrite stale files, remove left-over ones

Each case is the argv after ``hpguide query`` and what the Python resolver
prints for it with ``--json`` (the ``expected`` object), or, for bad input,
the one ``hpguide: error: MESSAGE`` line it prints (``error``). The expected
part is produced by running the real CLI in-process (``hpguide.cli.main``,
the code path of the ``hpguide`` command) on the KB of this checkout.

Two tests hold both resolvers to these files, on every field:
tests/test_query_corpus.py (the Python CLI) and
tests/site/test_calculator_corpus.py (site/docs/assets/js/calculator.js in
Chromium). Both compare with :func:`compare`. When the KB or the resolver
changes on purpose, run ``--update`` and review the diff of the corpus.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KB = ROOT / "heuristics"
CORPUS = ROOT / "tests" / "corpus" / "queries"
#: Relative tolerance for floats (everything else is compared exactly).
REL_TOL = 1e-9
#: Top-level fields of the ``--json`` object that :func:`compare` does not compare. None: the browser
#: evaluates the same compiled KB (kb_version, kb_problems), so every field must agree. A field the
#: resolver gains later is compared without any change here.
EXCLUDED_FIELDS: tuple[str, ...] = ()


def C(name: str, *argv: str, about: str) -> dict:
    return {"name": name, "about": about, "argv": list(argv)}


#: The cases: every flag, the held-to-paper sizes and budgets, adversarial inputs and bad input.
CASES: list[dict] = [
    # ------------------------------------------------------------------ every flag of `hpguide query`
    C("flag-params-tokens", "--params", "7B", "--tokens", "1T", about="--params and --tokens, the common query"),
    C("flag-short-forms", "-N", "7B", "-D", "1T", "-C", "4.2e22",
      about="-N, -D and -C, the short forms (C equal to 6ND: no conflict)"),
    C("flag-equals-form", "--params=13B", "--tokens=2T", about="--flag=VALUE"),
    C("flag-params-only", "--params", "7B", about="model size alone: D-dependent laws are skipped"),
    C("flag-d-model-only", "--d-model", "4096", about="width alone: N assumed via n_layers from published configs"),
    C("flag-d-model-tokens", "--d-model", "4096", "--tokens", "1T", about="the README example"),
    C("flag-d-model-n-layers", "--d-model", "4096", "--n-layers", "32", "--tokens", "2T",
      about="a full shape: N follows from it, nothing about n_layers assumed"),
    C("flag-non-embedding-params", "--non-embedding-params", "6.5B", "--tokens", "1T",
      about="--non-embedding-params (Kaplan's N_ne)"),
    C("flag-heads-ff", "--params", "7B", "--n-heads", "32", "--n-kv-heads", "8", "--d-ff", "11008", "--tokens", "2T",
      about="--n-heads, --n-kv-heads and --d-ff"),
    C("flag-vocab-size", "--params", "7B", "--vocab-size", "128k", "--tokens", "1T",
      about="--vocab-size given, so not assumed"),
    C("flag-seq-len", "--params", "7B", "--seq-len", "4096", "--tokens", "1T", about="--seq-len given"),
    C("flag-compute-only", "--compute", "1e23", about="a compute budget alone: the allocation laws answer"),
    C("flag-compute-tokens", "--compute", "1e23", "--tokens", "200B", about="C and D: N solved backwards from 6ND"),
    C("flag-batch-size", "--params", "7B", "--tokens", "1T", "--batch-size", "4M", about="--batch-size in tokens"),
    C("flag-batch-seqs", "--params", "7B", "--tokens", "1T", "--batch-seqs", "1024", "--seq-len", "4096",
      about="--batch-seqs: B derived as B_seq * seq_len"),
    C("flag-include-drafts", "--params", "7B", "--tokens", "1T", "--include-drafts",
      about="--include-drafts: draft entries answer too, marked 'entry status: draft'"),
    C("flag-include-drafts-compute", "--compute", "5.76e23", "--include-drafts",
      about="drafts with a compute budget (Chinchilla approach 3 is a draft)"),
    C("flag-topic", "--params", "7B", "--tokens", "1T", "--topic", "learning-rate", about="--topic filter"),
    C("flag-topic-repeated", "--params", "7B", "--tokens", "1T", "--topic", "batch-size", "--topic", "loss",
      about="--topic given twice: either topic"),
    C("flag-topic-unknown", "--params", "7B", "--tokens", "1T", "--topic", "no-such-topic",
      about="a topic no entry has: no results, definitions still derived"),
    C("flag-entry", "--params", "7B", "--tokens", "1T", "--entry", "kaplan-2020-lr-rule", about="--entry filter"),
    C("flag-entry-repeated-drafts", "--params", "70B", "--tokens", "2T", "--entry", "chinchilla-2022-approach3",
      "--entry", "epoch-2024-chinchilla-refit", "--include-drafts", about="--entry twice, one of them a draft"),
    C("flag-entry-and-topic", "--params", "7B", "--tokens", "1T", "--entry", "kaplan-2020-lr-rule",
      "--topic", "loss", about="--entry and --topic together: both must hold"),
    C("set-eta-base-mup", "--d-model", "4096", "--tokens", "1T", "--set", "eta_base=3e-3", "--set", "d_model_base=256",
      "--set", "d_head=128", "--set", "eps_base=1e-8", "--set", "init_std_base=0.02", "--set", "wd_base=0.1",
      "--set", "m_N=16", about="--set for the muP transfer inputs"),
    C("set-completep", "--d-model", "4096", "--n-layers", "32", "--tokens", "1T", "--set", "eta_base=3e-3",
      "--set", "d_model_base=256", "--set", "n_layers_base=4", "--set", "d_head=128", "--set", "eps_base=1e-8",
      "--set", "init_std_base=0.02", "--set", "wd_base=0.1", "--set", "m_N=16", "--set", "m_L=8",
      about="--set for CompleteP's depth transfer inputs"),
    C("set-loss", "--params", "7B", "--tokens", "1T", "--set", "L=2.1",
      about="--set L: the loss-dependent batch rules answer"),
    C("set-loss-critical-batch", "--params", "1B", "--tokens", "100B", "--set", "L=2.5", "--set", "S=100k",
      "--set", "B_crit=2M", about="--set L, S and B_crit for Kaplan's critical batch"),
    C("set-d-unique", "--params", "7B", "--tokens", "1T", "--set", "D_unique=300B",
      about="--set D_unique: Kaplan's data-limited loss"),
    C("set-c-min", "--params", "7B", "--tokens", "1T", "--set", "C_min=1e22", "--include-drafts",
      about="--set C_min: Kaplan's compute-efficient allocation (a draft)"),
    C("set-eta-wd", "--params", "7B", "--tokens", "1T", "--batch-size", "4M", "--set", "eta=3e-4", "--set", "wd=0.1",
      about="--set eta and wd: the AdamW timescales derived; the LR laws still answer, the given eta is kept"),
    C("set-batch-accounting", "--params", "7B", "--tokens", "1T", "--seq-len", "4096", "--set", "micro_batch=4",
      "--set", "grad_accum=8", "--set", "dp=32", about="--set micro_batch, grad_accum, dp: B_seq and B derived"),
    C("set-n-same-as-params", "--params", "7B", "--set", "N=7e9", "--tokens", "1T",
      about="the same value given twice (--params and --set N) is accepted"),
    C("set-tokens-per-param", "--params", "7B", "--set", "tokens_per_param=20",
      about="--set a symbol no entry takes as input: nothing follows from it"),
    # ------------------------------------------------------------------ held to the papers
    C("chinchilla-400m-8b", "--params", "400M", "--tokens", "8B", about="Chinchilla Table 3: 400M params, 8.0B tokens"),
    C("chinchilla-1b-20b", "--params", "1B", "--tokens", "20.2B", about="Chinchilla Table 3: 1B, 20.2B tokens"),
    C("chinchilla-10b-205b", "--params", "10B", "--tokens", "205.1B", about="Chinchilla Table 3: 10B, 205.1B tokens"),
    C("chinchilla-67b-1.5t", "--params", "67B", "--tokens", "1.5T", about="Chinchilla Table 3: 67B, 1.5T tokens"),
    C("chinchilla-175b-3.7t", "--params", "175B", "--tokens", "3.7T", about="Chinchilla Table 3: 175B, 3.7T tokens"),
    C("chinchilla-280b-5.9t", "--params", "280B", "--tokens", "5.9T", about="Chinchilla Table 3: 280B, 5.9T tokens"),
    C("chinchilla-1t-21t", "--params", "1T", "--tokens", "21.2T", about="Chinchilla Table 3: 1T, 21.2T tokens"),
    C("chinchilla-70b-1.4t", "--params", "70B", "--tokens", "1.4T", "--seq-len", "2048", "--d-model", "8192",
      "--n-layers", "80", about="Chinchilla 70B as trained: 70B, 1.4T tokens, d_model 8192, 80 layers"),
    C("chinchilla-budget-1.92e19", "--compute", "1.92e19", about="Chinchilla Table A3 budget 1.92e19 FLOPs (400M)"),
    C("chinchilla-budget-1.21e20", "--compute", "1.21e20", about="Chinchilla Table A3 budget 1.21e20 FLOPs (1B)"),
    C("chinchilla-budget-1.23e22", "--compute", "1.23e22", about="Chinchilla Table A3 budget 1.23e22 FLOPs (10B)"),
    C("chinchilla-budget-5.76e23", "--compute", "5.76e23", about="Chinchilla's own budget, 5.76e23 FLOPs (67B/70B)"),
    C("chinchilla-budget-3.85e24", "--compute", "3.85e24", about="Chinchilla Table A3 budget 3.85e24 FLOPs (175B)"),
    C("gpt3-125m", "--params", "125M", "--tokens", "300B", "--d-model", "768", "--n-layers", "12", "--seq-len", "2048",
      "--batch-size", "0.5M", about="GPT-3 Small (Table 2.1): 125M, 300B tokens, batch 0.5M"),
    C("gpt3-350m", "--params", "350M", "--tokens", "300B", "--batch-size", "0.5M",
      about="GPT-3 Medium: 350M, 300B tokens"),
    C("gpt3-760m", "--params", "760M", "--tokens", "300B", about="GPT-3 Large: 760M, 300B tokens"),
    C("gpt3-1.3b", "--params", "1.3B", "--tokens", "300B", "--batch-size", "1M", about="GPT-3 XL: 1.3B, 300B tokens"),
    C("gpt3-2.7b", "--params", "2.7B", "--tokens", "300B", about="GPT-3 2.7B, 300B tokens"),
    C("gpt3-6.7b", "--params", "6.7B", "--tokens", "300B", "--d-model", "4096", "--n-layers", "32",
      about="GPT-3 6.7B with its shape"),
    C("gpt3-13b", "--params", "13B", "--tokens", "300B", about="GPT-3 13B, 300B tokens"),
    C("gpt3-175b", "--params", "175B", "--tokens", "300B", "--batch-size", "3.2M", "--seq-len", "2048",
      about="GPT-3 175B, 300B tokens, batch 3.2M"),
    C("gpt3-175b-shape", "--d-model", "12288", "--n-layers", "96", "--tokens", "300B", "--seq-len", "2048",
      about="GPT-3 175B from its shape alone"),
    C("gpt3-budget-3.14e23", "--compute", "3.14e23", about="GPT-3 175B's budget, 3.14e23 FLOPs"),
    C("llama2-7b-2t", "--params", "7B", "--tokens", "2T", "--seq-len", "4096", "--batch-size", "4M",
      about="Llama 2 7B: 2T tokens, context 4096, batch 4M"),
    C("llama2-13b-2t", "--params", "13B", "--tokens", "2T", about="Llama 2 13B: 2T tokens"),
    C("llama2-70b-2t", "--params", "70B", "--tokens", "2T", "--n-kv-heads", "8", "--seq-len", "4096",
      "--batch-size", "4M", about="Llama 2 70B: 2T tokens, GQA with 8 KV heads"),
    C("deepseek-7b-2t", "--params", "7B", "--tokens", "2T", about="DeepSeek LLM 7B: 2T tokens"),
    C("deepseek-67b-2t", "--params", "67B", "--tokens", "2T", "--d-model", "8192", "--n-layers", "95",
      "--seq-len", "4096", about="DeepSeek LLM 67B: 2T tokens, d_model 8192, 95 layers"),
    C("deepseek-budget-7b", "--compute", "1e23", "--include-drafts",
      about="a DeepSeek-sized budget with drafts included"),
    C("llama3-405b-15.6t", "--params", "405B", "--tokens", "15.6T", about="Llama 3 405B: 15.6T tokens"),
    C("llama3-405b-budget", "--compute", "3.8e25", about="Llama 3 405B's budget, 3.8e25 FLOPs"),
    C("gopher-280b-300b", "--params", "280B", "--tokens", "300B", about="Gopher 280B: 300B tokens"),
    # ------------------------------------------------------------------ inverse questions and the summary
    C("inverse-400m", "--params", "400M",
      about="N fixed: each compute-optimal law's budget and tokens for it (Chinchilla Table 3's 400M row)"),
    C("inverse-70b-drafts", "--params", "70B", "--include-drafts",
      about="N fixed at 70B with drafts: inverse rows beside the summary of every quantity"),
    C("summary-d-model-2048", "--d-model", "2048", "--tokens", "1T",
      about="--d-model given: the nearest configs rank by d_model; summaries over comparable configs"),
    # ------------------------------------------------------------------ adversarial
    C("tiny-1m", "--params", "1M", "--tokens", "20M", about="1M params: below every source's range"),
    C("tiny-1m-alone", "--params", "1M", about="1M params and nothing else"),
    C("huge-10t", "--params", "10T", "--tokens", "216.2T", about="10T params (Chinchilla Table 3's last row)"),
    C("huge-10t-alone", "--params", "10T", about="10T params and nothing else"),
    C("kaplan-lr-negative", "--params", "70B", "--tokens", "15T", "--include-drafts",
      about="70B/15T: Kaplan's LR rule (a draft: no printed example) gives a negative learning rate"),
    C("contradict-shape", "--params", "67B", "--d-model", "8192", "--n-layers", "200", "--tokens", "2T",
      about="--params 67B with a shape that implies far more: a conflict, the given N is used"),
    C("full-shape-llama3-8b", "--d-model", "4096", "--n-layers", "32", "--n-heads", "32", "--n-kv-heads", "8",
      "--d-ff", "14336", "--set", "ffn_matrices=3", "--set", "embedding_matrices=2", "--vocab-size", "128000",
      "--tokens", "15T",
      about="Llama 3 8B's full shape: GQA, SwiGLU and untied embeddings counted (N = 8.03B), not 12 L d^2"),
    C("full-shape-incomplete", "--d-model", "4096", "--n-layers", "32", "--d-ff", "11008", "--n-kv-heads", "8",
      "--tokens", "1T",
      about="--d-ff and --n-kv-heads without the rest of the full shape: refused, naming what is missing"),
    C("params-vs-assumed-shape", "--params", "70B", "--tokens", "15T",
      about="--params 70B with the 8192 x 80 shape assumed: the 7.6 % disagreement is a conflict"),
    C("contradict-compute", "--params", "7B", "--tokens", "1T", "--compute", "1e24",
      about="a compute budget that contradicts 6ND: a conflict"),
    C("loss-below-irreducible", "--params", "7B", "--tokens", "1T", "--set", "L=1.2",
      about="--set L=1.2, below Chinchilla's irreducible loss"),
    C("seq-len-above-tokens", "--params", "125M", "--tokens", "1000", "--seq-len", "4096",
      about="a context longer than the whole training set"),
    C("batch-above-tokens", "--params", "7B", "--tokens", "1M", "--batch-size", "4M",
      about="a batch larger than the training set"),
    C("fractional-layers", "--d-model", "4096", "--n-layers", "2.5", "--tokens", "1T", about="2.5 layers"),
    C("tiny-width", "--d-model", "8", "--tokens", "1M", about="d_model 8"),
    C("compute-tiny", "--compute", "1e10", about="1e10 FLOPs"),
    C("compute-huge", "--compute", "1e30", about="1e30 FLOPs"),
    C("vocab-exceeds-params", "--params", "100M", "--vocab-size", "256k", "--d-model", "4096", "--tokens", "2B",
      about="embeddings alone exceed N: no positive n_layers solves the shape equation"),
    C("huge-vocab", "--params", "1B", "--vocab-size", "1M", "--tokens", "20B", about="a 1M-token vocabulary"),
    C("tokens-alone", "--tokens", "1T", about="tokens alone: only the rules that need no model size answer"),
    C("quantity-forms", "--params", "7_000_000_000", "--tokens", "+1e12", "--seq-len", " 4k ",
      about="underscores, a plus sign, an exponent, spaces and a lower-case k"),
    C("exact-decimal-ties", "--params", "1.125B", "--tokens", "22.5B", "--seq-len", "2048",
      about="values whose 3-digit form is an exact tie (Python rounds half to even)"),
    C("underflow-width", "--d-model", "1e-200", "--n-layers", "2", "--tokens", "1T",
      about="a width whose square underflows to 0: laws with a negative power of it give no value"),
    C("rounds-across-a-power-of-ten", "--d-model", "999.9", "--tokens", "100B",
      about="999.9 written to 3 digits is 1e+03: the exponent is taken after rounding"),
    # ------------------------------------------------------------------ bad input: the error line
    C("error-no-inputs", about="no inputs at all"),

    C("error-given-twice", "--params", "7B", "--set", "N=8B", about="N given twice with different values"),
    C("error-set-twice", "--params", "7B", "--set", "L=2", "--set", "L=3", about="--set of one symbol twice"),
    C("error-set-malformed", "--params", "7B", "--set", "eta", about="--set without =VALUE"),
    C("error-set-unknown-symbol", "--params", "7B", "--set", "eta_bse=1e-3",
      about="--set of an unknown symbol: a did-you-mean hint"),
    C("error-set-unknown-weak-hint", "--params", "7B", "--set", "batch=4M",
      about="an unknown symbol whose closest match only just passes difflib's 0.6 cutoff"),
    C("error-set-unknown-vocab", "--params", "7B", "--set", "vocab=32k", about="an unknown symbol, hint vocab_size"),
    C("error-set-unknown-learning-rate", "--params", "7B", "--set", "learning_rate=3e-4",
      about="an unknown symbol with no match above the cutoff"),
    C("error-set-unknown-no-hint", "--params", "7B", "--set", "zzqqxx=1",
      about="an unknown symbol with no close match"),
    C("error-unknown-entry", "--params", "7B", "--entry", "no-such-entry", about="--entry of an unknown id"),
    C("error-lowercase-b", "--params", "7b", about="7b: lowercase b is refused with a hint"),
    C("error-unit", "--tokens", "1TB", "--params", "7B", about="1TB: a unit, not a multiplier"),
    C("error-zero", "--d-model", "0", about="zero"),
    C("error-negative", "--params=-7B", about="a negative size"),
    C("error-exponent-and-suffix", "--params", "1e9B", about="an exponent and a suffix"),
    C("error-nan", "--params", "nan", about="NaN"),
]


# ---------------------------------------------------------------------------- running the CLI


def run_case(argv: list[str], kb: Path = KB) -> dict:
    """What ``hpguide query ARGV --json --kb KB`` prints, in-process: {"expected": object} on success,
    {"error": message} (the text after 'hpguide: error: ') on bad input."""
    from hpguide.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["query", *argv, "--json", "--kb", str(kb)])
    return outcome(code, out.getvalue(), err.getvalue())


def outcome(code: int, stdout: str, stderr: str) -> dict:
    """The corpus form of one run of the CLI."""
    if code == 0:
        return {"expected": json.loads(stdout)}
    prefix = "hpguide: error: "
    lines = stderr.splitlines()
    if code != 2 or len(lines) != 1 or not lines[0].startswith(prefix):
        raise RuntimeError(f"unexpected outcome (exit {code}): {stderr.strip() or stdout[:200]}")
    return {"error": lines[0][len(prefix):]}


def case_file(name: str) -> Path:
    return CORPUS / f"{name}.json"


def render(case: dict, result: dict) -> str:
    """The text of one case file (sorted keys, two-space indent: readable diffs)."""
    return json.dumps({**case, **result}, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n"


def load_cases(folder: Path = CORPUS) -> list[dict]:
    """Every case file, sorted by name."""
    cases = [json.loads(path.read_text(encoding="utf-8")) for path in folder.glob("*.json")]
    return sorted(cases, key=lambda case: case["name"])


# ---------------------------------------------------------------------------- comparing


def compare(actual: object, expected: object, path: str = "", excluded: tuple[str, ...] = EXCLUDED_FIELDS) -> list[str]:
    """Every difference between two ``--json`` objects, as 'path: what' lines (empty when equal).

    Objects are compared key by key (both key sets must be equal, so a field
    one side lacks is a difference), lists item by item, floats to a relative
    tolerance of REL_TOL, integers, booleans, strings and null exactly.
    ``excluded`` names top-level fields left out.
    """
    where = path or "(top)"
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{where}: expected an object, got {_show(actual)}"]
        skip = set(excluded) if not path else set()
        out = []
        for key in sorted((set(expected) | set(actual)) - skip):
            sub = f"{path}.{key}" if path else key
            if key not in actual:
                out.append(f"{sub}: missing (expected {_show(expected[key])})")
            elif key not in expected:
                out.append(f"{sub}: unexpected field ({_show(actual[key])})")
            else:
                out.extend(compare(actual[key], expected[key], sub, excluded))
        return out
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return [f"{where}: expected a list, got {_show(actual)}"]
        out = [f"{where}: {len(actual)} items, expected {len(expected)}"] if len(actual) != len(expected) else []
        for index, (a, e) in enumerate(zip(actual, expected)):
            out.extend(compare(a, e, f"{path}[{index}]", excluded))
        return out
    if isinstance(expected, bool) or expected is None or isinstance(expected, str):
        same = type(actual) is type(expected) and actual == expected
        return [] if same else [f"{where}: {_show(actual)}, expected {_show(expected)}"]
    if isinstance(expected, int):
        same = isinstance(actual, (int, float)) and not isinstance(actual, bool) and actual == expected
        return [] if same else [f"{where}: {_show(actual)}, expected the integer {expected}"]
    if isinstance(expected, float):
        if isinstance(actual, bool) or not isinstance(actual, (int, float)):
            return [f"{where}: {_show(actual)}, expected {expected!r}"]
        if actual == expected or math.isclose(actual, expected, rel_tol=REL_TOL, abs_tol=0.0):
            return []
        return [f"{where}: {actual!r}, expected {expected!r} (relative difference "
                f"{abs(actual - expected) / max(abs(actual), abs(expected)):.2e})"]
    raise TypeError(f"{where}: cannot compare {type(expected).__name__}")


def _show(value: object) -> str:
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= 120 else text[:117] + "..."


# ---------------------------------------------------------------------------- the command


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--update", action="store_true", help="rewrite stale case files and remove left-over ones")
    mode.add_argument("--check", action="store_true", help="write nothing; exit 1 if the corpus is not current")
    args = parser.parse_args(argv)
    names = [case["name"] for case in CASES]
    if len(set(names)) != len(names):
        raise SystemExit("duplicate case names in CASES")
    CORPUS.mkdir(parents=True, exist_ok=True)
    new, stale, same = [], [], 0
    for case in CASES:
        path = case_file(case["name"])
        text = render(case, run_case(case["argv"]))
        old = path.read_text(encoding="utf-8") if path.exists() else None
        if old == text:
            same += 1
            continue
        (new if old is None else stale).append(path)
        if args.check or (old is not None and not args.update):
            continue
        path.write_text(text, encoding="utf-8")
    extra = sorted(set(CORPUS.glob("*.json")) - {case_file(n) for n in names})
    if args.update:
        for path in extra:
            path.unlink()
    rel = lambda p: p.relative_to(ROOT)  # noqa: E731
    for path in new:
        print(f"{'missing' if args.check else 'wrote'} {rel(path)}")
    for path in stale:
        print(f"{'updated' if args.update else 'stale'} {rel(path)}")
    for path in extra:
        print(f"{'removed' if args.update else 'left over (no such case)'} {rel(path)}")
    print(f"{len(CASES)} cases: {same} current, {len(new)} new, {len(stale)} stale, {len(extra)} left over")
    if args.check and (new or stale or extra):
        return 1
    if stale and not args.update and not args.check:
        print("refusing to overwrite stale files: review the change, then run with --update", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
