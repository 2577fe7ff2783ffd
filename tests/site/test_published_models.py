"""The site page of ``hpguide compare --all``: every law against every published model."""

from __future__ import annotations


def test_laws_against_published_models_page(site):
    page = site / "comparisons" / "published-models" / "index.html"
    html = page.read_text(encoding="utf-8")
    assert "<h1" in html and "Laws against published models" in html
    assert "peak learning rate" in html and "gpt3-2020-lr-trend" in html
    assert "median |log10 ratio|" in html and "within 2x" in html
    assert 'href="../../entries/chinchilla-2022-tokens-per-param/"' in html
    # listed in the navigation under Comparisons, so every page links to it
    assert "comparisons/published-models/" in (site / "index.html").read_text(encoding="utf-8")
