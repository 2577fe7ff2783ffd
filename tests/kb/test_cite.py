"""Citations and BibTeX."""

from __future__ import annotations

import functools
import re
from urllib.parse import unquote

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from hpguide.core.schema import Source
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


# ---------------------------------------------------------------------------- hostile sources

#: The ten TeX special characters and what a reader of the .bib gets back from each escape
#: (written out by hand: the oracle does not use cite.py's table).
DECODE = [(r"\textbackslash{}", "\\"), (r"\textbraceleft{}", "{"), (r"\textbraceright{}", "}"),
          (r"\textasciitilde{}", "~"), (r"\textasciicircum{}", "^"), (r"\%", "%"), (r"\&", "&"), (r"\$", "$"),
          (r"\#", "#"), (r"\_", "_")]
SPECIALS = set("\\{}~^%&$#_")
HOSTILE = r"50% of $\alpha$ } {unbalanced { ~ x^2 & #1 _x \end{document} \\ %comment"


@functools.cache
def _an_entry():
    return load_kb(KB).entries["compute-6nd"].entry


def one_source(**fields):
    """An entry of the shipped KB with its sources replaced by one source built from ``fields``."""
    entry = _an_entry()
    base = {"arxiv": "2001.08361", "title": "T", "authors": ["A B"], "year": 2020, "where": "Sec. 1"}
    return entry.model_copy(update={"sources": [Source.model_validate({**base, **fields})]})


def braces_balance(text: str) -> bool:
    """BibTeX's rule: every brace character counts, escaped or not; depth never below 0, ends at 0."""
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def field(record: str, name: str) -> str:
    """The value of one field, without its delimiting braces (fields are one line each)."""
    line = next(line for line in record.splitlines() if line.startswith(f"  {name} = {{"))
    return line[len(f"  {name} = {{"):].removesuffix(",").removesuffix("}")


def decode(text: str) -> str:
    """``text`` with every escape replaced by its character; fails on a special character left raw."""
    out, i = [], 0
    while i < len(text):
        for escape, char in DECODE:
            if text.startswith(escape, i):
                out.append(char)
                i += len(escape)
                break
        else:
            assert text[i] not in SPECIALS, f"unescaped {text[i]!r} at {i} in {text!r}"
            out.append(text[i])
            i += 1
    return "".join(out)


def test_hostile_title_author_and_venue_are_escaped_fully():
    text = bibtex(one_source(title=HOSTILE, authors=[HOSTILE, "Jane Doe"], venue=HOSTILE))
    assert braces_balance(text), text
    assert decode(field(text, "title").removeprefix("{").removesuffix("}")) == HOSTILE
    assert decode(field(text, "author")) == f"{HOSTILE} and Jane Doe"
    assert decode(field(text, "note")) == HOSTILE
    assert text.count("\n@") == 0 and text.startswith("@article{")


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from(sorted(SPECIALS)), min_size=1))
def test_any_title_gives_balanced_braces_and_reads_back(title):
    assume(title.strip())
    text = bibtex(one_source(title=title))
    assert braces_balance(text)
    assert decode(field(text, "title").removeprefix("{").removesuffix("}")) == " ".join(title.split())


def test_names_with_and_or_a_comma_stay_one_author():
    text = bibtex(one_source(authors=["Johnson and Johnson", "Hoffmann, Jordan", "Sandy Anderson", "et al."]))
    assert field(text, "author") == "{Johnson and Johnson} and {Hoffmann, Jordan} and Sandy Anderson and others"


def test_a_hostile_url_and_doi_keep_the_braces_balanced_and_the_address():
    url = "https://example.org/~u/a%20b{c}\\d^e?q=1&x_y#frag"
    text = bibtex(one_source(arxiv=None, url=url, doi="10.1000/x{y}%z#\\w"))
    assert braces_balance(text), text
    argument = field(text, "howpublished").removeprefix("\\url{").removesuffix("}")
    assert "\\" not in argument.replace("\\%", "").replace("\\#", "") and "{" not in argument
    assert not re.search(r"(?<!\\)[%#]", argument)  # % and # escaped for \url inside a field
    assert unquote(argument.replace("\\%", "%").replace("\\#", "#")) == unquote(url)
    doi = field(text, "doi")
    assert not set(doi) & set("{}\\") and unquote(doi) == "10.1000/x{y}%z#\\w"
