"""Site generation pieces that need no MkDocs run: LaTeX of formulas, escaping of entry text."""

from __future__ import annotations

from hpguide.kb.load import load_kb
from hpguide.site.generate import _md, formula_latex

from ..conftest import KB


def test_formula_latex_uses_the_registry_and_keeps_constants_plain():
    kb = load_kb(KB)
    entry = kb.entries["chinchilla-2022-approach3"].entry
    constants = {k: c.value for k, c in entry.constants.items()}
    latex = formula_latex(entry.equations["L"], "L", kb, constants)
    assert latex.startswith("L = ")
    assert "\\alpha" in latex and "\\beta" in latex and "E" in latex
    assert "e^" not in latex  # E is a constant, not Euler's number
    n_opt = formula_latex(entry.equations["N_opt"], "N_opt", kb, constants)
    assert n_opt.startswith("N_{\\mathrm{opt}} = ")


def test_entry_text_cannot_inject_html_or_break_tables():
    assert _md("<script>alert(1)</script> a|b\n c") == "&lt;script&gt;alert(1)&lt;/script&gt; a\\|b c"
