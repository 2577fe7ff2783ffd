"""Citations and BibTeX."""

from __future__ import annotations

from hpguide.kb.cite import bibtex, short_citation
from hpguide.kb.load import load_kb

from ..conftest import KB


def test_bibtex_for_an_arxiv_source():
    entry = load_kb(KB).entries["chinchilla-2022-approach3"].entry
    text = bibtex(entry)
    assert "@article{hoffmann2022training," in text
    assert "eprint = {2203.15556}" in text and "archivePrefix = {arXiv}" in text
    assert "author = {Jordan Hoffmann and Sebastian Borgeaud and Arthur Mensch and others}" in text
    assert text.count("@") == len(entry.sources)


def test_short_citation_has_the_locator():
    entry = load_kb(KB).entries["compute-6nd"].entry
    line = short_citation(entry.sources[0])
    assert line.startswith("Kaplan et al. 2020, arXiv:2001.08361, Sec. 2.1")
