"""The full-shape parameter count (GQA, FFN width and gating, tied or untied embeddings) and its precedence
over the simple count it refines; a given N that the assumed shape contradicts (issue 10, item 6).
Expected values are the published counts or worked out by hand in the comments."""

from __future__ import annotations

import pytest

from hpguide.core.errors import UsageError
from hpguide.kb.compiled import compile_kb
from hpguide.kb.load import load_kb
from hpguide.resolver.resolve import resolve

from ..conftest import KB

SIMPLE = KB / "accounting" / "transformer-params-from-shape.yaml"
FULL = KB / "accounting" / "transformer-params-full-shape.yaml"
LLAMA3_8B = {"n_layers": 32.0, "d_model": 4096.0, "n_heads": 32.0, "n_kv_heads": 8.0, "d_ff": 14336.0,
             "ffn_matrices": 3.0, "embedding_matrices": 2.0, "vocab_size": 128000.0}


@pytest.fixture
def kb(make_kb):
    return compile_kb(make_kb(copy=[SIMPLE, FULL, KB / "accounting" / "compute-6nd.yaml"]))


def test_the_full_shape_is_counted_when_it_is_given(kb):
    derived = resolve(kb, {**LLAMA3_8B, "D": 15e12}).to_dict()["derived"]
    by_symbol = {d["symbol"]: d for d in derived}
    # 32 x (2 x 4096^2 x (1 + 8/32) + 3 x 4096 x 14336) = 6,979,321,856; + 2 x 128000 x 4096 = 8,027,897,856
    assert by_symbol["N_ne"]["value"] == 6979321856
    assert by_symbol["N"]["value"] == 8027897856
    assert by_symbol["N"]["entry"] == "transformer-params-full-shape"


def test_the_refined_count_is_not_reported_as_a_conflict(kb):
    # 12 x 32 x 4096^2 = 6.44e9 against 6.98e9: within 25 %, but with d_ff four times wider the simple count
    # (which assumes d_ff = 4 d_model) is 40 % off, and it is no conflict: the detailed count supersedes it
    wide = {**LLAMA3_8B, "d_ff": 4 * 14336.0}
    result = resolve(kb, {**wide, "D": 15e12})
    assert [c.entry for c in result.conflicts] == []
    assert {d.symbol: d.entry for d in result.derived}["N_ne"] == "transformer-params-full-shape"


def test_a_given_n_is_still_checked_against_the_full_shape(kb):
    result = resolve(kb, {**LLAMA3_8B, "N": 12e9, "D": 15e12})
    assert [(c.symbol, c.entry) for c in result.conflicts] == [("N", "transformer-params-full-shape")]


def test_part_of_the_full_shape_is_refused_with_what_is_missing(kb):
    with pytest.raises(UsageError) as info:
        resolve(kb, {"n_layers": 32.0, "d_model": 4096.0, "vocab_size": 32000.0, "n_kv_heads": 8.0, "D": 1e12})
    assert "n_kv_heads = 8; it is read by transformer-params-full-shape (also needs d_ff, embedding_matrices, " \
           "ffn_matrices, n_heads)" in str(info.value)


def test_without_the_full_shape_the_simple_count_answers(kb):
    derived = {d.symbol: d for d in resolve(kb, {"n_layers": 32.0, "d_model": 4096.0, "vocab_size": 32000.0,
                                                  "D": 1e12}).derived}
    assert derived["N_ne"].entry == "transformer-params-from-shape"
    assert derived["N_ne"].value == 12 * 32 * 4096**2


def test_a_given_n_that_the_assumed_shape_contradicts_is_a_conflict():
    from hpguide.kb.compiled import load_compiled

    result = resolve(load_compiled(KB), {"N": 70e9, "D": 15e12})
    messages = [c.message for c in result.conflicts if c.entry == "transformer-params-from-shape"]
    # the assumed 8192 x 80 shape with vocabulary 32000: 12 x 80 x 8192^2 + 32000 x 8192 = 64.69B, 7.59 % below
    assert len(messages) == 1
    assert messages[0].startswith("N = 70B is given, but the assumed d_model = 8192, n_layers = 80, "
                                  "vocab_size = 32000 give N = 64.7B by transformer-params-from-shape, 7.59 % below")
    assert "N_ne = 64.4B" in messages[0]


def test_a_given_n_close_to_the_assumed_shape_is_no_conflict():
    from hpguide.kb.compiled import load_compiled

    kb = load_compiled(KB)
    shape = {"d_model": 8192.0, "n_layers": 80.0, "D": 15e12}  # the vocabulary (32000) is assumed
    # 12 x 80 x 8192^2 + 32000 x 8192 = 64.69B: 66B is 2 % off, inside the 5 % tolerance; 70B is 7.6 % off
    assert not [c for c in resolve(kb, {**shape, "N": 66e9}).conflicts if c.entry == "transformer-params-from-shape"]
    far = [c.message for c in resolve(kb, {**shape, "N": 70e9}).conflicts if c.entry == "transformer-params-from-shape"]
    assert len(far) == 1 and far[0].startswith("N = 70B is given, but the assumed vocab_size = 32000 give N = 64.7B")


def test_refines_must_name_an_existing_definition(make_kb):
    text = FULL.read_text().replace("refines: [transformer-params-from-shape]", "refines: [no-such-entry]")
    kb = load_kb(make_kb(files={"transformer-params-full-shape.yaml": text}, copy=[SIMPLE]))
    assert [(d.code, "no-such-entry" in d.message) for d in kb.diagnostics] == [("HPG012", True)]


def test_refines_is_only_for_definitions(make_kb):
    text = FULL.read_text().replace("kind: definition", "kind: law")
    kb = load_kb(make_kb(files={"transformer-params-full-shape.yaml": text}, copy=[SIMPLE]))
    assert any("refines is only for definitions" in d.message for d in kb.diagnostics)
